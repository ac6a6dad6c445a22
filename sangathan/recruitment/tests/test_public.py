"""The public side of a recruitment drive: the form at /a/<slug>/, its type-ahead, the status page,
the QR code and the poster. No login anywhere here."""

import base64
import datetime
import io
import re
import secrets
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from sangathan.notifications.models import OutboxMessage
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Unit
from sangathan.org.tests.factories import make_unit, position
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, InterviewDay, InterviewSlot, Panel, Submission
from sangathan.recruitment.poster import clock_text, when_text
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI
from sangathan.testing import pdf_text, sent_code, squeeze, status_check

pytestmark = pytest.mark.django_db

INDIA = zoneinfo.ZoneInfo("Asia/Kolkata")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
FORM_URL = "http://testserver/a/rj-2026/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def form_url(campaign) -> str:
    return reverse("apply:form", args=[campaign.slug])


def post_data(campaign, tree, **overrides) -> dict:
    """What a browser posts for a complete, valid application (values as people type them)."""
    data = {
        "token": secrets.token_urlsafe(24),
        "applied_for": str(campaign.positions.get(position__code="representative").pk),
        "name_hi": "सीमा मीणा",
        "name_en": "Seema Meena",
        "mobile": "98290 55555",
        "email": "",
        "age": "27",
        "gender": "female",
        "district": str(tree.jaipur.pk),
        "district_q": "जयपुर",
        "assembly": str(tree.jaipur_ac.pk),
        "assembly_q": "45 · जयपुर उत्तर",
        "booth": str(tree.booth1.pk),
        "booth_q": "1 · आमेर विद्यालय",
        "social-TOTAL_FORMS": "3",
        "social-INITIAL_FORMS": "0",
        "social-MIN_NUM_FORMS": "0",
        "social-MAX_NUM_FORMS": "3",
        "social-0-platform": "x",
        "social-0-handle": "@seema_meena",
        "social-0-followers": "1,500",
        "social-1-platform": "instagram",
        "social-1-handle": "https://www.instagram.com/seema.meena/",
        "social-1-followers": "२५०",
        "social-2-platform": "",
        "social-2-handle": "",
        "social-2-followers": "",
        "occupation": "शिक्षिका",
        "education": "B.A.",
        "languages": ["hi", "en"],
        "other_languages": "राजस्थानी",
        "statement": "मैं संगठन के लिए काम करना चाहती हूँ।\r\nहर बूथ तक पहुँचना है।",
        "writing_sample": "हर बूथ हो मजबूत! 💪 #संगठन_सृजन",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def html_of(response) -> str:
    return response.content.decode()


def token_in(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


# ---------------------------------------------------------------- the form page


def test_form_is_in_hindi_by_default(client, campaign):
    response = client.get(form_url(campaign), HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = html_of(response)
    assert response.status_code == 200
    assert '<html lang="hi">' in html
    assert "संगठन सृजन अभियान" in html
    assert DEFAULT_NOTICE_HI[:40] in html
    assert "मोबाइल नंबर" in html
    assert 'lang="en">English</button>' in html  # the switch to English
    assert "बूथ प्रतिनिधि" in html and "जिला प्रभारी" in html
    assert len(token_in(html)) >= 30
    assert "no-store" in response["Cache-Control"]  # each visitor gets a token of their own


def test_each_visit_gets_its_own_token(client, campaign):
    first = token_in(html_of(client.get(form_url(campaign))))
    second = token_in(html_of(client.get(form_url(campaign))))
    assert first != second


def test_english_through_the_language_switch(client, campaign):
    response = client.post(reverse("set_language"), {"language": "en", "next": form_url(campaign)})
    assert response.status_code == 302 and response["Location"] == form_url(campaign)
    html = html_of(client.get(form_url(campaign)))
    assert '<html lang="en">' in html
    assert "Organisation-building drive" in html
    assert DEFAULT_NOTICE_EN[:40] in html
    assert "Booth representative" in html


def test_form_serves_nothing_from_elsewhere(client, campaign):
    html = html_of(client.get(form_url(campaign)))
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)


def test_form_page_weight_is_small(client, campaign):
    """HTML + CSS + JS of the form page, before any image: well under the 150 KB budget."""
    html = html_of(client.get(form_url(campaign)))
    total = len(html.encode())
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        total += Path(finders.find(asset)).stat().st_size
    assert total < 150 * 1024


def test_unknown_slug_is_404(client, campaign):
    assert client.get("/a/no-such-drive/").status_code == 404
    assert client.post("/a/no-such-drive/", {}).status_code == 404
    assert client.get("/a/no-such-drive/places/?level=district").status_code == 404
    assert client.get("/a/no-such-drive/qr.png").status_code == 404
    assert client.get("/a/no-such-drive/qr.svg").status_code == 404
    assert client.get("/a/no-such-drive/poster.pdf").status_code == 404


# ---------------------------------------------------------------- submitting


def test_valid_application_is_stored_and_shows_the_reference(client, campaign, tree):
    response = client.post(form_url(campaign), post_data(campaign, tree))
    assert response.status_code == 200
    application = Application.objects.get()
    assert application.reference in html_of(response)
    assert 'class="reference"' in html_of(response)
    assert application.mobile == "+919829055555"
    assert application.home_unit == tree.booth1
    assert application.applied_for.position.code == "representative"
    assert application.age == 27 and application.gender == "female"
    assert application.languages == ["hi", "en", "राजस्थानी"]
    assert application.social_accounts == [
        {"platform": "x", "handle": "@seema_meena", "followers": 1500},
        {"platform": "instagram", "handle": "https://www.instagram.com/seema.meena/", "followers": 250},
    ]
    assert application.followers_total == 1750
    assert application.statement == "मैं संगठन के लिए काम करना चाहती हूँ।\nहर बूथ तक पहुँचना है।"
    assert "💪" in application.writing_sample  # emoji are fine in a social-media post
    assert application.consent_version == campaign.notice_version
    assert OutboxMessage.objects.filter(template="application_received").count() == 1


def test_form_query_counts(client, campaign, tree, django_assert_max_num_queries):
    """The form and its POST touch the tree a fixed number of times, whatever the rows and places
    (embedded mode: the POST also makes the application; with a worker see test_intake.py)."""
    data = post_data(campaign, tree)
    with django_assert_max_num_queries(5):
        client.get(form_url(campaign))
    with django_assert_max_num_queries(22):  # in savepoints here
        client.post(form_url(campaign), data)
    assert Application.objects.count() == 1


def test_the_form_works_with_csrf_checks(campaign, tree):
    browser = Client(enforce_csrf_checks=True)
    html = html_of(browser.get(form_url(campaign)))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = post_data(campaign, tree, token=token_in(html), csrfmiddlewaretoken=csrf)
    assert browser.post(form_url(campaign), data).status_code == 200
    assert Application.objects.count() == 1


def test_same_token_twice_is_one_application(client, campaign, tree):
    data = post_data(campaign, tree)
    first = client.post(form_url(campaign), data)
    second = client.post(form_url(campaign), data)
    assert Application.objects.count() == 1 and Submission.objects.count() == 1
    reference = Application.objects.get().reference
    assert reference in html_of(first) and reference in html_of(second)
    assert OutboxMessage.objects.filter(template="application_received").count() == 1


def test_same_mobile_again_changes_the_application_only_once_its_owner_confirms(client, campaign, tree):
    client.post(form_url(campaign), post_data(campaign, tree))
    response = client.post(form_url(campaign), post_data(campaign, tree, name_en="Seema M", mobile="+91 98290-55555"))
    application = Application.objects.get()
    assert application.name_en == "Seema Meena" and application.reference not in html_of(response)
    later = Submission.objects.order_by("pk").last()
    # The owner reads the later form's reference in the SMS and confirms with the code sent to the number.
    html = html_of(status_check(client, reference=later.reference, mobile="9829055555"))
    application.refresh_from_db()
    assert application.name_en == "Seema M" and 'id="status-result"' in html
    assert [e.kind for e in application.events.all()] == ["submitted", "held", "confirmed"]


def test_a_used_token_with_another_mobile_stores_nothing_and_asks_again(client, campaign, tree):
    data = post_data(campaign, tree)
    client.post(form_url(campaign), data)
    response = client.post(form_url(campaign), {**data, "mobile": "98290 66666", "name_en": "Ramesh"})
    html = html_of(response)
    assert Application.objects.count() == 1
    assert Application.objects.get().name_en == "Seema Meena"
    assert 'class="errors"' in html and 'value="Ramesh"' in html
    assert token_in(html) != data["token"]


def test_district_post_needs_no_booth(client, campaign, tree):
    in_charge = campaign.positions.get(position__code="in_charge")
    data = post_data(campaign, tree, applied_for=str(in_charge.pk), booth="", booth_q="")
    assert client.post(form_url(campaign), data).status_code == 200
    assert Application.objects.get().home_unit == tree.jaipur_ac


def test_booth_post_needs_the_booth(client, campaign, tree):
    response = client.post(form_url(campaign), post_data(campaign, tree, booth="", booth_q=""))
    assert not Application.objects.exists()
    html = html_of(response)
    booth_box = html[html.index('data-step="booth"') :]
    assert 'class="error"' in booth_box[: booth_box.index("</div>\n      \n")]


# Each case: (what is posted, the field whose box shows the error). The value typed must come back.
BAD_INPUT = {
    "name too long": ({"name_hi": "क" * 121}, "name_hi"),
    "no name at all": ({"name_hi": "", "name_en": ""}, "name_hi"),
    "Latin in the Hindi name": ({"name_hi": "Seema"}, "name_hi"),
    "emoji in a name": ({"name_en": "Seema 😀"}, "name_en"),
    "script in a name": ({"name_en": "<script>alert(1)</script>"}, "name_en"),
    "NUL byte in a name": ({"name_en": "See\x00ma"}, "name_en"),
    "NUL byte in the statement": ({"statement": "a\x00b"}, "statement"),
    "HTML in the statement": ({"statement": '<a href="http://x">click</a>'}, "statement"),
    "statement too long": ({"statement": "श" * 2001}, "statement"),
    "writing sample too long": ({"writing_sample": "x" * 2001}, "writing_sample"),
    "statement missing": ({"statement": ""}, "statement"),
    "writing sample missing": ({"writing_sample": None}, "writing_sample"),
    "occupation too long": ({"occupation": "o" * 121}, "occupation"),
    "mobile too short": ({"mobile": "12345"}, "mobile"),
    "mobile not Indian": ({"mobile": "+1 202 555 0100"}, "mobile"),
    "mobile a landline": ({"mobile": "0141 222 3333"}, "mobile"),
    "mobile missing": ({"mobile": None}, "mobile"),
    "mobile far too long": ({"mobile": "9" * 500}, "mobile"),
    "email wrong": ({"email": "seema-at-example"}, "email"),
    "age words": ({"age": "twenty"}, "age"),
    "age too young": ({"age": "15"}, "age"),
    "age too old": ({"age": "101"}, "age"),
    "age fraction": ({"age": "2.5e1"}, "age"),
    "age huge": ({"age": "9" * 5000}, "age"),
    "age missing": ({"age": None}, "age"),
    "gender unknown": ({"gender": "robot"}, "gender"),
    "language unknown": ({"languages": ["hi", "xx"]}, "languages"),
    "too many other languages": ({"other_languages": "a, b, c, d, e, f"}, "other_languages"),
    "followers negative": ({"social-0-followers": "-5"}, "social-0-followers"),
    "followers not a number": ({"social-0-followers": "1.5k"}, "social-0-followers"),
    "followers absurd": ({"social-0-followers": "99999999999"}, "social-0-followers"),
    "handle with spaces": ({"social-0-handle": "seema meena"}, "social-0-handle"),
    "link of another platform": ({"social-0-handle": "https://facebook.com/seema"}, "social-0-handle"),
    "javascript link": ({"social-1-handle": "javascript:alert(1)//instagram.com"}, "social-1-handle"),
    "handle without platform": ({"social-2-handle": "@seema2"}, "social-2-platform"),
    "platform without handle": ({"social-2-platform": "youtube"}, "social-2-handle"),
    "platform unknown": ({"social-0-platform": "myspace"}, "social-0-platform"),
    "post not a number": ({"applied_for": "abc"}, "applied_for"),
    "post unknown": ({"applied_for": "999999"}, "applied_for"),
    "post missing": ({"applied_for": None}, "applied_for"),
    "district not a number": ({"district": "abc"}, "district_q"),
    "district missing": ({"district": "", "district_q": "Jaipur"}, "district_q"),
    "consent missing": ({"consent": None}, "consent"),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_stored(client, campaign, tree, case):
    overrides, field = case
    response = client.post(form_url(campaign), post_data(campaign, tree, **overrides))
    html = html_of(response)
    assert response.status_code == 200
    assert not Application.objects.exists() and not OutboxMessage.objects.exists()
    assert 'id="form-errors"' in html
    assert_error_at(html, field)
    assert "<script>alert(1)</script>" not in html
    # Everything else typed is still in the form.
    assert 'value="Seema Meena"' in html or "name_en" in overrides
    assert "हर बूथ हो मजबूत! 💪" in html or "writing_sample" in overrides
    assert 'value="@seema_meena"' in html or "social-0-handle" in overrides


def assert_error_at(html: str, field: str) -> None:
    """The error paragraph sits in the same .field box as the input named ``field``."""
    at = html.index(f'name="{field}"')
    start = html.rindex('<div class="field', 0, at)
    box = html[start : html.index('<div class="field', at) if '<div class="field' in html[at:] else None]
    assert "has-error" in box[:80] and '<p class="error">' in box, box[:600]


def test_typed_values_are_kept_when_there_are_errors(client, campaign, tree):
    data = post_data(campaign, tree, age="abc", email="seema@example.org", occupation="किसान <नेता>")
    html = html_of(client.post(form_url(campaign), data))
    for kept in ['value="सीमा मीणा"', 'value="98290 55555"', 'value="seema@example.org"', 'value="abc"']:
        assert kept in html
    assert 'value="किसान &lt;नेता&gt;"' in html
    assert "मैं संगठन के लिए काम करना चाहती हूँ।" in html
    assert 'value="1 · आमेर विद्यालय"' in html  # the chosen booth stays chosen
    assert f'name="booth" id="id_booth" value="{tree.booth1.pk}"' in html
    assert 'value="hi" checked' in html.replace('checked id="id_languages_0"', 'checked"') or re.search(
        r'<input type="checkbox" name="languages" value="hi"[^>]*checked', html
    )
    assert 'name="consent" checked' in html or re.search(r'name="consent"[^>]*checked', html)


def test_errors_are_in_the_users_language(client, campaign, tree):
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, mobile="12345")))
    assert "10 अंकों का सही भारतीय मोबाइल नंबर दर्ज करें।" in html
    client.cookies["django_language"] = "en"
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, mobile="12345")))
    assert "Enter a valid 10-digit Indian mobile number." in html


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"token": "x" * 10_000},
        {"age": ["1", "2"], "applied_for": ["x", "y"]},
        {"social-TOTAL_FORMS": "1000", "social-INITIAL_FORMS": "abc"},
        {"social-TOTAL_FORMS": "-1"},
        {"district": "1" * 30, "assembly": "\x00", "booth": "-1"},
        {"languages": "\x00", "gender": "\x00", "consent": "\x00"},
    ],
    ids=["empty", "huge token", "lists", "formset tampered", "negative rows", "odd ids", "NUL everywhere"],
)
def test_broken_posts_never_fail(client, campaign, tree, data):
    response = client.post(form_url(campaign), data)
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_missing_token_stores_nothing_and_gives_a_new_one(client, campaign, tree):
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, token=None)))
    assert not Application.objects.exists()
    assert 'id="form-errors"' in html and len(token_in(html)) >= 30


