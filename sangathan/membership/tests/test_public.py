"""The public join page, written as an attacker would try it: floods, guesses, replays, someone else's
number, a tampered note, bad input in every field. And the honest path: form → code → member, card,
check page, "not me"."""

import re
import secrets

import pytest
from django.test import override_settings
from django.urls import reverse

from sangathan.membership import services
from sangathan.membership.card import member_number as card_number
from sangathan.membership.models import Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import pdf_text, sent_code
from sangathan.verification.models import MobileChallenge

pytestmark = pytest.mark.django_db

PENDING_RE = re.compile(r'name="pending" value="([^"]+)"')


def join_url(code) -> str:
    return reverse("membership_public:join", args=[code.code if hasattr(code, "code") else code])


def form_data(**overrides) -> dict:
    data = {
        "step": "join",
        "token": secrets.token_urlsafe(24),
        "name": "सीमा मीणा",
        "mobile": "98290 11111",
        "age": "30",
        "epic": "",
        "gender": "female",
        "booth": "",
        "booth_q": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def html(response) -> str:
    return response.content.decode()


def pending_of(response) -> str:
    found = PENDING_RE.search(html(response))
    assert found, html(response)[:2000]
    return found.group(1)


def confirm(client, link, response, code):
    return client.post(join_url(link), {"step": "code", "pending": pending_of(response), "code": code})


@pytest.fixture
def unit_link(tree):
    return services.referral_code_for_unit(unit=tree.booth1)


@pytest.fixture
def jaipur_link(tree):
    return services.referral_code_for_unit(unit=tree.jaipur)


# ---------------------------------------------------------------- the honest path


def test_the_join_page_is_hindi_first_and_names_the_unit(client, unit_link):
    page = html(client.get(join_url(unit_link)))
    assert "सदस्य बनें" in page and "आमेर विद्यालय" in page
    assert 'name="consent"' in page and "वोटर आईडी" in page


def test_joining_with_a_referral_link_verifies_with_the_code_and_counts_for_the_referrer(client, tree, referral):
    first = client.post(join_url(referral), form_data())
    assert first.status_code == 200 and "98•••••111" in html(first)
    member = Member.objects.get(mobile="+919829011111")
    assert member.status == "pending" and member.referred_by == referral and member.unit == tree.booth1
    assert member.notice.version == 1 and member.consent_at is not None
    referral.refresh_from_db()
    assert referral.verified_count == 0

    done = confirm(client, referral, first, sent_code("+919829011111"))
    assert done.status_code == 200 and 'id="member-done"' in html(done)
    member.refresh_from_db()
    assert member.status == "verified"
    referral.refresh_from_db()
    assert referral.verified_count == 1 and counts_for_unit(tree.jaipur).verified == 1

    card_url = re.search(r'id="card-link" href="([^"]+)"', html(done)).group(1)
    card = client.get(card_url)
    assert card.status_code == 200 and card["Content-Type"] == "application/pdf"
    text = pdf_text(card.content)
    assert card_number(member) in text and "सीमा मीणा" in text and "सदस्यता कार्ड" in text


def test_a_booth_is_picked_under_the_links_unit_or_the_unit_itself_is_kept(client, tree, jaipur_link):
    places = client.get(reverse("membership_public:places", args=[jaipur_link.code]), {"q": "आमेर"})
    assert "आमेर विद्यालय" in html(places) and "किशनगढ़" not in html(places)
    client.post(join_url(jaipur_link), form_data(mobile="98290 22222", booth=str(tree.booth2.pk)))
    assert Member.objects.get(mobile="+919829022222").unit == tree.booth2
    client.post(join_url(jaipur_link), form_data(mobile="98290 33333"))
    assert Member.objects.get(mobile="+919829033333").unit == tree.jaipur
    assert counts_for_unit(tree.jaipur).pending == 2


def test_a_booth_outside_the_links_unit_is_refused(client, tree, jaipur_link):
    page = client.post(join_url(jaipur_link), form_data(booth=str(tree.ajmer_booth.pk), booth_q="किशनगढ़"))
    assert "सूची में से चुनें" in html(page) and not Member.objects.exists()


def test_an_unknown_or_inactive_link_is_a_kind_404(client, referral):
    assert client.get("/join/ZZZZZZZ/").status_code == 404
    referral.is_active = False
    referral.save()
    assert client.get(join_url(referral)).status_code == 404
    assert client.post(join_url(referral), form_data()).status_code == 404
    assert not Member.objects.exists()


# ---------------------------------------------------------------- attacks


def test_the_same_mobile_twice_gets_the_same_page_and_one_member(client, tree, unit_link):
    first = client.post(join_url(unit_link), form_data(mobile="98290 44444"))
    confirm(client, unit_link, first, sent_code("+919829044444"))
    again = client.post(join_url(unit_link), form_data(mobile="98290 44444", name="Someone Else"))
    fresh = client.post(join_url(unit_link), form_data(mobile="98290 55555"))
    strip = re.compile(r'name="(?:pending|csrfmiddlewaretoken)" value="[^"]+"|98•••••\d{3}')
    assert strip.sub("", html(again)) == strip.sub("", html(fresh))  # no oracle of who is a member
    assert Member.objects.filter(mobile="+919829044444").count() == 1
    assert Member.objects.get(mobile="+919829044444").name == "सीमा मीणा"
    assert counts_for_unit(tree.india).verified == 1


def test_a_double_click_or_a_retried_post_makes_one_member_and_one_code(client, unit_link):
    data = form_data(mobile="98290 66666")
    first = client.post(join_url(unit_link), data)
    second = client.post(join_url(unit_link), data)
    assert Member.objects.filter(mobile="+919829066666").count() == 1
    assert MobileChallenge.objects.filter(mobile="+919829066666").count() == 1
    code = sent_code("+919829066666")
    done = confirm(client, unit_link, second, code)
    assert 'id="member-done"' in html(done)
    # The first tab's "confirm" after the second: the code is used, but it was this page's own code.
    again = confirm(client, unit_link, first, code)
    assert 'id="member-done"' in html(again)
    assert Member.objects.get(mobile="+919829066666").status == "verified"


def test_the_sixth_try_is_refused(client, unit_link):
    first = client.post(join_url(unit_link), form_data(mobile="98290 77777"))
    code = sent_code("+919829077777")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        page = confirm(client, unit_link, first, wrong)
        assert 'id="member-done"' not in html(page)
    sixth = confirm(client, unit_link, first, code)
    assert 'id="member-done"' not in html(sixth) and "बहुत बार" in html(sixth)
    assert Member.objects.get(mobile="+919829077777").status == "pending"


def test_a_send_flood_to_one_number_is_capped(client, unit_link):
    for _ in range(3):
        client.post(join_url(unit_link), form_data(mobile="98290 88888"))
    fourth = client.post(join_url(unit_link), form_data(mobile="98290 88888"))
    assert MobileChallenge.objects.filter(mobile="+919829088888").count() == 3
    assert fourth.status_code in (200, 429)
    assert OutboxMessage.objects.filter(template="mobile_code", recipient="+919829088888").count() == 3


@override_settings(MEMBERSHIP_JOIN_RATE_IP="3/h")
def test_one_address_is_capped(client, unit_link):
    for n in range(3):
        assert client.post(join_url(unit_link), form_data(mobile=f"98290 1000{n}")).status_code == 200
    assert client.post(join_url(unit_link), form_data(mobile="98290 10009")).status_code == 429
    assert Member.objects.count() == 3


@override_settings(MEMBERSHIP_JOIN_RATE_CODE="2/h", MEMBERSHIP_JOIN_RATE_IP="100/h")
def test_one_referral_code_is_capped(client, referral, unit_link):
    for n in range(2):
        client.post(join_url(referral), form_data(mobile=f"98290 2000{n}"), REMOTE_ADDR=f"10.0.0.{n + 1}")
    refused = client.post(join_url(referral), form_data(mobile="98290 20009"), REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429 and Member.objects.count() == 2
    # Another link is not held back by it.
    assert client.post(join_url(unit_link), form_data(mobile="98290 20008")).status_code == 200


def test_a_tampered_or_foreign_note_verifies_nothing(client, unit_link):
    first = client.post(join_url(unit_link), form_data(mobile="98290 12121"))
    token = pending_of(first)
    tampered = client.post(join_url(unit_link), {"step": "code", "pending": token[:-2] + "xx", "code": "123456"})
    assert "पुराना हो गया" in html(tampered)
    # Someone else's sign-up: their own code does not open the victim's pending row.
    other = client.post(join_url(unit_link), form_data(mobile="98290 13131"))
    swapped = client.post(
        join_url(unit_link), {"step": "code", "pending": pending_of(other), "code": sent_code("+919829012121")}
    )
    assert 'id="member-done"' not in html(swapped)
    assert not Member.objects.filter(status="verified").exists()


def test_an_earlier_note_does_not_open_a_later_sign_up_of_the_number(client, unit_link):
    """An attacker signs up the victim's number; the victim then signs up and confirms. The attacker's page
    (an older, replaced code) sees nothing."""
    attacker = client.post(join_url(unit_link), form_data(mobile="98290 14141", name="Attacker"))
    victim_client = client.__class__()
    victim = victim_client.post(join_url(unit_link), form_data(mobile="98290 14141", name="Victim"))
    code = sent_code("+919829014141")
    assert 'id="member-done"' in html(confirm(victim_client, unit_link, victim, code))
    peek = confirm(client, unit_link, attacker, code)
    assert 'id="member-done"' not in html(peek) and "Victim" not in html(peek)


def test_a_bot_filling_the_honeypot_stores_and_sends_nothing(client, unit_link):
    page = client.post(join_url(unit_link), form_data(website="http://spam"))
    assert page.status_code == 200 and not Member.objects.exists() and not MobileChallenge.objects.exists()


BAD_INPUT = [
    ({"name": ""}, "name"),
    ({"name": "<b>Seema</b>"}, "name"),
    ({"name": "Сергей"}, "name"),
    ({"name": "x" * 500}, "name"),
    ({"mobile": ""}, "mobile"),
    ({"mobile": "12345"}, "mobile"),
    ({"mobile": "98290abcde"}, "mobile"),
    ({"age": ""}, "age"),
    ({"age": "abc"}, "age"),
    ({"age": "17"}, "age"),
    ({"age": "150"}, "age"),
    ({"age": "1850"}, "age"),
    ({"age": "-5"}, "age"),
    ({"epic": "ABC123"}, "epic"),
    ({"epic": "1234567ABC"}, "epic"),
    ({"epic": "'; DROP TABLE membership_member; --"}, "epic"),
    ({"gender": "robot"}, "gender"),
    ({"booth": "99999999"}, "booth_q"),
    ({"booth": "abc"}, "booth_q"),
    ({"consent": ""}, "consent"),
    ({"token": "short"}, "token"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_bad_input_gets_a_message_and_changes_nothing(client, jaipur_link, overrides, field):
    response = client.post(join_url(jaipur_link), form_data(**overrides))
    assert response.status_code == 200
    assert "कृपया नीचे" in html(response) or "has-error" in html(response)
    assert not Member.objects.exists() and not MobileChallenge.objects.exists()


def test_under_age_is_refused_with_the_configured_age(client, unit_link):
    with override_settings(MEMBERSHIP_MIN_AGE=25):
        page = client.post(join_url(unit_link), form_data(age="24"))
    assert "25" in html(page) and not Member.objects.exists()


def test_a_year_of_birth_is_taken_for_the_age(client, unit_link):
    client.post(join_url(unit_link), form_data(age="1990"))
    assert Member.objects.get().age >= 35


def test_devanagari_digits_and_spaces_are_understood(client, unit_link):
    client.post(join_url(unit_link), form_data(mobile="९८२९० १५१५१", age="३०", epic=" rjx 1234567 "))
    member = Member.objects.get()
    assert member.mobile == "+919829015151" and member.age == 30 and member.epic == "RJX1234567"


# ---------------------------------------------------------------- card, check page, not me


def test_the_card_link_is_signed_and_the_check_page_shows_only_initials_unit_and_status(client, tree):
    member = join(tree.booth1, name="Seema Meena", verify=True)
    check = client.get(reverse("membership_public:check", args=[services.check_token(member)]))
    page = html(check)
    assert "S. M." in page and "आमेर विद्यालय" in page and "पुष्ट" in page
    assert "Seema" not in page and member.mobile[-5:] not in page
    assert client.get(reverse("membership_public:check", args=["1:bad"])).status_code == 404
    assert client.get(reverse("membership_public:card", args=["1:bad"])).status_code == 404
    # A card token is not a check token and the other way round.
    assert client.get(reverse("membership_public:card", args=[services.check_token(member)])).status_code == 404


def test_not_me_asks_first_then_revokes_and_the_counts_go_down(client, tree, referral):
    member = join(tree.booth1, referral=referral, verify=True)
    body = OutboxMessage.objects.get(template="membership_welcome", recipient=member.mobile).body
    path = re.search(r"https?://[^/\s]+(/join/not-me/[^\s]+/)", body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and 'name="confirm"' in html(page)
    member.refresh_from_db()
    assert member.status == "verified"  # opening the link (a preview, a scanner) changes nothing
    unticked = client.post(path, {})
    assert 'name="confirm"' in html(unticked)
    assert Member.objects.get(pk=member.pk).status == "verified"
    done = client.post(path, {"confirm": "yes"})
    assert 'id="not-me-done"' in html(done)
    assert Member.objects.get(pk=member.pk).status == "revoked"
    referral.refresh_from_db()
    assert referral.verified_count == 0 and counts_for_unit(tree.india).verified == 0
    assert client.get("/join/not-me/abc:def/").status_code == 404


def test_a_revoked_members_card_and_check_say_so(client, tree):
    member = join(tree.booth1, verify=True)
    services.member_revoke(member=member, via="not_me")
    check = html(client.get(reverse("membership_public:check", args=[services.check_token(member)])))
    assert "मान्य नहीं" in check


def test_a_referral_link_keeps_working_for_many_joiners(client, tree, referral):
    for n in range(3):
        mobile = f"+9198290300{n:02d}"
        first = client.post(join_url(referral), form_data(mobile=mobile[3:]))
        confirm(client, referral, first, sent_code(mobile))
    referral.refresh_from_db()
    assert referral.verified_count == 3 and counts_for_unit(tree.booth1).verified == 3
    assert next_mobile()  # the helper's numbers never collide with these


def test_a_join_link_has_a_qr_code_and_a_printable_poster(client, unit_link):
    qr = client.get(reverse("membership_public:qr_svg", args=[unit_link.code]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    poster = client.get(reverse("membership_public:poster", args=[unit_link.code]))
    assert poster.status_code == 200 and poster["Content-Type"] == "application/pdf"
    text = pdf_text(poster.content)
    assert f"/join/{unit_link.code}/" in text and "Become a member" in text and "सदस्य बनें" in text
    assert client.get(reverse("membership_public:qr_svg", args=["NOPE234"])).status_code == 404
    assert client.get(reverse("membership_public:poster", args=["NOPE234"])).status_code == 404
