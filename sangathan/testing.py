"""The fixed cast of every test: one small state with two sibling districts, and the people who act in it.

    India ─ Rajasthan ─┬─ Jaipur ─ AC 45 Jaipur North ─ Block Amer ─ Booths 1, 2
                       └─ Ajmer ─ AC 99 Ajmer South ─ Block Kishangarh ─ Booth 1
Users: state_admin (Rajasthan), district_admin (Jaipur), sibling_admin (Ajmer), viewer (Jaipur), outsider (no role).
"""

import datetime
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sangathan.access.models import Role, RoleAssignment
from sangathan.config.celery import app
from sangathan.config.queues import key_prefix, queue_name, queue_names, task_queues, task_routes
from sangathan.core import pdf as core_pdf
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Level, Position
from sangathan.org.phones import normalise_mobile
from sangathan.org.template import load_default_numbering, load_default_template
from sangathan.org.tests.factories import UserFactory, make_unit
from sangathan.outreach import services as outreach_services
from sangathan.recruitment.models import Criterion, Rubric
from sangathan.recruitment.services import campaign_create
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric

CELERY_TEST_BROKER = "redis://127.0.0.1:6379/15"

# What an attacker types into a free-text field: every form and API that takes text is tried with each
# (tests/security/inputs.py names it CORPUS for the security tests).
BAD_INPUT = {
    "overlong": "अ" * 5000,
    "overlong_latin": "A" * 100_000,
    "mixed_scripts": "सीमा Мария 李 Seema",
    "zero_width": "सी\u200bमा\u202e मीणा\ufeff",
    "html": "<b>Seema</b>",
    "script": "<script>alert(1)</script>",
    "img_onerror": '"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE org_person; --",
    "sql_or": "' OR '1'='1",
    "formula_hyperlink": '=HYPERLINK("http://x","y")',
    "formula_cmd": "+cmd|' /C calc'!A0",
    "formula_minus": "-1+1",
    "formula_at": "@SUM(A1:A2)",
    "nul": "Seema\x00Meena",
    "control": "Seema\x1b[31mMeena",
    "empty": "",
    "spaces": "     ",
}


@pytest.fixture
def tree(db):
    # The data migrations filled the levels, their posts and their numbering; a transactional test (a browser
    # test) flushes those tables, and the next test fills them again. One query when they are there.
    if not Position.objects.exists():
        load_default_template(Level, Position)
        load_default_numbering(Level)
    india = make_unit(None, "national", "India", name_hi="भारत")
    rajasthan = make_unit(india, "state", "Rajasthan", name_hi="राजस्थान")
    jaipur = make_unit(rajasthan, "district", "Jaipur", name_hi="जयपुर")
    ajmer = make_unit(rajasthan, "district", "Ajmer", name_hi="अजमेर")
    jaipur_ac = make_unit(jaipur, "assembly", "Jaipur North", number=45, name_hi="जयपुर उत्तर")
    ajmer_ac = make_unit(ajmer, "assembly", "Ajmer South", number=99, name_hi="अजमेर दक्षिण")
    amer = make_unit(jaipur_ac, "block", "Amer", name_hi="आमेर")
    kishangarh = make_unit(ajmer_ac, "block", "Kishangarh", name_hi="किशनगढ़")
    booth1 = make_unit(amer, "booth", "Amer School", number=1, name_hi="आमेर विद्यालय")
    booth2 = make_unit(amer, "booth", "Amer Fort Gate", number=2, name_hi="आमेर किला द्वार")
    ajmer_booth = make_unit(kishangarh, "booth", "Kishangarh Mandi", number=1, name_hi="किशनगढ़ मंडी")
    return SimpleNamespace(
        india=india,
        rajasthan=rajasthan,
        jaipur=jaipur,
        ajmer=ajmer,
        jaipur_ac=jaipur_ac,
        ajmer_ac=ajmer_ac,
        amer=amer,
        kishangarh=kishangarh,
        booth1=booth1,
        booth2=booth2,
        ajmer_booth=ajmer_booth,
    )


def _user_with_role(username: str, unit, role: str | None):
    user = UserFactory(username=username)
    if role:
        RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def cast(tree):
    return SimpleNamespace(
        state_admin=_user_with_role("state_admin", tree.rajasthan, Role.STATE_ADMIN),
        district_admin=_user_with_role("district_admin", tree.jaipur, Role.UNIT_ADMIN),
        sibling_admin=_user_with_role("sibling_admin", tree.ajmer, Role.UNIT_ADMIN),
        viewer=_user_with_role("viewer", tree.jaipur, Role.VIEWER),
        outsider=_user_with_role("outsider", tree.rajasthan, None),
    )


# ---------------------------------------------------------------- markers (registered in pyproject.toml)