def test_form_without_social_rows_is_accepted(client, campaign, tree):
    data = {k: v for k, v in post_data(campaign, tree).items() if not k.startswith("social-")}
    client.post(form_url(campaign), data)
    assert Application.objects.get().social_accounts == []


def test_home_outside_the_campaign_is_refused(client, campaign, tree):
    gujarat = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    surat = make_unit(gujarat, "district", "Surat", name_hi="सूरत")
    surat_ac = make_unit(surat, "assembly", "Surat East", number=159)
    surat_booth = make_unit(make_unit(surat_ac, "block", "Chorasi"), "booth", "Varachha", number=7)
    data = post_data(campaign, tree, district=str(surat.pk), assembly=str(surat_ac.pk), booth=str(surat_booth.pk))
    html = html_of(client.post(form_url(campaign), data))
    assert not Application.objects.exists()
    assert_error_at(html, "district_q")


def test_places_must_hang_together(client, campaign, tree):
    """An assembly outside the chosen district, or a booth outside the chosen assembly, is refused."""
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, assembly=str(tree.ajmer_ac.pk))))
    assert_error_at(html, "assembly_q")
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, booth=str(tree.ajmer_booth.pk))))
    assert_error_at(html, "booth_q")
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, booth=str(tree.amer.pk))))
    assert_error_at(html, "booth_q")  # a block is not a booth
    assert not Application.objects.exists()


