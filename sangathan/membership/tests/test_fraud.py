"""Fraud signals: a link signing up too many in an hour, bursts at night, many numbers from one address, runs
of consecutive numbers, a high "not me" rate. A flagged sign-up is held (it does not count, after its code
either) until a reviewer clears or revokes it; a flagged link's count is frozen until reviewed. The review
page explains each signal and is scoped like everything else."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.membership import counters, fraud, services
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import FraudSignal, Member, ReferralCode
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.membership.tests.test_public import confirm as confirm_page
from sangathan.membership.tests.test_public import form_data, join_url
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import log_in, sent_code

pytestmark = pytest.mark.django_db

INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=INDIA)
NIGHT = datetime.datetime(2026, 12, 1, 2, 30, tzinfo=INDIA)


def sign_up(unit, *, mobile=None, referral=None, address=None, at=None):
    mobile = mobile or next_mobile()
    return services.member_join(
        unit=unit, name="Seema Meena", mobile=mobile, age=30, referral=referral, requested_from=address, at=at
    )


def confirm(answer):
    mobile = answer.member.mobile
    return services.member_confirm(
        form_token="",
        member_id=answer.member.pk,
        challenge_id=answer.challenge_id,
        mobile=mobile,
        code=sent_code(mobile),
    )


def reasons(member) -> list[str]:
    with translation.override("en"):
        return [fraud.explain(signal) for signal in FraudSignal.objects.filter(member=member)]


def assert_counters_match(*units):
    for unit in units:
        assert counters.naive_counts(unit) == (counts_for_unit(unit).verified, counts_for_unit(unit).pending)


@override_settings(MEMBERSHIP_FRAUD_REFERRAL_PER_HOUR=3)
def test_a_link_over_its_hourly_limit_holds_the_sign_up_and_freezes_the_link(tree, referral):
    early = [sign_up(tree.booth1, referral=referral) for _n in range(3)]
    assert not any(Member.objects.get(pk=a.member.pk).flagged for a in early)
    confirm(early[0])
    fourth = sign_up(tree.booth1, referral=referral)
    member = Member.objects.get(pk=fourth.member.pk)
    assert member.flagged and reasons(member) == ["4 people signed up through this link within one hour (more than 3)."]
    referral.refresh_from_db()
    assert referral.frozen and referral.verified_count == 1
    held = confirm(fourth)
    assert held.status == Member.Status.HELD
    assert not OutboxMessage.objects.filter(template="membership_welcome", recipient=held.mobile).exists()
    confirm(early[1])  # not flagged itself: the unit counts it, the frozen link does not move
    referral.refresh_from_db()
    assert referral.verified_count == 1
    assert counts_for_unit(tree.india).verified == 2
    assert_counters_match(tree.india, tree.booth1)
    services.referral_unfreeze(referral=referral, by=None)
    referral.refresh_from_db()
    assert not referral.frozen and referral.verified_count == 2 and referral.pending_count == 1  # the held one waits


@override_settings(MEMBERSHIP_FRAUD_NIGHT_PER_HOUR=2)
def test_a_burst_at_night_is_flagged_and_the_same_by_day_is_not(tree):
    night = [sign_up(tree.booth1, at=NIGHT + datetime.timedelta(minutes=n)) for n in range(3)]
    day = [sign_up(tree.booth2, at=NOON + datetime.timedelta(minutes=n)) for n in range(3)]
    flagged = {a.member.pk for a in night + day if Member.objects.get(pk=a.member.pk).flagged}
    assert flagged == {night[2].member.pk}
    assert "at night" in reasons(night[2].member)[0]


@override_settings(MEMBERSHIP_FRAUD_PER_ADDRESS=2)
def test_many_numbers_from_one_address_are_flagged(tree):
    answers = [sign_up(tree.booth1, address="203.0.113.7") for _n in range(3)]
    other = sign_up(tree.booth1, address="198.51.100.1")
    assert [Member.objects.get(pk=a.member.pk).flagged for a in [*answers, other]] == [False, False, True, False]
    assert "same internet address" in reasons(answers[2].member)[0]


@override_settings(MEMBERSHIP_FRAUD_CONSECUTIVE_RUN=3)
def test_a_run_of_consecutive_numbers_is_flagged(tree):
    run = [sign_up(tree.booth1, mobile=f"+91987000000{n}") for n in (1, 2, 3)]
    apart = [sign_up(tree.booth1, mobile=f"+9198700001{n}0") for n in (1, 2, 3)]
    assert [Member.objects.get(pk=a.member.pk).flagged for a in run + apart] == [False, False, True] + [False] * 3
    assert "3 consecutive" in reasons(run[2].member)[0]


@override_settings(MEMBERSHIP_FRAUD_NOT_ME_MIN=2, MEMBERSHIP_FRAUD_NOT_ME_RATE=50)
def test_a_high_not_me_rate_freezes_the_link(tree, referral):
    members = [join(tree.booth1, referral=referral, verify=True) for _n in range(3)]
    services.member_not_me(token=services.not_me_token(members[0]))
    assert not ReferralCode.objects.get(pk=referral.pk).frozen  # one answer is not yet a rate
    services.member_not_me(token=services.not_me_token(members[1]))
    referral.refresh_from_db()
    assert referral.frozen and referral.verified_count == 1
    signal = FraudSignal.objects.get(referral=referral, kind="not_me_rate")
    with translation.override("en"):
        assert fraud.explain(signal) == "67% of this link's members said “not me” (2 people)."
    with translation.override("hi"):  # set, not assumed: an earlier test in the process may leave English on
        assert fraud.explain(signal) == "इस लिंक के 67% सदस्यों ने “मैं नहीं” कहा (2 लोग)।"


@override_settings(MEMBERSHIP_FRAUD_PER_ADDRESS=0)
def test_clearing_a_held_sign_up_counts_it_and_revoking_needs_a_reason(tree, cast):
    held = confirm(sign_up(tree.booth1, address="203.0.113.7"))
    assert held.status == "held" and counts_for_unit(tree.india).verified == 0
    services.member_review(member=held, decision="clear", by=cast.district_admin)
    held.refresh_from_db()
    assert held.status == "verified" and not held.flagged and counts_for_unit(tree.india).verified == 1
    assert OutboxMessage.objects.filter(template="membership_welcome", recipient=held.mobile).count() == 1
    other = confirm(sign_up(tree.booth1, address="203.0.113.7"))
    with pytest.raises(MembershipError):
        services.member_review(member=other, decision="revoke", by=cast.district_admin, reason="  ")
    assert Member.objects.get(pk=other.pk).status == "held"
    services.member_review(member=other, decision="revoke", by=cast.district_admin, reason="one phone, many names")
    other.refresh_from_db()
    assert other.status == "revoked" and other.revoke_reason == "one phone, many names"
    assert_counters_match(tree.india, tree.booth1)


@override_settings(MEMBERSHIP_FRAUD_CONSECUTIVE_RUN=2)
def test_a_flagged_paper_form_is_not_promoted_by_the_daily_run(tree, cast):
    at = timezone.now() - datetime.timedelta(days=8)
    services.member_enter(unit=tree.booth1, name="A B", mobile="+919870000001", age=30, by=cast.district_admin, at=at)
    second = services.member_enter(
        unit=tree.booth1, name="C D", mobile="+919870000002", age=30, by=cast.district_admin, at=at
    )
    assert second.flagged
    assert services.paper_members_promote() == 1
    assert Member.objects.get(pk=second.pk).status == "pending"


# ---------------------------------------------------------------- the review page


@pytest.fixture
def held(tree):
    with override_settings(MEMBERSHIP_FRAUD_PER_ADDRESS=0):
        return confirm(sign_up(tree.booth1, address="203.0.113.7"))


def test_the_review_page_explains_and_the_decision_buttons_work(client, cast, tree, held):
    client = log_in(client, cast.district_admin)
    page = client.get(reverse("membership:review", args=[tree.jaipur.pk])).content.decode()
    assert f'id="held-{held.pk}"' in page and "same internet address" in page
    assert held.mobile[3:] not in page  # masked
    response = client.post(
        reverse("membership:member_decide", args=[held.pk]), {"decision": "clear", "unit": tree.jaipur.pk}
    )
    assert response.status_code == 302 and response.url == reverse("membership:review", args=[tree.jaipur.pk])
    assert Member.objects.get(pk=held.pk).status == "verified"


def test_a_revoke_without_a_reason_is_told_and_changes_nothing(client, cast, tree, held):
    client = log_in(client, cast.district_admin, language="hi")
    response = client.post(reverse("membership:member_decide", args=[held.pk]), {"decision": "revoke"}, follow=True)
    assert "कारण" in response.content.decode() and Member.objects.get(pk=held.pk).status == "held"
    response = client.post(reverse("membership:member_decide", args=[held.pk]), {"decision": "maybe"}, follow=True)
    assert Member.objects.get(pk=held.pk).status == "held" and response.status_code == 200


def test_a_sibling_district_cannot_see_or_decide_jaipurs_queue(client, cast, tree, held, referral):
    ReferralCode.objects.filter(pk=referral.pk).update(frozen=True)
    sibling = log_in(client, cast.sibling_admin)
    assert sibling.get(reverse("membership:review", args=[tree.jaipur.pk])).status_code == 404
    assert sibling.post(reverse("membership:member_decide", args=[held.pk]), {"decision": "clear"}).status_code == 404
    assert sibling.post(reverse("membership:link_unfreeze", args=[referral.pk])).status_code == 404
    own = sibling.get(reverse("membership:review", args=[tree.ajmer.pk])).content.decode()
    assert f'id="held-{held.pk}"' not in own and referral.code not in own
    viewer = log_in(client.__class__(), cast.viewer)
    assert viewer.get(reverse("membership:review", args=[tree.jaipur.pk])).status_code == 403
    assert viewer.post(reverse("membership:member_decide", args=[held.pk]), {"decision": "clear"}).status_code == 403
    assert Member.objects.get(pk=held.pk).status == "held" and ReferralCode.objects.get(pk=referral.pk).frozen


def test_a_held_member_sees_that_the_sign_up_is_being_checked(client, tree, referral):
    with override_settings(MEMBERSHIP_FRAUD_REFERRAL_PER_HOUR=0):
        first = client.post(join_url(referral), form_data(mobile="9829030099"))
        page = confirm_page(client, referral, first, sent_code("+919829030099")).content.decode()
    assert 'id="member-held"' in page and 'id="card-link"' not in page