E2E_TESTS = Path(__file__).resolve().parent.parent / "tests" / "e2e"


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(config, items) -> None:
    """Mark every browser test (tests/e2e) ``e2e`` and every test with a real Celery worker on Redis (the
    ``redis_broker`` fixture, which ``celery_redis_worker`` uses) ``worker``, so that no file has to say so
    and ``make test-fast`` leaves them out. Tests of more than about 5 s are marked ``slow`` where they are."""
    for item in items:
        if item.path.is_relative_to(E2E_TESTS):
            item.add_marker(pytest.mark.e2e)
        if "redis_broker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)


# ---------------------------------------------------------------- what the tests need from the machine


def require(what: str, *, present: bool, make_test: str) -> None:
    """Skip the test when ``what``, a service or program it needs, is missing, and say how to get it
    (``make_test``: what `make test` does about it); on CI (``CI=true``) fail instead, so that a run there can
    never pass by skipping."""
    if present:
        return
    message = f"{what} is missing: run `make test` (it {make_test})."
    if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
        pytest.fail(f"{message} CI runs every test: none may be skipped.", pytrace=False)
    pytest.skip(message)


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def redis_broker() -> str:
    """The Redis database the worker tests use as Celery's broker. The tests that use it, directly or through
    ``celery_redis_worker``, are marked ``worker`` (see conftest.py)."""
    require("Redis on 127.0.0.1:6379", present=_redis_answers(CELERY_TEST_BROKER), make_test="starts it")
    return CELERY_TEST_BROKER


def process_namespace() -> str:
    """This test process's namespace: its queues and broker keys, apart from a parallel test process's."""
    return f"sangathan-test-{os.getpid()}"


def forget_namespace(broker: str, namespace: str) -> None:
    """Empty every queue and key the broker holds for ``namespace`` (what an earlier run left)."""
    client = redis.Redis.from_url(broker)
    for key in client.scan_iter(match=f"{key_prefix(namespace)}*", count=1000):
        client.delete(key)


@contextmanager
def celery_namespace(broker: str, namespace: str):
    """Point the Celery app of this process at ``broker`` with queues, routes and key prefix of
    ``namespace`` (tasks queued, not run eagerly), as a production installation named so would be."""
    previous = {
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
        "task_queues": app.conf.task_queues,
        "task_routes": app.conf.task_routes,
        "broker_transport_options": app.conf.broker_transport_options,
    }
    app.conf.update(
        broker_url=broker,
        task_always_eager=False,
        task_default_queue=queue_name(namespace, "default"),
        task_queues=task_queues(namespace),
        task_routes=task_routes(namespace),
        broker_transport_options={**previous["broker_transport_options"], "global_keyprefix": key_prefix(namespace)},
    )
    _forget_celery_connections(app)
    try:
        yield queue_names(namespace)
    finally:
        app.conf.update(**previous)
        _forget_celery_connections(app)


@pytest.fixture
def celery_redis_worker(redis_broker):
    """A real Celery worker (in a thread of this process) on the Redis broker, as in production, started
    without ``-Q``: it listens on every queue kind (cascade, intake, outbox, reports, default) because the
    settings declare them all. Use with ``django_db(transaction=True)`` so the worker sees what the test commits."""
    # A namespace of its own, so parallel test processes never take each other's messages.
    namespace = process_namespace()
    forget_namespace(redis_broker, namespace)
    with (
        celery_namespace(redis_broker, namespace),
        start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20) as worker,
    ):
        yield worker


def _forget_celery_connections(app) -> None:
    """Drop the connection and producer pools made for the previous broker (eager runs make them too), and
    the queues and router cached for the previous namespace."""
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)


def open_drive(tree, by, *, posts=(("booth", "representative", 100),), slug="rj-2026"):
    """The state's recruitment drive as the seeds describe it, open from yesterday for two weeks;
    ``posts`` are (level, position code, target) triples."""
    now = timezone.now()
    return campaign_create(
        scope_unit=tree.rajasthan,
        title_hi="संगठन सृजन अभियान",
        title_en="Organisation-building drive",
        slug=slug,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        rubric=load_default_rubric(Rubric, Criterion),
        positions=[(Position.objects.get(level__code=level, code=code), target) for level, code, target in posts],
        reference_prefix="RJ-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
        by=by,
    )


# ---------------------------------------------------------------- proving a mobile number (verification)

CODE_RE = r"\b(\d{6})\b"


def message_sent_to_booths(tree, cast, capture_on_commit):
    """A message from Jaipur down to its booths, sent by the district admin (the chunk tasks run on commit):
    one delivery, a cascade link, per booth. ``capture_on_commit``: pytest-django's
    ``django_capture_on_commit_callbacks``."""
    message = outreach_services.message_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="Booth meeting on Sunday",
        body_hi="रविवार को बूथ बैठक है।",
        text_whatsapp="रविवार बैठक!",
    )
    with capture_on_commit(execute=True):
        outreach_services.message_send(message=message, by=cast.district_admin)
    return message