def test_post_of_another_campaign_is_refused(client, campaign, tree, rubric):
    other = services.campaign_create(
        scope_unit=tree.rajasthan,
        title_hi="दूसरा अभियान",
        title_en="Another drive",
        slug="other-2026",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=5),
        rubric=rubric,
        positions=[(position("booth", "representative"), None)],
        reference_prefix="OT",
        notice_hi="सूचना",
        notice_en="Notice",
    )
    foreign = other.positions.get()
    html = html_of(client.post(form_url(campaign), post_data(campaign, tree, applied_for=str(foreign.pk))))
    assert not Application.objects.exists()
    assert_error_at(html, "applied_for")


def test_a_district_campaign_asks_only_below_the_district(client, campaign, tree, rubric):
    jaipur = services.campaign_create(
        scope_unit=tree.jaipur,
        parent=campaign,
        title_hi="जयपुर अभियान",
        title_en="Jaipur drive",
        slug="jaipur-2026",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=5),
        rubric=rubric,
        positions=[(position("booth", "representative"), None)],
        reference_prefix="JP",
        notice_hi="सूचना",
        notice_en="Notice",
    )
    html = html_of(client.get(form_url(jaipur)))
    assert 'data-step="district"' not in html and "जयपुर" in html
    assert "checked" in html[html.index('name="applied_for"') - 200 :][:400]  # the only post is chosen
    data = post_data(jaipur, tree, district=None, district_q=None)
    response = client.post(form_url(jaipur), data)
    assert Application.objects.get().home_unit == tree.booth1
    assert "JP-" in html_of(response)
    # A booth of the sibling district is not in this campaign.
    data = post_data(jaipur, tree, mobile="98290 77777", assembly=str(tree.ajmer_ac.pk), booth=str(tree.ajmer_booth.pk))
    assert_error_at(html_of(client.post(form_url(jaipur), data)), "assembly_q")
    assert Application.objects.count() == 1


