"""The read replica with a real PostgreSQL streaming replica made on this machine (issue 17).

The ``streaming_replica`` fixture (once per test session) makes one with ``sangathan/ops/replica_local.py``
(shared with the load scenario, ``loadtest/run.py --replica``): it copies the running primary with
``pg_basebackup -R`` into a temporary directory, starts it as a hot standby on a free loopback port and stops
and removes it at the end. The primary must accept replication connections from 127.0.0.1: ``wal_level`` ``replica``
(PostgreSQL's default; changing it needs a restart) and a ``pg_hba.conf`` line for replication from 127.0.0.1,
which the module adds itself when the file is writable here (then reloads the server: no restart). Otherwise
the tests are skipped, saying what is missing (docs/deploy.md). PostgreSQL only: skipped on SQLite.
"""

import re
import time
from contextlib import ExitStack

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from sangathan.config import routers
from sangathan.ops.replica_local import Primary, ReplicaNotPossible, free_port, local_replica
from sangathan.org.models import Unit
from sangathan.testing import log_in, require

pytestmark = [
    pytest.mark.slow,  # makes and starts a second PostgreSQL cluster (about 5 s)
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

CATCH_UP_SECONDS = 30


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    """A hot standby of the test database's server (sangathan/ops/replica_local.py's LocalReplica)."""
    if connection.vendor != "postgresql":
        pytest.skip("the read replica is PostgreSQL's streaming replication")
    with ExitStack() as stack:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            try:
                made = stack.enter_context(local_replica(Primary.from_settings(connection.settings_dict), cursor))
            except ReplicaNotPossible as problem:
                require("A primary that accepts replication connections", present=False, make_test=f"needs: {problem}")
        yield made


@pytest.fixture(scope="module")
def replica_alias(streaming_replica):
    """The ``replica`` alias on the standby, as DATABASE_REPLICA_URL makes it, for this module's tests only.
    MIRROR marks it as the primary's copy: the test runner never flushes it (it could not: it is read-only)."""
    databases = connections.settings  # settings.DATABASES itself
    primary = databases["default"]
    databases["replica"] = {
        **primary,
        "HOST": "127.0.0.1",
        "PORT": str(streaming_replica.port),
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    routers.forget_replica_check()
    yield routers.REPLICA
    routers.forget_replica_check()
    connections["replica"].close()
    del connections["replica"]
    del databases["replica"]


def caught_up(alias: str = "replica") -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, f"the replica did not catch up within {CATCH_UP_SECONDS} s"
        time.sleep(0.05)


def first_table(sql: str) -> list[str]:
    """The table a SELECT reads from (its FROM), none for other statements."""
    found = re.match(r'SELECT .*? FROM "(\w+)"', sql, re.DOTALL)
    return [found.group(1)] if found else []


def test_the_replica_is_a_standby_and_refuses_writes(replica_alias):
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False


def test_a_dashboard_reads_from_the_replica_and_sign_in_from_the_primary(replica_alias, cast, client, tree):
    log_in(client, cast.state_admin)
    caught_up()
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(reverse("controlroom:wall", args=[tree.rajasthan.pk]))
    assert response.status_code == 200
    assert "Rajasthan" in response.content.decode()
    read_on_replica = {table for query in on_replica.captured_queries for table in first_table(query["sql"])}
    read_on_primary = {table for query in on_primary.captured_queries for table in first_table(query["sql"])}
    assert "org_unit" in read_on_replica  # the tree, read from the replica
    assert "logins_loginsession" in read_on_primary  # who is signed in and their roles: the primary
    assert {table.split("_")[0] for table in read_on_primary} <= {"logins", "auth", "access", "django", "axes"}
    assert not {"logins_loginsession", "access_roleassignment"} & read_on_replica


def test_other_pages_and_every_write_go_to_the_primary(replica_alias, cast, client, tree):
    log_in(client, cast.state_admin)
    caught_up()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("org:unit", args=[tree.rajasthan.pk]))
    assert response.status_code == 200
    assert on_replica.captured_queries == []

    with routers.using_replica():
        assert routers.reads_alias() == "replica"
        Unit.objects.filter(pk=tree.jaipur.pk).update(name_en="Jaipur (renamed)")  # a write: to the primary
        assert routers.reads_alias() == "default"  # read your own writes for the rest of the block
        assert Unit.objects.get(pk=tree.jaipur.pk).name_en == "Jaipur (renamed)"
    caught_up()
    with routers.using_replica():
        assert Unit.objects.get(pk=tree.jaipur.pk).name_en == "Jaipur (renamed)"  # replayed on the replica


def test_the_primary_sees_it_streaming_and_it_counts_the_dashboard_s_reads(
    streaming_replica, replica_alias, cast, client, tree
):
    """What the load scenario reports: the lag as the primary sees it, and the reads the replica answered."""
    with connections["default"].cursor() as cursor:
        lag = streaming_replica.lag(cursor)
    assert lag is not None, "the primary does not list the replica under its name in pg_stat_replication"
    assert lag[0] >= 0 and lag[1] >= 0
    database = connections["default"].settings_dict["NAME"]
    log_in(client, cast.state_admin)
    caught_up()
    before = streaming_replica.reads(database)
    assert client.get(reverse("controlroom:wall", args=[tree.rajasthan.pk])).status_code == 200
    connections["replica"].close()  # a server process sends its statistics at the latest when it ends
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while (after := streaming_replica.reads(database))["tables"].get("org_unit", 0) <= before["tables"].get(
        "org_unit", 0
    ):
        assert time.monotonic() < deadline, f"no read of org_unit counted on the replica: {after}"
        time.sleep(0.2)
    assert after["transactions"] > before["transactions"]


def test_readyz_reports_the_replica_s_lag(replica_alias, client, settings):
    settings.READYZ_CACHE_SECONDS = 0
    caught_up()
    response = client.get(reverse("readyz"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["database"] == "ok"
    assert isinstance(body["replica"]["lag_seconds"], float) and body["replica"]["lag_seconds"] >= 0


def test_a_replica_that_does_not_answer_leaves_its_pages_to_the_primary(replica_alias, cast, client, tree, settings):
    settings.READYZ_CACHE_SECONDS = 0
    log_in(client, cast.state_admin)
    replica = connections["replica"]
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = str(free_port())  # nothing listens there
    routers.forget_replica_check()
    try:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            response = client.get(reverse("controlroom:wall", args=[tree.rajasthan.pk]))
        assert response.status_code == 200 and "Rajasthan" in response.content.decode()
        assert "org_unit" in {table for query in on_primary.captured_queries for table in first_table(query["sql"])}
        ready = client.get(reverse("readyz"))
        assert ready.status_code == 200
        assert ready.json()["replica"] == "unreachable (OperationalError)"
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
        routers.forget_replica_check()


@pytest.mark.django_db(databases=["default"])  # no replica needed: runs on SQLite too
def test_every_page_sent_to_the_replica_exists_and_reads_only(settings):
    """A renamed page would silently go back to the primary: each name must still be a page."""
    for name in settings.REPLICA_VIEWS:
        namespace, url_name = name.split(":")
        matches = [
            pattern
            for resolver in get_resolver().url_patterns
            if getattr(resolver, "namespace", None) == namespace
            for pattern in resolver.url_patterns
            if getattr(pattern, "name", None) == url_name
        ]
        assert matches, f"{name} in REPLICA_VIEWS names no page"
