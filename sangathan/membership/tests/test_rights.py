"""A member's rights over their data at /join/me/ (``membership.rights``, ``views_me``): the code sent to the
number is the only proof; the data, the copy, the correction of name and booth (counts move from one booth
to the other), withdrawal (revoked, erased, counted down exactly once). Attacks: someone else's number (no
code sent, the same pages, the same refusals), a replayed code, a flood of asks, a forged or guessed session."""

import datetime
import json
import time

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.audit.models import AuditEntry
from sangathan.membership import rights
from sangathan.membership.models import Member, MemberCounter
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.notifications.models import OutboxMessage
from sangathan.org.masking import mask_mobile
from sangathan.org.tests.factories import PersonFactory
from sangathan.privacy.services import ERASED_TEXT
from sangathan.testing import sent_code, visible_text
from sangathan.verification import services as verification
from sangathan.verification.models import MobileChallenge

pytestmark = pytest.mark.django_db

ME = "/join/me/"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def ask(client, mobile: str):
    return client.post(ME, {"step": "ask", "mobile": mobile})


def prove(client, mobile: str):
    ask(client, mobile)
    return client.post(ME, {"step": "code", "code": sent_code(mobile)})


def codes_to(mobile: str) -> int:
    return OutboxMessage.objects.filter(template="mobile_code", recipient=mobile).count()