# ---------------------------------------------------------------- honeypot, closed, rate limits


def test_honeypot_looks_like_success_and_stores_nothing(client, campaign, tree):
    response = client.post(form_url(campaign), post_data(campaign, tree, website="http://spam.example"))
    html = html_of(response)
    assert response.status_code == 200
    assert re.search(r'class="reference" id="reference">RJ-2026-[2-9A-Z]{4}<', html)
    assert not Application.objects.exists() and not Submission.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_honeypot_is_hidden_from_people(client, campaign):
    html = html_of(client.get(form_url(campaign)))
    assert re.search(
        r'<div class="hp" aria-hidden="true">\s*<label[^>]*>[^<]*</label>\s*<input type="text" name="website"', html
    )
    assert 'tabindex="-1"' in html


def test_closed_campaign_shows_dates_and_no_form(client, campaign, tree):
    campaign.opens_at = datetime.datetime(2025, 10, 1, 10, 0, tzinfo=INDIA)
    campaign.closes_at = datetime.datetime(2025, 11, 15, 17, 0, tzinfo=INDIA)
    campaign.save()
    response = client.get(form_url(campaign))
    html = html_of(response)
    assert response.status_code == 200
    assert 'id="apply-form"' not in html and 'name="token"' not in html
    assert "15 नवंबर 2025" in html and "1 अक्टूबर 2025" in html
    response = client.post(form_url(campaign), post_data(campaign, tree))
    assert "15 नवंबर 2025" in html_of(response)
    assert not Application.objects.exists()