def sent_code(mobile: str) -> str:
    """The last code sent to ``mobile`` (+91…) through the outbox, as the person reads it in the SMS."""
    message = OutboxMessage.objects.filter(template="mobile_code", recipient=mobile).order_by("-pk").first()
    assert message is not None, f"no code was sent to {mobile}"
    return re.search(CODE_RE, message.body).group(1)


def status_check(client, *, reference: str, mobile: str, code: str | None = None):
    """The public status page as the applicant uses it: reference and mobile, then the code from the SMS
    (read from the outbox unless ``code`` is given; when none was sent, a code that cannot be right).
    Returns the last response."""
    first = client.post(reverse("apply:status"), {"step": "lookup", "reference": reference, "mobile": mobile})
    pending = re.search(r'name="pending" value="([^"]+)"', first.content.decode())
    if pending is None:
        return first
    if code is None:
        sent = OutboxMessage.objects.filter(template="mobile_code", recipient=normalise_mobile(mobile)).exists()
        code = sent_code(normalise_mobile(mobile)) if sent else "000000"  # nothing sent: any code fails
    return client.post(reverse("apply:status"), {"step": "code", "pending": pending.group(1), "code": code})


# ---------------------------------------------------------------- signing in

TEST_PASSWORD = "a-long-test-password"  # noqa: S105 - every UserFactory user's (org/tests/factories.py)


def log_in(client, user, language: str = "en"):
    """Sign ``user`` in on Django's test client, reading the pages in ``language`` (the language switch's
    cookie; "hi" reads them as a first visit does). Returns the client, for ``log_in(client, user).get(...)``."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def api_client(user=None, language: str = "en"):
    """A REST test client speaking ``language``, signed in as ``user`` (read afresh, so its roles are not a
    cached earlier answer) or anonymous."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user=get_user_model().objects.get(pk=user.pk))
    return client


def first_message(data) -> str:
    """The first error message of a 400 answer, whatever field it is under."""
    while isinstance(data, dict | list):
        data = next(iter(data.values())) if isinstance(data, dict) else data[0]
    return str(data)


def log_in_browser(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in on a Playwright page through the sign-in form, as a person does, and wait until signed in: the
    page that follows has the top bar's Log out button (so has the second-factor step, when one is asked)."""
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_selector(f"header form[action='{reverse('logout')}']", state="attached")


# ---------------------------------------------------------------- reading PDFs


def pdf_text(content: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it, in reading order. Our PDFs (``core.pdf``) read back
    Hindi exactly: compare words as they are (``assert_pdf_reads_back``)."""
    require("pdftotext", present=shutil.which("pdftotext") is not None, make_test="installs poppler-utils")
    return subprocess.run(  # noqa: S603 - a fixed program reading our own PDF
        [shutil.which("pdftotext"), "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


# A Hindi word as pdftotext reads it back: Devanagari letters and signs (not the danda), joiners, inner hyphens.
HINDI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f\u200c\u200d]+(?:-[\u0900-\u0963\u0966-\u097f\u200c\u200d]+)*")


def hindi_words(text: str) -> set[str]:
    return set(HINDI_WORD.findall(text))


def visible_text(html: str) -> str:
    """The text a document's HTML draws: its body without style, script and tags, entities decoded."""
    body = re.sub(r"(?is)<(head|style|script|title)\b.*?</\1\s*>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def pdf_sources(monkeypatch) -> list[str]:
    """The HTML of every PDF made through ``core.pdf`` while the test runs, in order."""
    sources: list[str] = []
    write = core_pdf._write

    def recording(html: str, **kwargs) -> bytes:
        sources.append(html)
        return write(html, **kwargs)

    monkeypatch.setattr(core_pdf, "_write", recording)
    return sources


def assert_pdf_reads_back(content: bytes, html: str, *, words: tuple[str, ...] = ()) -> str:
    """pdftotext reads back exactly the Hindi words the document's HTML draws — no word garbled, none missing —
    and ``words`` among them (conjuncts and matras the document must hold for the check to mean something).
    Returns the text."""
    text = pdf_text(content)
    read, drawn = hindi_words(text), hindi_words(visible_text(html))
    # pdftotext joins a word broken after its hyphen at the end of a line, without the hyphen (प्रमाण-पत्र).
    read = {next((d for d in drawn if "-" in d and d.replace("-", "") == word), word) for word in read}
    assert not read - drawn, f"garbled in the PDF's text: {sorted(read - drawn)}"
    assert not drawn - read, f"missing from the PDF's text: {sorted(drawn - read)}"
    assert not set(words) - read, f"not in the document: {sorted(set(words) - read)}"
    return text


def squeeze(text: str) -> str:
    """``text`` without whitespace and without the vowel sign ि: how Hindi read back from a PDF was compared
    before ``core.pdf`` wrote the text layer right (pdftotext put spaces inside Devanagari words and the ि
    wherever the glyph order left it). Kept for the older tests; new ones compare exactly."""
    return re.sub(r"[\s\u093f]+", "", text)
