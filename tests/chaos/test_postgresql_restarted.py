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

import datetime
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.notifications.models import OutboxMessage
from sangathan.org import seeding
from sangathan.org.models import Level, Position, Unit
from sangathan.org.template import load_default_numbering, load_default_template
from sangathan.org.tests.factories import UserFactory
from sangathan.outreach.models import Message
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, Criterion, Rubric, Submission
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric
from sangathan.testing import require
from tests.chaos.test_worker_killed import assert_sent_once_to_every_unit, report, send_to_every_booth

# outage: it stops the PostgreSQL server every test shares, so `make test` runs it alone after the suite.
pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.outage, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# 4 districts (4 chunks), 300 units below the state: small enough for the suite's minute.
SHAPE = seeding.Shape(states=1, chain=(("district", 4), ("assembly", 8), ("block", 16), ("mandal", 32), ("booth", 240)))
OUTAGE_SECONDS = 2.0
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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


def _campaign(state):
    booth = Unit.objects.filter(path__startswith=state.path, level__code="booth").order_by("path").first()
    chain = {u.level.code: u for u in Unit.objects.filter(path__in=booth.ancestor_paths()).select_related("level")}
    now = timezone.now()
    campaign = services.campaign_create(
        scope_unit=state,
        title_hi="पुनरारंभ अभियान",
        title_en="Restart drive",
        slug="restart-drive",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        rubric=load_default_rubric(Rubric, Criterion),
        positions=[(Position.objects.get(level__code="booth", is_key=True), None)],
        reference_prefix="RS-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
    )
    places = {}
    for code in ("district", "assembly", "booth"):
        if code in chain:
            places[code], places[f"{code}_q"] = str(chain[code].pk), chain[code].name_hi
    return campaign, campaign.positions.get(), places


class Site:
    """gunicorn (2 workers, persistent database connections as in production) on the test's database and the
    chaos namespace, and a client of its public form."""

    def __init__(self, chaos, campaign, post, places):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {**chaos.env, "DJANGO_SETTINGS_MODULE": "sangathan.benchmarks.settings", "DB_CONN_MAX_AGE": "60"}
        log = (chaos.directory / "gunicorn.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
            [str(GUNICORN), "sangathan.config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the harness's kill takes its workers too
        )
        chaos.processes.append(self.process)  # stopped with the workers
        chaos.wait_until(self._listening, timeout=30, what="gunicorn listening")
        self.path = f"/a/{campaign.slug}/"
        self.post, self.places = post, places
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", self.path)
        response = conn.getresponse()
        body = response.read().decode()
        assert response.status == 200, body[:500]
        self.csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        self.csrf_token = CSRF_RE.search(body).group(1)
        conn.close()

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def form(self, n: int) -> bytes:
        fields = {
            "csrfmiddlewaretoken": self.csrf_token,
            "token": secrets.token_urlsafe(24),
            "applied_for": str(self.post.pk),
            "name_hi": "परीक्षा आवेदक",
            "mobile": f"98{n:08d}",
            "age": "30",
            "gender": "",
            "occupation": "Engineer",
            "education": "B.Tech",
            "languages": "hi",
            "statement": "संगठन के लिए काम करना चाहता हूँ।",
            "writing_sample": "हर बूथ हो मजबूत!",
            "consent": "on",
            **self.places,
        }
        return urllib.parse.urlencode(fields).encode()

    def send(self, body: bytes) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.csrf_cookie}; django_language=hi",
            "Referer": f"http://127.0.0.1:{self.port}/",
        }
        conn.request("POST", self.path, body=body, headers=headers)
        response = conn.getresponse()
        answer = (response.status, response.read().decode(), response.getheader("Retry-After"))
        conn.close()
        status, page, retry_after = answer
        # Checked by the test: a 200 is the thank-you page, a 503 the try-again page with Retry-After.
        accepted = status == 200 and 'class="reference"' in page
        try_again = status == 503 and retry_after == "60" and "कृपया एक मिनट बाद फिर कोशिश करें" in page
        return (200 if accepted else 503 if try_again else -status), page


def test_postgresql_restarted_mid_forms_and_cascade(chaos, cluster, state):
    version, db_port = cluster
    admin = UserFactory(username="restart_admin")
    RoleAssignment.objects.create(user=admin, unit=state, role=Role.STATE_ADMIN)
    campaign, post, places = _campaign(state)
    site = Site(chaos, campaign, post, places)
    message = send_to_every_booth(state, admin)
    chaos.worker("worker")
    chaos.beat()

    answers: list[tuple[int, int, str, float, float]] = []  # (form number, status, page, sent, answered)
    forms: dict[int, bytes] = {}
    stop = threading.Event()

    def post_forms():
        n = 0
        while not stop.is_set():
            forms[n] = site.form(n)
            sent = time.monotonic()
            status, page = site.send(forms[n])
            answers.append((n, status, page, sent, time.monotonic()))
            n += 1

    poster = threading.Thread(target=post_forms)
    poster.start()
    try:
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
        stop.set()
        poster.join(timeout=60)
        connection.close()  # this process's connection died with the server: the next query opens a new one

    unexpected = [(answer[1], answer[2][:2000]) for answer in answers if answer[1] not in (200, 503)]
    assert not unexpected, f"answers other than the thank-you and try-again pages: {unexpected[:2]}\n{chaos.logs()}"
    during = [
        (n, status, page) for n, status, page, sent, answered in answers if down_from < sent and answered < down_until
    ]
    assert during, "no answer during the outage"
    for n, status, page in during:
        assert status == 503, f"form {n} answered {status} while the database was down:\n{page[:3000]}"
        assert "कृपया एक मिनट बाद फिर कोशिश करें" in page and "Your form was not accepted yet" in page
    refused = [answer[0] for answer in answers if answer[1] == 503]

    # "Send again": the refused forms as they were, and a few accepted ones again (a double press).
    accepted = {answer[0] for answer in answers if answer[1] == 200}
    for n in refused + sorted(accepted)[:5]:
        status, _page = site.send(forms[n])
        assert status == 200
        accepted.add(n)

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
    assert Submission.objects.count() == len(accepted) == len(forms)
    assert not Submission.objects.exclude(problem="").exists()
    assert Application.objects.filter(campaign=campaign).count() == len(accepted)
    assert OutboxMessage.objects.filter(template="application_received").count() == len(accepted)