def test_after_the_deadline_nothing_is_stored(client, campaign, tree):
    campaign.opens_at = timezone.now() - datetime.timedelta(days=30)
    campaign.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    campaign.save()
    html = html_of(client.get(form_url(campaign)))
    assert 'name="token"' not in html and 'id="apply-form"' not in html
    assert when_text(campaign.closes_at) in html
    response = client.post(form_url(campaign), post_data(campaign, tree))
    assert response.status_code == 200 and 'id="apply-form"' not in html_of(response)
    assert not Application.objects.exists() and not OutboxMessage.objects.exists()


def test_before_opening_nothing_is_stored(client, campaign, tree):
    campaign.opens_at = timezone.now() + datetime.timedelta(days=2)
    campaign.closes_at = timezone.now() + datetime.timedelta(days=9)
    campaign.save()
    with translation.override("hi"):
        opens = when_text(campaign.opens_at)
    html = html_of(client.get(form_url(campaign)))
    assert 'id="apply-form"' not in html and opens in html
    client.post(form_url(campaign), post_data(campaign, tree))
    assert not Application.objects.exists()


def test_rate_limit_per_ip(client, campaign, tree, settings):
    settings.RECRUITMENT_APPLY_RATE_IP = "2/h"
    for mobile in ("98290 11111", "98290 22222"):
        assert client.post(form_url(campaign), post_data(campaign, tree, mobile=mobile)).status_code == 200
    response = client.post(form_url(campaign), post_data(campaign, tree, mobile="98290 33333"))
    assert response.status_code == 429
    assert "<h1>" in html_of(response) and '<html lang="hi">' in html_of(response)
    assert Application.objects.count() == 2
    # Another address is not affected.
    other = client.post(form_url(campaign), post_data(campaign, tree, mobile="98290 44444"), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200 and Application.objects.count() == 3


def test_rate_limit_per_mobile(client, campaign, tree, settings):
    settings.RECRUITMENT_APPLY_RATE_MOBILE = "2/h"
    for i in range(2):
        client.post(
            form_url(campaign), post_data(campaign, tree, name_en=f"Seema {'ABC'[i]}"), REMOTE_ADDR=f"10.0.0.{i}"
        )
    response = client.post(form_url(campaign), post_data(campaign, tree, name_en="Seema Z"), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert Application.objects.get().name_en == "Seema A"  # the later form is held for the owner to confirm
    assert Submission.objects.count() == 2
    assert OutboxMessage.objects.count() == 2
    # The same number typed differently is the same number.
    response = client.post(
        form_url(campaign), post_data(campaign, tree, mobile="+91-9829055555"), REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429
    assert client.post(form_url(campaign), post_data(campaign, tree, mobile="98290 66666")).status_code == 200


# ---------------------------------------------------------------- the type-ahead


def places(client, campaign, **params):
    response = client.get(reverse("apply:places", args=[campaign.slug]), params)
    assert response.status_code == 200
    return dict(re.findall(r'data-pick="(\d+)" data-label="([^"]*)"', html_of(response)))


def test_typeahead_lists_districts_of_the_campaign(client, campaign, tree):
    gujarat = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    make_unit(gujarat, "district", "Surat", name_hi="सूरत")
    assert set(places(client, campaign, level="district")) == {str(tree.jaipur.pk), str(tree.ajmer.pk)}
    assert set(places(client, campaign, level="district", q="जय")) == {str(tree.jaipur.pk)}
    assert set(places(client, campaign, level="district", q="AJM")) == {str(tree.ajmer.pk)}
    assert places(client, campaign, level="district", q="surat") == {}


def test_typeahead_by_parent_level_and_number(client, campaign, tree):
    booths = places(client, campaign, level="booth", parent=tree.jaipur_ac.pk)
    assert set(booths) == {str(tree.booth1.pk), str(tree.booth2.pk)}
    assert booths[str(tree.booth2.pk)] == "2 · आमेर किला द्वार"
    assert set(places(client, campaign, level="booth", parent=tree.jaipur_ac.pk, q="2")) == {str(tree.booth2.pk)}
    assert set(places(client, campaign, level="booth", parent=tree.jaipur_ac.pk, q="२")) == {str(tree.booth2.pk)}
    assert set(places(client, campaign, level="assembly", q="45")) == {str(tree.jaipur_ac.pk)}
    assert set(places(client, campaign, level="assembly", parent=tree.ajmer.pk)) == {str(tree.ajmer_ac.pk)}
    # A place picked before comes back as its label; it finds itself again.
    assert set(places(client, campaign, level="assembly", q="45 · जयपुर उत्तर")) == {str(tree.jaipur_ac.pk)}
    # Only the requested level: a block never shows up as a booth.
    assert str(tree.amer.pk) not in places(client, campaign, level="booth", q="Amer")


def test_typeahead_never_leaves_the_campaign(client, campaign, tree, rubric):
    gujarat = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    surat = make_unit(gujarat, "district", "Surat", name_hi="सूरत")
    make_unit(surat, "assembly", "Surat East", number=159)
    # A parent outside the campaign is ignored: the search stays inside Rajasthan.
    assert set(places(client, campaign, level="assembly", parent=surat.pk)) == {
        str(tree.jaipur_ac.pk),
        str(tree.ajmer_ac.pk),
    }
    assert places(client, campaign, level="state") == {}
    assert places(client, campaign, level="national") == {}
    assert places(client, campaign, level="") == {}


def test_typeahead_gives_at_most_twenty(client, campaign, tree, django_assert_max_num_queries):
    for number in range(3, 28):
        make_unit(tree.amer, "booth", f"Booth {number}", number=number)
    with django_assert_max_num_queries(5):
        response = client.get(
            reverse("apply:places", args=[campaign.slug]), {"level": "booth", "parent": tree.jaipur_ac.pk}
        )
    assert html_of(response).count("data-pick=") == 20
    assert 'class="note"' in html_of(response)  # "type more letters"
    assert len(places(client, campaign, level="booth", q="booth 1")) == 10  # 10..19


def test_ids_are_never_written_with_digit_grouping(rf, campaign, tree):
    """At national scale ids run into lakhs: 1050000 must not come out as "10,50,000" in the page."""
    from sangathan.recruitment.forms_public import ApplicationForm, place_steps
    from sangathan.recruitment.views_public import _render_form

    def big(unit, pk):
        return Unit(pk=pk, path=unit.path, level=unit.level, name_hi=unit.name_hi, number=unit.number)

    html = render_to_string(
        "recruitment/public/partials/places.html", {"units": [big(tree.booth1, 1050001)], "step": None}
    )
    assert 'data-pick="1050001"' in html
    form = ApplicationForm(campaign=campaign, steps=place_steps(campaign))
    form.chosen = {"district": big(tree.jaipur, 1050002), "assembly": big(tree.jaipur_ac, 1050003)}
    with translation.override("hi"):
        html = html_of(_render_form(rf.get(form_url(campaign)), form, token="t" * 32))
    assert 'id="id_district" value="1050002"' in html and 'id="id_assembly" value="1050003"' in html
    assert '"parent": "1050002"' in html and '"parent": "1050003"' in html
    assert "10,50,00" not in html


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "%", "_", "' OR 1=1 --", "<script>", "x" * 5000, "😀", "٣"])
def test_typeahead_never_fails(client, campaign, q):
    response = client.get(reverse("apply:places", args=[campaign.slug]), {"level": "district", "q": q, "parent": q})
    assert response.status_code == 200
    assert "<script>" not in html_of(response)


# ---------------------------------------------------------------- status


def test_status_found(client, campaign, submit):
    application, _ = submit()
    response = status_check(client, reference=application.reference.lower(), mobile="9829055555")
    html = html_of(response)
    assert 'id="status-result"' in html and application.reference in html
    assert "बूथ प्रतिनिधि" in html


def test_status_shows_the_interview(client, campaign, submit):
    application, _ = submit()
    day = InterviewDay.objects.create(campaign=campaign, date=datetime.date(2026, 12, 3), venue="प्रदेश मुख्यालय, जयपुर")
    # What interviews_schedule leaves behind (built directly: the test is about the page).
    InterviewSlot.objects.create(
        panel=Panel.objects.create(day=day, name="A"),
        starts_at=datetime.datetime(2026, 12, 3, 11, 0, tzinfo=INDIA),
        application=application,
    )
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SCHEDULED)
    client.cookies["django_language"] = "en"
    html = html_of(status_check(client, reference=application.reference, mobile="+91 98290 55555"))
    assert "Interview scheduled" in html
    assert "3 December 2026, 11 am" in html
    assert "प्रदेश मुख्यालय, जयपुर" in html


