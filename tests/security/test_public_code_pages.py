"""The public pages that ask for a code to a mobile number and check it (the verification service's request
and confirm steps), beyond the status page (``test_bad_input.test_status_page_corpus``): the membership join
page ``/join/<code>/`` and the sign-in by code ``/welcome/code/``. Then ids no column can hold in the public
forms, and the privacy notice an applicant agrees to.

For each: a clear answer (a form error, a 4xx page), never a 500; nothing stored that should not be; no
number verified and nobody signed in without the code sent to the phone.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sangathan.membership import services as membership_services
from sangathan.membership.models import Member
from sangathan.notifications.models import OutboxMessage
from sangathan.recruitment.models import Application, Submission
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI
from sangathan.recruitment.tests.test_public import form_url, post_data
from sangathan.testing import sent_code
from tests.security.inputs import BAD_MOBILES, CORPUS, MOBILE, assert_clean_text, assert_no_raw_markup

pytestmark = pytest.mark.django_db

BAD_IDS = ["1" * 40, str(2**63), "-5"]
PENDING_RE = re.compile(r'name="pending" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def join_link(tree):
    return membership_services.referral_code_for_unit(unit=tree.jaipur)


def join_url(link) -> str:
    return reverse("membership_public:join", args=[link.code])


def join_form(**overrides) -> dict:
    from sangathan.membership.tests.test_public import form_data

    return form_data(**overrides)


# ---------------------------------------------------------------- the join page /join/<code>/


JOIN_FIELDS = ("name", "mobile", "age", "epic", "gender", "booth", "booth_q", "token", "step")


def test_join_page_corpus(client, join_link):
    """Every field of the sign-up step (the code request) with every bad value."""
    for field in JOIN_FIELDS:
        values = {**CORPUS, **BAD_MOBILES} if field == "mobile" else CORPUS
        for label, value in values.items():
            cache.clear()
            response = client.post(join_url(join_link), join_form(**{field: value}))
            where = f"/join/ {field}={label}"
            assert response.status_code in (200, 400, 413, 429), f"{where}: answered {response.status_code}"
            assert_no_raw_markup(response.content.decode(), value, where)
    for member in Member.objects.all():
        assert MOBILE.match(member.mobile), member.mobile
        assert_clean_text(member.name, f"member {member.pk}")
    assert not Member.objects.exclude(status=Member.Status.PENDING).exists()


def test_join_code_step_corpus(client, join_link):
    """The confirm step: the code, the signed note and the step itself, each with every bad value."""
    first = client.post(join_url(join_link), join_form(mobile="98290 31313"))
    pending = PENDING_RE.search(first.content.decode()).group(1)
    for label, value in CORPUS.items():
        for data in (
            {"step": "code", "pending": pending, "code": value},
            {"step": "code", "pending": value, "code": "123456"},
            {"step": "resend", "pending": value},
            {"step": value, "pending": pending, "code": value},
        ):
            cache.clear()
            response = client.post(join_url(join_link), data)
            where = f"/join/ code step {label} {sorted(data)}"
            assert response.status_code in (200, 400, 413, 429), f"{where}: answered {response.status_code}"
            html = response.content.decode()
            assert_no_raw_markup(html, value, where)
            assert 'id="member-done"' not in html, where
    assert not Member.objects.exclude(status=Member.Status.PENDING).exists()


def test_join_page_refuses_out_of_range_booth_ids(client, join_link):
    for bad in BAD_IDS:
        response = client.post(join_url(join_link), join_form(booth=bad, booth_q="1 · आमेर विद्यालय"))
        assert response.status_code == 200, bad
        assert "has-error" in response.content.decode() or "कृपया नीचे" in response.content.decode(), bad
        places = client.get(reverse("membership_public:places", args=[join_link.code]), {"q": bad})
        assert places.status_code == 200, bad
    assert not Member.objects.exists() and not OutboxMessage.objects.exists()


# ---------------------------------------------------------------- the sign-in by code /welcome/code/


def test_code_sign_in_corpus(client, tree, cast, settings):
    from sangathan.logins.tests.test_invitations import appoint

    settings.LOGIN_INVITATIONS = True
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)  # a login for +919829011111
    url = reverse("logins_public:code")
    for label, value in {**CORPUS, **BAD_MOBILES}.items():
        cache.clear()
        response = client.post(url, {"step": "send", "mobile": value})
        where = f"/welcome/code/ mobile={label}"
        assert response.status_code in (200, 400, 429), f"{where}: answered {response.status_code}"
        assert_no_raw_markup(response.content.decode(), value, where)
    assert not OutboxMessage.objects.filter(template="mobile_code").exists()
    cache.clear()
    client.post(url, {"step": "send", "mobile": "98290 11111"})
    right = sent_code("+919829011111")
    for label, value in CORPUS.items():
        for data in ({"step": "code", "code": value}, {"step": value, "code": right if label == "empty" else value}):
            cache.clear()
            response = client.post(url, data)
            where = f"/welcome/code/ code step {label} {sorted(data)}"
            assert response.status_code in (200, 400, 429), f"{where}: answered {response.status_code}"
            assert_no_raw_markup(response.content.decode(), value, where)
            assert "_auth_user_id" not in client.session, where


def test_a_sign_in_code_opens_only_the_browser_that_asked_for_it(client, tree, cast, settings):
    """Another browser that types the right code without having asked for it (a code read over someone's
    shoulder, a forwarded SMS) signs nobody in; the browser that asked still can."""
    from sangathan.logins.tests.test_invitations import appoint

    settings.LOGIN_INVITATIONS = True
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    url = reverse("logins_public:code")
    client.post(url, {"step": "send", "mobile": "98290 11111"})
    code = sent_code("+919829011111")
    stranger = Client()
    assert stranger.post(url, {"step": "code", "code": code}).status_code == 200  # starts over: no number asked
    stranger.post(url, {"step": "send", "mobile": "98290 22222"})  # a number of their own
    assert stranger.post(url, {"step": "code", "code": code}).status_code == 400
    assert "_auth_user_id" not in stranger.session
    assert client.post(url, {"step": "code", "code": code}).status_code == 302


# ---------------------------------------------------------------- the application form /a/<slug>/


@pytest.mark.parametrize("field", ["applied_for", "district", "assembly", "booth"])
def test_application_form_refuses_out_of_range_ids(client, campaign, tree, field):
    for bad in BAD_IDS:
        response = client.post(form_url(campaign), post_data(campaign, tree, **{field: bad}))
        assert response.status_code in (200, 400), f"{field}={bad}: answered {response.status_code}"
        assert 'class="errors"' in response.content.decode() or "has-error" in response.content.decode(), bad
    assert not Submission.objects.exists() and not Application.objects.exists()


def test_place_type_ahead_takes_out_of_range_numbers(client, campaign, tree):
    url = reverse("apply:places", args=[campaign.slug])
    for bad in BAD_IDS:
        for query in ({"level": "booth", "parent": bad, "q": "1"}, {"level": "booth", "q": bad}, {"level": bad}):
            assert client.get(url, query).status_code == 200, query


# ---------------------------------------------------------------- the privacy notice


def test_the_privacy_notice_says_a_code_is_needed_and_what_the_copy_holds(client, campaign):
    """The notice agreed to on the form tells how the data is reached (reference, number and a code sent to
    it) and that the copy holds only what was given as an applicant, without links or others' data."""
    assert "कोड" in DEFAULT_NOTICE_HI and "लिंक नहीं" in DEFAULT_NOTICE_HI
    assert "a code we send to that number" in DEFAULT_NOTICE_EN
    assert "only what you gave us as an applicant" in DEFAULT_NOTICE_EN and "no links" in DEFAULT_NOTICE_EN
    html = client.get(form_url(campaign)).content.decode()
    assert DEFAULT_NOTICE_HI.split("।")[-2].strip() in html