def test_the_member_sees_downloads_corrects_and_withdraws_once(client, tree):
    member = join(tree.booth1, name="Seema Meena", verify=True, epic="RJX1234567", gender="female")
    mobile = member.mobile
    assert client.get(reverse("membership_public:me_data")).status_code == 302  # nothing before the code
    response = prove(client, mobile)
    assert response.status_code == 302 and response["Location"] == reverse("membership_public:me_data")
    page = client.get(response["Location"]).content.decode()
    assert "Seema Meena" in page and "RJX1234567" in page and mobile in page

    copy = json.loads(client.get(reverse("membership_public:me_download")).content)
    assert copy["member"]["mobile"] == mobile and copy["member"]["voter_id_epic"] == "RJX1234567"
    assert copy["consent"]["notice_version"] == member.notice.version
    assert any(m["template"] == "membership_welcome" for m in copy["messages"])

    response = client.post(
        reverse("membership_public:me_correct"), {"name": "Seema  Meena Devi", "booth": tree.booth2.pk}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "Seema Meena Devi" and member.unit == tree.booth2
    assert counts_for_unit(tree.booth1).verified == 0 and counts_for_unit(tree.booth2).verified == 1
    assert counts_for_unit(tree.rajasthan).verified == 1 and MemberCounter.objects.get(unit=tree.booth2).women == 1

    refused = client.post(reverse("membership_public:me_withdraw"), {})  # the box not ticked
    assert refused.status_code == 400 and Member.objects.get(pk=member.pk).status == "verified"
    done = client.post(reverse("membership_public:me_withdraw"), {"confirm": "yes"})
    assert done.status_code == 200 and b"me-done" in done.content
    member.refresh_from_db()
    assert member.status == "revoked" and member.revoked_via == "withdrawn"
    assert member.mobile == rights.erased_mobile(member.pk) and member.name == "Erased" and member.epic == ""
    assert member.age == 30 and member.gender == "female" and member.unit == tree.booth2  # the counts' facts stay
    assert counts_for_unit(tree.rajasthan).verified == 0 and counts_for_unit(tree.booth2).verified == 0
    assert not OutboxMessage.objects.filter(recipient=mobile).exists()
    assert not MobileChallenge.objects.filter(mobile=mobile).exists()
    kind = ContentType.objects.get_for_model(Member)
    trail = " ".join(str(e.changes) + e.object_repr for e in AuditEntry.objects.filter(content_type=kind))
    assert "Seema" not in trail and mobile[-10:] not in trail

    # A double click or a replayed POST: the session is gone, nothing moves twice.
    again = client.post(reverse("membership_public:me_withdraw"), {"confirm": "yes"})
    assert again.status_code == 302
    rights.member_withdraw(member=member)
    assert counts_for_unit(tree.rajasthan).verified == 0 and counts_for_unit(tree.rajasthan).pending == 0
    assert client.get(reverse("membership_public:me_data")).status_code == 302


def test_someone_elses_number_gets_the_same_pages_and_no_code(client, tree):
    member = join(tree.booth1, verify=True)
    stranger = next_mobile()
    shown_member = ask(client, member.mobile).content.decode()
    shown_stranger = ask(client, stranger).content.decode()
    assert codes_to(stranger) == 0 and codes_to(member.mobile) == 2  # the join code, then this page's
    assert 'id="me-code"' in shown_member and 'id="me-code"' in shown_stranger
    assert "problem" not in shown_member and "problem" not in shown_stranger
    for _i in range(4):  # every code is wrong, and the tries run out as they would for a member
        response = client.post(ME, {"step": "code", "code": "123456"})
        assert b"is not right" in response.content
    assert b"too many times" in client.post(ME, {"step": "code", "code": "123456"}).content  # the 5th, as a member's
    assert client.get(reverse("membership_public:me_data")).status_code == 302


def test_a_used_code_is_refused_and_the_number_alone_opens_nothing(client, tree, django_user_model):
    member = join(tree.booth1, verify=True)
    ask(client, member.mobile)
    used = sent_code(member.mobile)
    client.post(ME, {"step": "code", "code": used})
    attacker = Client()
    attacker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ask(attacker, member.mobile)  # the attacker knows the number: a new code goes to the member's phone
    response = attacker.post(ME, {"step": "code", "code": used})
    assert b"is not right" in response.content
    assert attacker.get(reverse("membership_public:me_data")).status_code == 302
    replay = client.post(ME, {"step": "code", "code": used})  # the proven session's own confirmation again
    assert b"expired" in replay.content or replay.status_code == 302


def test_a_forged_or_guessed_session_opens_nothing(client, tree):
    mine = join(tree.booth1, verify=True)
    other = join(tree.booth1, verify=True)
    prove(client, mine.mobile)
    session = client.session
    data = session["membership_me"]
    session["membership_me"] = {**data, "m": other.pk}  # my confirmed code, another member's id
    session.save()
    assert client.get(reverse("membership_public:me_data")).status_code == 302
    session = client.session
    session["membership_me"] = {**data, "m": other.pk, "n": other.mobile}  # and their number
    session.save()
    assert client.get(reverse("membership_public:me_data")).status_code == 302
    session = client.session
    session["membership_me"] = {**data, "until": time.time() - 1}  # expired
    session.save()
    assert client.get(reverse("membership_public:me_data")).status_code == 302
    assert client.post(reverse("membership_public:me_withdraw"), {"confirm": "yes"}).status_code == 302
    assert Member.objects.filter(status="revoked").count() == 0


def test_a_flood_of_asks_is_refused_alike_for_members_and_strangers(client, tree):
    member = join(tree.booth1, verify=True)
    stranger = next_mobile()
    for mobile in (member.mobile, stranger):
        answers = [ask(client, mobile).status_code for _i in range(4)]
        assert answers == [200, 200, 200, 429]
    assert codes_to(member.mobile) == 3  # the join code and two of this page's: the service's 3 an hour
    assert codes_to(stranger) == 0


def test_a_booth_outside_the_district_or_bad_input_changes_nothing(client, tree):
    member = join(tree.booth1, name="Seema Meena", verify=True)
    prove(client, member.mobile)
    for data in (
        {"name": "Seema", "booth": tree.ajmer_booth.pk},
        {"name": "Seema", "booth": tree.amer.pk},  # not a booth
        {"name": "Seema", "booth": "²"},
        {"name": "", "booth": ""},
        {"name": "<script>alert(1)</script>", "booth": ""},
        {"name": "x" * 500, "booth": ""},
    ):
        assert client.post(reverse("membership_public:me_correct"), data).status_code == 400, data
    member.refresh_from_db()
    assert member.name == "Seema Meena" and member.unit == tree.booth1


def test_the_pages_speak_hindi(client, tree):
    member = join(tree.booth1, verify=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    with translation.override("hi"):
        assert "आपकी सदस्यता का विवरण" in client.get(ME).content.decode()
        prove(client, member.mobile)
        page = client.get(reverse("membership_public:me_data")).content.decode()
        assert "सहमति वापस लें" in page


# ---------------------------------------------------------------- review findings: no oracle, own messages only


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock of the view and of the verification service forward (``clock.seconds += n``)."""
    real = timezone.now

    class Clock:
        seconds = 0

    monkeypatch.setattr(timezone, "now", lambda: real() + datetime.timedelta(seconds=Clock.seconds))
    return Clock


def _seen(response, mobile: str) -> tuple[int, str]:
    text = " ".join(visible_text(response.content.decode()).split())
    return response.status_code, text.replace(mask_mobile(mobile), "+91 NUMBER")


def _walk(client, mobile: str, plan: list[str], clock) -> list[tuple[int, str]]:
    start = clock.seconds
    pages = [_seen(ask(client, mobile), mobile)]
    sent = codes_to(mobile) and sent_code(mobile)
    wrong = "111111" if sent == "000000" else "000000"
    for step in plan:
        if step == "expire":
            clock.seconds = start + verification.code_seconds() + 1
            continue
        pages.append(_seen(client.post(ME, {"step": "code", "code": wrong}), mobile))
    return pages


PLANS = {
    "six-wrong": ["try"] * 6,
    "expired": ["expire", "try", "try"],
    "two-wrong-then-expired": ["try", "try", "expire", "try"],
    "five-wrong-then-expired": ["try"] * 5 + ["expire", "try"],
}


@pytest.mark.parametrize("plan", list(PLANS))
def test_a_members_number_and_anyone_elses_answer_alike_try_by_try_and_after_expiry(tree, clock, plan):
    member = join(tree.booth1, verify=True)
    stranger = next_mobile()
    mine, theirs = Client(), Client()
    mine.cookies[settings.LANGUAGE_COOKIE_NAME] = theirs.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    member_pages = _walk(mine, member.mobile, PLANS[plan], clock)
    clock.seconds = 0
    stranger_pages = _walk(theirs, stranger, PLANS[plan], clock)
    assert [status for status, _text in member_pages] == [200] * len(member_pages)
    assert member_pages == stranger_pages
    last = member_pages[-1][1]
    if plan == "six-wrong":
        assert [("is not right" in text) for _s, text in member_pages[1:]] == [True] * 4 + [False] * 2
        assert "too many times" in member_pages[5][1] and "too many times" in last
    elif plan == "five-wrong-then-expired":
        assert "too many times" in last
    else:
        assert "has expired" in last


def outbox(mobile: str, template: str, key: str, person=None) -> OutboxMessage:
    """A message another part of the project queued to ``mobile``."""
    return OutboxMessage.objects.create(
        channel="sms",
        recipient=mobile,
        template=template,
        body=f"A {template} message",
        idempotency_key=key,
        person=person,
    )


def test_withdrawal_erases_the_memberships_messages_only(client, tree, cast):
    member = join(tree.booth1, verify=True)
    mobile = member.mobile
    bearer = PersonFactory(name_en="Ramesh Sharma", name_hi="रमेश", home_unit=tree.booth1)
    shared = outbox(mobile, "training_invite", "t:1", person=bearer)
    other = outbox(mobile, "controlroom_report", "c:1")
    prove(client, mobile)
    pending = OutboxMessage.objects.filter(recipient=mobile, person__isnull=True).exclude(pk=other.pk)
    assert (
        pending.filter(template="membership_welcome").exists() and pending.filter(template="mobile_code").count() == 2
    )
    OutboxMessage.objects.filter(pk__in=[shared.pk, other.pk]).update(status=OutboxMessage.Status.PENDING)
    own = list(pending.values_list("pk", flat=True))
    rights.member_withdraw(member=member)
    for message in OutboxMessage.objects.filter(pk__in=[shared.pk, other.pk]):
        assert message.recipient == mobile and message.status == OutboxMessage.Status.PENDING
        assert message.body != ERASED_TEXT and message.last_error == ""
    assert OutboxMessage.objects.get(pk=shared.pk).person == bearer
    assert set(OutboxMessage.objects.filter(recipient=ERASED_TEXT).values_list("pk", flat=True)) == set(own)


def test_the_member_sees_their_own_messages_only(client, tree):
    old = join(tree.booth1, verify=True)
    mobile = old.mobile
    rights.member_withdraw(member=old)  # the number's earlier member left (their messages are erased)
    before = outbox(mobile, "apply_status", "a:1")
    OutboxMessage.objects.filter(pk=before.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    member = join(tree.booth2, mobile=mobile, verify=True)  # the number went to someone else, who joined
    bearer = PersonFactory(name_en="Ramesh Sharma", name_hi="रमेश", home_unit=tree.booth1)
    outbox(mobile, "training_invite", "t:2", person=bearer)
    outbox(mobile, "controlroom_report", "c:2")
    prove(client, mobile)
    copy = json.loads(client.get(reverse("membership_public:me_download")).content)
    templates = sorted(m["template"] for m in copy["messages"])
    assert templates == ["membership_welcome", "mobile_code", "mobile_code"], templates
    assert copy["member"]["mobile"] == member.mobile