def test_status_asks_for_the_code_and_says_the_same_whether_or_not_the_pair_matches(client, campaign, submit):
    application, _ = submit()

    def first_step(reference, mobile):
        response = client.post(reverse("apply:status"), {"step": "lookup", "reference": reference, "mobile": mobile})
        html = html_of(response)
        assert 'id="status-code"' in html and 'id="status-result"' not in html and application.name not in html
        return re.sub(r'name="(pending|csrfmiddlewaretoken)" value="[^"]+"', "", html)

    right = first_step(application.reference, "9829055555")
    wrong_mobile = first_step(application.reference, "9829066666")
    wrong_reference = first_step("RJ-2026-ZZZZ", "9829055555")
    assert wrong_reference == right  # the same page, byte for byte
    assert wrong_mobile.replace(mask_mobile("+919829066666"), "X") == right.replace(mask_mobile("+919829055555"), "X")
    # Only the matching pair sends a code, and only to the number the application was made with.
    assert list(OutboxMessage.objects.filter(template="mobile_code").values_list("recipient", flat=True)) == [
        "+919829055555"
    ]


def test_status_a_wrong_code_shows_nothing(client, campaign, submit):
    application, _ = submit()
    response = status_check(client, reference=application.reference, mobile="9829055555", code="000000")
    if sent_code("+919829055555") == "000000":  # one in a million: the right code
        return
    html = html_of(response)
    assert 'id="status-result"' not in html and application.name not in html and 'class="error"' in html


