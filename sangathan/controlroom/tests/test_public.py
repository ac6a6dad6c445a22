"""The report link as an attacker would use it: tampered, expired, another kind of signed link, a relieved
office-bearer's link, a replay, a flood, a future day, fields that try to name another unit. Every refusal
is a clear Hindi page and saves nothing."""

import datetime
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from sangathan.controlroom import tokens
from sangathan.controlroom.models import ActivityReport, ReportedPost
from sangathan.org import services as org_services

pytestmark = pytest.mark.django_db

POST = "https://www.instagram.com/p/C1a2b3c4d5e/?igshid=abc"


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    """The limits count in the shared cache, which outlives each test: only the flood test is limited."""
    settings.CONTROLROOM_REPORT_RATE_LINK = "100000/h"
    settings.CONTROLROOM_REPORT_RATE_IP = "100000/h"


def url(appointment) -> str:
    return tokens.report_path(appointment.pk)


def form(**values):
    today = timezone.localdate()
    data = {
        "day": today.isoformat(),
        "posts": "2",
        "shares": "3",
        "groups_messaged": "1",
        "people_added": "0",
        "events": "",
        "urls": POST,
        "note": "बैठक",
    }
    data.update(values)
    return data


def test_the_form_opens_in_hindi_without_login(client, bearers):
    page = client.get(url(bearers.booth1))
    assert page.status_code == 200
    text = page.content.decode()
    assert "दैनिक रिपोर्ट" in text and "प्रभारी booth1" in text
    assert 'inputmode="numeric"' in text
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]


def test_a_report_is_saved_then_updated_by_a_replay(client, bearers):
    first = client.post(url(bearers.booth1), form())
    assert first.status_code == 303
    again = client.post(url(bearers.booth1), form())  # the same POST again (a double tap, a replay)
    assert again.status_code == 303
    changed = client.post(url(bearers.booth1), form(posts="6"))
    assert changed.status_code == 303
    report = ActivityReport.objects.get()
    assert (report.unit_id, report.posts, report.shares, report.events, report.revisions) == (
        bearers.booth1.unit_id,
        6,
        3,
        0,
        2,
    )
    assert ReportedPost.objects.get().mentions == 1
    page = client.get(first["Location"])
    assert page.status_code == 200 and 'id="saved"' in page.content.decode()
    assert 'value="6"' in page.content.decode()  # the form shows the day's report to change


def test_fields_naming_another_unit_or_appointment_are_ignored(client, bearers):
    other = form(appointment=str(bearers.ajmer_booth.pk), unit=str(bearers.ajmer_booth.unit_id))
    assert client.post(url(bearers.booth1), other).status_code == 303
    assert list(ActivityReport.objects.values_list("appointment_id", "unit_id")) == [
        (bearers.booth1.pk, bearers.booth1.unit_id)
    ]


def test_tampered_foreign_and_expired_links(client, bearers):
    token = tokens.report_token(bearers.booth1.pk)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "nonsense", signing.dumps(bearers.booth1.pk, salt="sangathan.outreach.delivery")):
        page = client.get(reverse("controlroom_public:report", args=[bad]))
        assert page.status_code == 404 and "मान्य नहीं" in page.content.decode()
        assert client.post(reverse("controlroom_public:report", args=[bad]), form()).status_code == 404
    # Another app's token for the same id, or this app's token for a forged id: never a report.
    forged = signing.dumps(bearers.ajmer_booth.pk + 1000, salt=tokens.TOKEN_SALT)
    assert client.post(reverse("controlroom_public:report", args=[forged]), form()).status_code == 410
    later = timezone.now() + datetime.timedelta(days=91)
    path = url(bearers.booth1)  # made now, opened 91 days later
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        page = client.get(path)
        assert page.status_code == 410 and "समाप्त" in page.content.decode()
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.post(reverse("controlroom_public:report", args=[token]), form()).status_code == 410
    assert not ActivityReport.objects.exists()


def test_a_relieved_office_bearers_link_stops_working(client, bearers):
    path = url(bearers.booth1)
    org_services.appointment_relieve(appointment=bearers.booth1, reason="term over")
    assert client.get(path).status_code == 410
    assert client.post(path, form()).status_code == 410
    assert not ActivityReport.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"posts": "-3"}, "posts", "0 से कम"),
        ({"shares": "99999"}, "shares", "से अधिक"),
        ({"events": "दो"}, "events", "पूर्ण संख्या"),
        ({"urls": "https://www.facebook.com/BJP4Jaipur"}, "urls", "पोस्ट"),
        ({"urls": "https://example.com/a"}, "urls", "example.com"),
        ({"day": "2099-01-01"}, "day", "अभी आया नहीं"),
        ({"day": "2020-01-01"}, "day", "पिछले"),
        ({"day": "kal"}, "day", "दिन चुनें"),
    ],
)
def test_bad_input_gets_a_hindi_message_and_saves_nothing(client, bearers, values, field, words):
    page = client.post(url(bearers.booth1), form(**values))
    assert page.status_code == 400
    assert words in page.content.decode()
    assert not ActivityReport.objects.exists() and not ReportedPost.objects.exists()


def test_a_flood_is_stopped(client, bearers, settings):
    settings.CONTROLROOM_REPORT_RATE_LINK = "2/d"
    statuses = [client.post(url(bearers.booth2), form()).status_code for _ in range(4)]
    assert statuses[:2] == [303, 303] and statuses[2:] == [429, 429]
    assert ActivityReport.objects.filter(appointment=bearers.booth2).count() == 1


CORPUS = [
    "अ" * 5000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE controlroom_activityreport; --",
    '=HYPERLINK("http://x","y")',
    "Seema\x00Meena",
    "Seema\x1b[31mMeena",
    "सी\u200bमा\u202e",
    "     ",
]


@pytest.mark.parametrize("value", CORPUS, ids=range(len(CORPUS)))
@pytest.mark.parametrize("field", ["note", "urls", "posts", "day"])
def test_a_corpus_of_bad_input_never_breaks_the_form(client, bearers, field, value):
    response = client.post(url(bearers.booth1), form(**{field: value}))
    assert response.status_code in (303, 400)
    for report in ActivityReport.objects.all():
        assert "<" not in report.note and "\x00" not in report.note and "\x1b" not in report.note
