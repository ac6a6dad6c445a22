"""The public application form under an outage, shared by the chaos tests that stop a server while forms are
posted (``test_postgresql_restarted.py``, ``test_redis_restarted.py``): a campaign on the seeded state,
gunicorn serving it, and a thread posting forms one after another and keeping every answer."""

import datetime
import http.client
import re
import secrets
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

from django.utils import timezone

from sangathan.org.models import Position, Unit
from sangathan.recruitment import services
from sangathan.recruitment.models import Criterion, Rubric
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRY_AGAIN = "कृपया एक मिनट बाद फिर कोशिश करें"


def campaign_on(state: Unit):
    """A drive open now on ``state`` for its booths' key post; returns it, the post and the place fields of the
    form for the state's first booth."""
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


def get(port: int, path: str, timeout: float = 60) -> tuple[int, str, str | None]:
    """GET ``path`` in Hindi: status, page and ``Retry-After``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path, headers={"Cookie": "django_language=hi"})
    response = conn.getresponse()
    answer = response.status, response.read().decode(errors="replace"), response.getheader("Retry-After")
    conn.close()
    return answer


class Site:
    """gunicorn (2 workers, persistent database connections as in production) on the test's database and the
    chaos namespace, and a client of its public form. It is ready when its workers answer ``/healthz``, not
    only when its port is open: on a loaded machine (2 cores, other suites running) the workers may take
    longer to import the project than a first request would wait."""

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
        chaos.wait_until(self._answering, timeout=150, what="gunicorn's workers answering")
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

    def _answering(self) -> bool:
        try:
            return get(self.port, "/healthz", timeout=5)[0] == 200
        except OSError:  # not listening yet, or no worker answered within 5 s
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
        try_again = status == 503 and retry_after == "60" and TRY_AGAIN in page
        return (200 if accepted else 503 if try_again else -status), page


class FormPoster:
    """A thread posting new forms to ``site`` one after another until stopped (``with FormPoster(site) as
    poster:``), keeping each form's body and every answer as (form number, status, page, sent, answered)."""

    def __init__(self, site: Site):
        self.site = site
        self.answers: list[tuple[int, int, str, float, float]] = []
        self.forms: dict[int, bytes] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._post)

    def _post(self) -> None:
        n = 0
        while not self._stop.is_set():
            self.forms[n] = self.site.form(n)
            sent = time.monotonic()
            status, page = self.site.send(self.forms[n])
            self.answers.append((n, status, page, sent, time.monotonic()))
            n += 1

    def __enter__(self) -> "FormPoster":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def unexpected(self) -> list[tuple[int, str]]:
        """Answers other than the thank-you page and the try-again page (status, the page's start)."""
        return [
            (status, page[:2000]) for _n, status, page, _sent, _answered in self.answers if status not in (200, 503)
        ]

    def during(self, down_from: float, down_until: float) -> list[tuple[int, int, str]]:
        """(form number, status, page) of the forms sent and answered while the server was down."""
        return [
            (n, status, page)
            for n, status, page, sent, answered in self.answers
            if down_from < sent and answered < down_until
        ]

    def send_again(self) -> tuple[list[int], set[int]]:
        """ "Send again": the forms answered 503 as they were, and a few accepted ones again (a double press);
        each must now be accepted. Returns the refused form numbers and every accepted one."""
        refused = [answer[0] for answer in self.answers if answer[1] == 503]
        accepted = {answer[0] for answer in self.answers if answer[1] == 200}
        for n in refused + sorted(accepted)[:5]:
            status, _page = self.site.send(self.forms[n])
            assert status == 200
            accepted.add(n)
        return refused, accepted