@pytest.mark.parametrize(
    "data", [{}, {"reference": "\x00", "mobile": "\x00"}, {"reference": "x" * 500, "mobile": "9" * 500}]
)
def test_status_bad_input_never_fails(client, data):
    response = client.post(reverse("apply:status"), data)
    assert response.status_code == 200 and 'class="error"' in html_of(response)


def test_status_is_rate_limited(client, campaign, submit, settings):
    settings.RECRUITMENT_STATUS_RATE_IP = "3/h"
    application, _ = submit()
    for _ in range(3):
        client.post(reverse("apply:status"), {"reference": "RJ-2026-ZZZZ", "mobile": "9829055555"})
    response = client.post(reverse("apply:status"), {"reference": application.reference, "mobile": "9829055555"})
    assert response.status_code == 429 and application.reference not in html_of(response)
    assert not OutboxMessage.objects.filter(template="mobile_code").exists()


# ---------------------------------------------------------------- QR code and poster


def decode(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_qr_png_decodes_to_the_form_url(client, campaign):
    response = client.get(reverse("apply:qr_png", args=[campaign.slug]))
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    [barcode] = zxingcpp.read_barcodes(image)
    assert barcode.text == FORM_URL
    assert barcode.ec_level == "Q"
    # A quiet zone of four white modules all round (10 px per module).
    border = image.convert("L").crop((0, 0, image.width, 40))
    assert border.getextrema() == (255, 255)


def test_qr_svg_decodes_to_the_form_url(client, campaign, tmp_path):
    """Draw the SVG (through WeasyPrint and pdftoppm, as the poster does) and read it back."""
    from weasyprint import HTML

    response = client.get(reverse("apply:qr_svg", args=[campaign.slug]))
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    uri = "data:image/svg+xml;base64," + base64.b64encode(response.content).decode()
    (tmp_path / "qr.pdf").write_bytes(HTML(string=f'<img src="{uri}" style="width:80mm">').write_pdf())
    assert decode(pdf_page_image(tmp_path / "qr.pdf", tmp_path / "qr", dpi=150)) == [FORM_URL]


def test_qr_follows_the_host_the_link_is_opened_on(client, campaign, settings):
    settings.ALLOWED_HOSTS = ["sangathan.example.org"]
    response = client.get(reverse("apply:qr_png", args=[campaign.slug]), HTTP_HOST="sangathan.example.org")
    assert decode(Image.open(io.BytesIO(response.content))) == ["http://sangathan.example.org/a/rj-2026/"]


def pdf_page_image(pdf: Path, stem: Path, dpi: int) -> Image.Image:
    subprocess.run(  # noqa: S603
        [shutil.which("pdftoppm"), "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    return Image.open(f"{stem}.png")


def test_poster_is_an_a4_pdf_with_title_deadline_link_and_code(client, campaign, tmp_path):
    campaign.opens_at = datetime.datetime(2026, 10, 1, 10, 0, tzinfo=INDIA)
    campaign.closes_at = datetime.datetime(2026, 11, 15, 17, 0, tzinfo=INDIA)
    campaign.save()
    response = client.get(reverse("apply:poster", args=[campaign.slug]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    squeezed = squeeze(pdf_text(response.content))
    assert "संगठनसृजनअभयान" in squeezed and "Organisation-buildingdrive" in squeezed
    assert "15नवंबर2026" in squeezed and "15November2026,5pm" in squeezed
    assert "testserver/a/rj-2026/" in squeezed
    assert "बूथप्रतनध" in squeezed and "जलाप्रभारी" in squeezed
    info = subprocess.run(  # noqa: S603
        [shutil.which("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info
    # The printed code scans to the form; a small picture of the page is kept to look at.
    assert decode(pdf_page_image(pdf, tmp_path / "poster-100", dpi=100)) == [FORM_URL]
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_page_image(pdf, ARTIFACTS / "poster-a4-hi", dpi=50)


def test_poster_is_drawn_once_and_then_served_from_the_cache(client, campaign, settings):
    settings.RECRUITMENT_POSTER_RATE_IP = "1/h"
    url = reverse("apply:poster", args=[campaign.slug])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    campaign.title_hi = "नया शीर्षक"
    campaign.save()
    assert client.get(url).status_code == 429  # a new poster would be drawn: that counts


def test_deadline_in_words():
    five_pm = datetime.datetime(2026, 11, 15, 17, 0, tzinfo=INDIA)
    with translation.override("en"):
        assert when_text(five_pm) == "15 November 2026, 5 pm"
        assert when_text(five_pm.astimezone(datetime.UTC)) == "15 November 2026, 5 pm"
        assert clock_text(datetime.datetime(2026, 1, 1, 0, 0, tzinfo=INDIA)) == "12 am"
        assert clock_text(datetime.datetime(2026, 1, 1, 12, 30, tzinfo=INDIA)) == "12:30 pm"
        assert clock_text(datetime.datetime(2026, 1, 1, 9, 5, tzinfo=INDIA)) == "9:05 am"
    with translation.override("hi"):
        assert when_text(five_pm).startswith("15 नवंबर 2026, ")


def test_status_refuses_a_fourth_code_an_hour_for_a_number_kindly(client, campaign, submit):
    application, _ = submit()
    for _ in range(3):
        client.post(reverse("apply:status"), {"reference": application.reference, "mobile": "9829055555"})
    response = client.post(reverse("apply:status"), {"reference": application.reference, "mobile": "9829055555"})
    assert response.status_code == 200 and "एक घंटे बाद" in html_of(response)
    assert OutboxMessage.objects.filter(template="mobile_code").count() == 3
