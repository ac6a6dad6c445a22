"""The read replica with a real PostgreSQL streaming replica made on this machine (issue 17).

The ``streaming_replica`` fixture (once per test session) copies the running primary with
``pg_basebackup -R`` into a temporary directory, starts it as a hot standby on a free loopback port and stops
and removes it at the end. The primary must accept replication connections from 127.0.0.1: ``wal_level`` ``replica``
(PostgreSQL's default; changing it needs a restart) and a ``pg_hba.conf`` line for replication from 127.0.0.1,
which the fixture adds itself when the file is writable here (then reloads the server: no restart). Otherwise
the tests are skipped, saying what is missing (docs/deploy.md). PostgreSQL only: skipped on SQLite.
"""

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from sangathan.config import routers
from sangathan.org.models import Unit
from sangathan.testing import log_in, require

pytestmark = [
    pytest.mark.slow,  # makes and starts a second PostgreSQL cluster (about 5 s)
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

CATCH_UP_SECONDS = 30
CONFIGURATION = {
    "postgresql.conf": "",  # the defaults: hot_standby on, what -o gives on the command line
    "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",  # loopback only
    "pg_ident.conf": "",
}


def _bin(name: str) -> str:
    pg_config = shutil.which("pg_config") or "/usr/bin/pg_config"
    bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603
    return str(Path(bindir) / name)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's server refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


HBA_LINE = "host replication all 127.0.0.1/32 trust  # added by tests/test_replica.py for its local replica"


def allow_loopback_replication() -> str | None:
    """Let the primary accept replication connections from 127.0.0.1 where that needs no restart (a line in
    pg_hba.conf, then a reload). Returns what stands in the way, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW wal_level")
        if cursor.fetchone()[0] == "minimal":
            return "wal_level is minimal: set it to replica and restart PostgreSQL"
        cursor.execute(
            "SELECT count(*) FROM pg_hba_file_rules "
            "WHERE type = 'host' AND address = '127.0.0.1' AND 'replication' = ANY(database)"
        )
        if cursor.fetchone()[0]:
            return None
        cursor.execute("SHOW hba_file")
        hba = Path(cursor.fetchone()[0])
        if not os.access(hba, os.W_OK):
            return f"{hba} has no replication line for 127.0.0.1 and cannot be changed here: add {HBA_LINE!r}"
        with hba.open("a") as lines:
            lines.write(f"\n{HBA_LINE}\n")
        cursor.execute("SELECT pg_reload_conf()")
    return None


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    """A hot standby of the test database's server: yields its port."""
    if connection.vendor != "postgresql":
        pytest.skip("the read replica is PostgreSQL's streaming replication")
    primary = connection.settings_dict
    data = Path(tempfile.mkdtemp(prefix="sangathan-replica-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(data, postgres.pw_uid, postgres.pw_gid)
    data.chmod(0o700)
    port = _free_port()
    with django_db_blocker.unblock():
        problem = allow_loopback_replication()
    require("A primary that accepts replication connections", present=problem is None, make_test=f"needs: {problem}")
    try:
        for _attempt in range(20):  # a reload just asked for takes effect within moments
            copy = subprocess.run(  # noqa: S603 - the system's pg_basebackup, fixed arguments
                _as_postgres(
                    [
                        _bin("pg_basebackup"),
                        *("-h", primary["HOST"] or "127.0.0.1", "-p", str(primary["PORT"] or 5432)),
                        *("-U", primary["USER"] or "postgres", "-D", str(data)),
                        *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
                    ]
                ),
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, "PGPASSWORD": primary["PASSWORD"] or ""},
            )
            if copy.returncode == 0 or "pg_hba.conf" not in copy.stderr:
                break
            time.sleep(0.1)
        require(
            "A replication connection to the primary (pg_hba.conf: host replication all 127.0.0.1/32 trust)",
            present=copy.returncode == 0,
            make_test=f"needs it; pg_basebackup said: {copy.stderr.strip()[-300:]}",
        )
        # Debian keeps the configuration in /etc, outside the copied data directory: the replica gets its own.
        for name, text in CONFIGURATION.items():
            (data / name).write_text(text)
            if os.geteuid() == 0:
                os.chown(data / name, postgres.pw_uid, postgres.pw_gid)
        started = subprocess.run(  # noqa: S603 - the system's pg_ctl, fixed arguments
            _as_postgres(
                [
                    _bin("pg_ctl"),
                    *("-D", str(data), "-l", str(data / "server.log"), "-w", "-t", "60"),
                    *("-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c hot_standby=on"),
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
            timeout=90,
        )
        log = data / "server.log"
        assert started.returncode == 0, started.stderr + (log.read_text()[-2000:] if log.exists() else "")
        yield port
    finally:
        subprocess.run(  # noqa: S603 - the system's pg_ctl, fixed arguments
            _as_postgres([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_alias(streaming_replica):
    """The ``replica`` alias on the standby, as DATABASE_REPLICA_URL makes it, for this module's tests only.
    MIRROR marks it as the primary's copy: the test runner never flushes it (it could not: it is read-only)."""
    databases = connections.settings  # settings.DATABASES itself
    primary = databases["default"]
    databases["replica"] = {
        **primary,
        "HOST": "127.0.0.1",
        "PORT": str(streaming_replica),
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
    replica.settings_dict["PORT"] = str(_free_port())  # nothing listens there
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
