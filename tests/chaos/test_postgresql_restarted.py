"""PostgreSQL stopped and started again in the middle of a run of public form POSTs (through gunicorn) and a
cascade on a real Celery worker, with beat (issue 17).

While the database is down every answer is the 503 "please try again in a minute" page with ``Retry-After``,
never a 500; the forms answered so are sent again afterwards, as the page's "send again" button does (same
fields, same one-time token). Afterwards the books are exact: one submission and one application per accepted
form, one "application received" message each, one delivery per unit below the state and one notification per
unit's key office-bearer.

The outage is ``pg_ctlcluster <version> main stop`` then ``start`` rather than ``restart``: a restart of an idle
local cluster takes a fraction of a second and may fall between two requests; the stop holds the database down
for ``OUTAGE_SECONDS``, so that answers during the outage are surely seen and checked. The cluster is started
again (and waited for with ``pg_isready``) in a ``finally`` block whatever happens: other tests share it.
Redis restarted mid-cascade is ``test_worker_killed.py::test_redis_restarted_empty_mid_cascade``; Redis down
under a request is ``sangathan/ops/tests/test_outage.py``.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from sangathan.access.models import Role, RoleAssignment
from sangathan.notifications.models import OutboxMessage
from sangathan.org import seeding
from sangathan.org.models import Level, Position
from sangathan.org.template import load_default_numbering, load_default_template
from sangathan.org.tests.factories import UserFactory
from sangathan.outreach.models import Message
from sangathan.recruitment.models import Application, Submission
from sangathan.testing import require
from tests.chaos.helpers import assert_sent_once_to_every_unit, report, send_to_every_booth
from tests.chaos.public_form import TRY_AGAIN, FormPoster, Site, campaign_on

# outage: it stops the PostgreSQL server every test shares, so `make test` runs it alone after the suite.
pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.outage, pytest.mark.django_db(transaction=True)]

# 4 districts (4 chunks), 300 units below the state: small enough for the suite's minute.
SHAPE = seeding.Shape(states=1, chain=(("district", 4), ("assembly", 8), ("block", 16), ("mandal", 32), ("booth", 240)))
OUTAGE_SECONDS = 2.0


def _cluster_version() -> str | None:
    clusters = Path("/etc/postgresql")
    versions = sorted(p.name for p in clusters.iterdir() if (p / "main").is_dir()) if clusters.is_dir() else []
    return versions[-1] if versions else None


def _pg_ready(port: int) -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], check=False).returncode == 0  # noqa: S603, S607


def _pg_ctlcluster(version: str, action: str) -> None:
    """``stop`` is fast (``-m fast``): open sessions are ended, as when the server goes away; a smart stop
    would wait for every client to leave."""
    mode = ["-m", "fast"] if action == "stop" else []
    subprocess.run(["pg_ctlcluster", version, "main", action, *mode], check=True, timeout=60, capture_output=True)  # noqa: S603, S607


@pytest.fixture
def cluster():
    """The local cluster's version and port, when this test may stop and start it (root, pg_ctlcluster)."""
    version = _cluster_version()
    db_port = int(connection.settings_dict.get("PORT") or 5432)
    require(
        "a local PostgreSQL cluster that this user can stop and start (pg_ctlcluster, as root)",
        present=bool(version and shutil.which("pg_ctlcluster") and os.geteuid() == 0),
        make_test="runs the chaos tests as root on the machine's own cluster",
    )
    try:
        yield version, db_port
    finally:  # whatever happened in the test, the cluster runs again for the other tests
        if not _pg_ready(db_port):
            # Down, or half-way through a stop: finish the stop (fast), then start.
            subprocess.run(["pg_ctlcluster", version, "main", "stop", "-m", "fast"], check=False, timeout=60)  # noqa: S603, S607
            _pg_ctlcluster(version, "start")
        _wait_ready(db_port)


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not _pg_ready(port):
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.2)


@pytest.fixture
def state(monkeypatch):
    load_default_template(Level, Position)
    load_default_numbering(Level)
    monkeypatch.setitem(seeding.SHAPES, "chaos-restart", SHAPE)
    return seeding.seed("chaos-restart")


def test_postgresql_restarted_mid_forms_and_cascade(chaos, cluster, state):
    version, db_port = cluster
    admin = UserFactory(username="restart_admin")
    RoleAssignment.objects.create(user=admin, unit=state, role=Role.STATE_ADMIN)
    campaign, post, places = campaign_on(state)
    site = Site(chaos, campaign, post, places)
    message = send_to_every_booth(state, admin)
    chaos.worker("worker")
    chaos.beat()

    try:
        with FormPoster(site) as poster:
            answers = poster.answers
            chaos.wait_until(lambda: len(answers) >= 20, timeout=30, what="20 forms answered before the outage")
            _pg_ctlcluster(version, "stop")
            down_from = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            down_until = time.monotonic()
            _pg_ctlcluster(version, "start")
            _wait_ready(db_port)
            chaos.wait_until(lambda: answers and answers[-1][1] == 200, timeout=30, what="a form accepted again")
            time.sleep(0.5)
    finally:
        connection.close()  # this process's connection died with the server: the next query opens a new one

    unexpected = poster.unexpected()
    assert not unexpected, f"answers other than the thank-you and try-again pages: {unexpected[:2]}\n{chaos.logs()}"
    during = poster.during(down_from, down_until)
    assert during, "no answer during the outage"
    for n, status, page in during:
        assert status == 503, f"form {n} answered {status} while the database was down:\n{page[:3000]}"
        assert TRY_AGAIN in page and "Your form was not accepted yet" in page
    refused, accepted = poster.send_again()

    started = time.monotonic()
    chaos.wait_until(
        lambda: (
            Message.objects.get(pk=message.pk).status == Message.Status.SENT
            and not Submission.objects.filter(processed_at__isnull=True, problem="").exists()
        ),
        timeout=45,
        every=0.2,
        what="the cascade sent and every form made an application",
    )
    report(
        f"{len(answers)} forms, {len(refused)} answered 503 and sent again", time.monotonic() - started, "the outage"
    )
    assert_sent_once_to_every_unit(message, state)
    assert Submission.objects.count() == len(accepted) == len(poster.forms)
    assert not Submission.objects.exclude(problem="").exists()
    assert Application.objects.filter(campaign=campaign).count() == len(accepted)
    assert OutboxMessage.objects.filter(template="application_received").count() == len(accepted)
