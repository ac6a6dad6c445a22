"""The rules of the membership services: pending until the code is confirmed, one member per mobile and per
EPIC, the minimum age, "not me", the counters (equal to a naive count after every kind of write) and the
referrer's count, and the audit trail (mobile and EPIC masked)."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone, translation

from sangathan.audit.models import AuditEntry
from sangathan.membership import counters, services
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import CODE_ALPHABET, CODE_LENGTH, Member, MemberCounter, ReferralCode
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import sent_code
from sangathan.verification.errors import VerificationError
from sangathan.verification.models import MobileChallenge

pytestmark = pytest.mark.django_db


def assert_counters_true(*units):
    for unit in units:
        row = counts_for_unit(unit)
        assert (row.verified, row.pending) == counters.naive_counts(unit), unit


def test_a_sign_up_is_pending_and_counts_only_once_its_code_is_confirmed(tree, referral):
    mobile = next_mobile()
    answer = services.member_join(unit=tree.booth1, name="सीमा मीणा", mobile=mobile, age=30, referral=referral)
    member = answer.member
    assert member.status == Member.Status.PENDING and not member.counts
    assert counts_for_unit(tree.india).verified == 0 and counts_for_unit(tree.india).pending == 1
    referral.refresh_from_db()
    assert (referral.verified_count, referral.pending_count) == (0, 1)
    challenge = MobileChallenge.objects.get(pk=answer.challenge_id)
    assert challenge.purpose == "membership" and challenge.subject == f"member:{member.pk}"

    member = services.member_confirm(
        form_token="", member_id=member.pk, challenge_id=answer.challenge_id, mobile=mobile, code=sent_code(mobile)
    )
    assert member.status == Member.Status.VERIFIED and member.verified_at is not None
    for unit in (tree.booth1, tree.amer, tree.jaipur_ac, tree.jaipur, tree.rajasthan, tree.india):
        assert counts_for_unit(unit).verified == 1 and counts_for_unit(unit).pending == 0
    assert counts_for_unit(tree.ajmer).verified == 0
    referral.refresh_from_db()
    assert (referral.verified_count, referral.pending_count) == (1, 0)
    assert_counters_true(tree.india, tree.jaipur, tree.ajmer, tree.booth1, tree.booth2)


def test_confirming_twice_is_once(tree, referral):
    member = join(tree.booth1, referral=referral, verify=True)
    again = services.member_verify(member=member)
    assert again.status == Member.Status.VERIFIED
    referral.refresh_from_db()
    assert referral.verified_count == 1 and counts_for_unit(tree.india).verified == 1
    assert OutboxMessage.objects.filter(template="membership_welcome", recipient=member.mobile).count() == 1


def test_the_same_mobile_twice_makes_one_member_and_says_the_same(tree):
    mobile = next_mobile()
    first = services.member_join(unit=tree.booth1, name="Seema Meena", mobile=mobile, age=30)
    services.member_confirm(
        form_token="", member_id=first.member.pk, challenge_id=first.challenge_id, mobile=mobile, code=sent_code(mobile)
    )
    again = services.member_join(unit=tree.booth2, name="Someone Else", mobile=mobile, age=44)
    assert again.member.pk == first.member.pk and again.challenge_id and not again.problem
    member = Member.objects.get(mobile=mobile)
    assert member.name == "Seema Meena" and member.unit == tree.booth1  # a verified member's details stay
    assert Member.objects.filter(mobile=mobile).count() == 1
    assert counts_for_unit(tree.india).verified == 1 and counts_for_unit(tree.india).pending == 0


def test_a_pending_sign_up_is_taken_over_by_the_numbers_next_form_and_the_counts_follow(tree, referral):
    mobile = next_mobile()
    join(tree.booth1, mobile=mobile, referral=referral, name="Stranger")
    member = join(tree.ajmer_booth, mobile=mobile, name="Real Holder")
    assert Member.objects.filter(mobile=mobile).count() == 1
    assert member.unit == tree.ajmer_booth and member.name == "Real Holder" and member.referred_by is None
    referral.refresh_from_db()
    assert referral.pending_count == 0
    assert counts_for_unit(tree.jaipur).pending == 0 and counts_for_unit(tree.ajmer).pending == 1
    assert_counters_true(tree.india, tree.jaipur, tree.ajmer)


def test_a_strangers_later_form_cannot_be_confirmed_through_the_owners_page(tree, referral):
    """Found by the security audit: a stranger sent a form with the owner's pending number (their own name,
    booth and referral link); the owner's "send again" then sent a code, and confirming it verified the
    stranger's details and credited the stranger's referrer. The owner's page now sends and confirms only
    for the form it was made for; the owner fills the form again and their own details are the ones proven."""
    mobile = next_mobile()
    owner = services.member_join(unit=tree.booth1, name="सीमा मीणा", mobile=mobile, age=30, token="owner-form")
    services.member_join(
        unit=tree.booth2, name="रमेश झूठा", mobile=mobile, age=40, referral=referral, token="stranger-form"
    )
    with pytest.raises(MembershipError) as refused:
        services.member_code_resend(member_id=owner.member.pk, mobile=mobile, form_token="owner-form")
    assert refused.value.code == "replaced"
    # Even the stranger's code (it went to the owner's phone) does not confirm through the owner's page.
    with pytest.raises(MembershipError):
        services.member_confirm(
            member_id=owner.member.pk,
            challenge_id=owner.challenge_id,
            mobile=mobile,
            code=sent_code(mobile),
            form_token="owner-form",
        )
    assert Member.objects.get(pk=owner.member.pk).status == Member.Status.PENDING
    again = services.member_join(unit=tree.booth1, name="सीमा मीणा", mobile=mobile, age=30, token="owner-form-2")
    member = services.member_confirm(
        member_id=again.member.pk,
        challenge_id=again.challenge_id,
        mobile=mobile,
        code=sent_code(mobile),
        form_token="owner-form-2",
    )
    assert (member.status, member.name, member.unit_id, member.referred_by_id) == (
        Member.Status.VERIFIED,
        "सीमा मीणा",
        tree.booth1.pk,
        None,
    )
    referral.refresh_from_db()
    assert referral.verified_count == 0
    assert_counters_true(tree.booth1, tree.booth2, tree.india)


def test_the_same_form_token_again_sends_no_second_code(tree):
    mobile = next_mobile()
    first = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30, token="t" * 24)
    second = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30, token="t" * 24)
    assert second.challenge_id == first.challenge_id
    assert MobileChallenge.objects.filter(mobile=mobile).count() == 1


def test_a_fourth_code_within_the_hour_is_refused_and_the_page_says_so(tree):
    mobile = next_mobile()
    for _ in range(3):
        answer = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30)
        assert answer.challenge_id and not answer.problem
    with translation.override("hi"):  # the message is made in the active language
        answer = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30)
    assert answer.challenge_id == 0 and "घंटे" in answer.problem
    assert MobileChallenge.objects.filter(mobile=mobile).count() == 3


def test_the_sixth_try_is_refused_even_with_the_right_code(tree):
    mobile = next_mobile()
    answer = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30)
    code = sent_code(mobile)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(VerificationError):
            services.member_confirm(
                form_token="", member_id=answer.member.pk, challenge_id=answer.challenge_id, mobile=mobile, code=wrong
            )
    with pytest.raises(VerificationError) as refused:
        services.member_confirm(
            form_token="", member_id=answer.member.pk, challenge_id=answer.challenge_id, mobile=mobile, code=code
        )
    assert refused.value.code == "too_many_tries"
    assert Member.objects.get(pk=answer.member.pk).status == Member.Status.PENDING
    assert counts_for_unit(tree.india).verified == 0


def test_an_expired_code_is_refused(tree):
    mobile = next_mobile()
    past = timezone.now() - datetime.timedelta(minutes=6)
    answer = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30, at=past)
    with pytest.raises(VerificationError) as refused:
        services.member_confirm(
            form_token="",
            member_id=answer.member.pk,
            challenge_id=answer.challenge_id,
            mobile=mobile,
            code=sent_code(mobile),
        )
    assert refused.value.code == "expired"
    assert counts_for_unit(tree.india).verified == 0


def test_a_used_code_replayed_changes_nothing(tree):
    mobile = next_mobile()
    answer = services.member_join(unit=tree.booth1, name="Seema", mobile=mobile, age=30)
    code = sent_code(mobile)
    services.member_confirm(
        form_token="", member_id=answer.member.pk, challenge_id=answer.challenge_id, mobile=mobile, code=code
    )
    with pytest.raises(VerificationError) as refused:
        services.member_confirm(
            form_token="", member_id=answer.member.pk, challenge_id=answer.challenge_id, mobile=mobile, code=code
        )
    assert refused.value.code == "used"
    assert counts_for_unit(tree.india).verified == 1


def test_a_code_opens_only_its_own_sign_up(tree):
    """A code sent for one member row cannot verify another (the challenge's subject is the row)."""
    mine, other = next_mobile(), next_mobile()
    answer = services.member_join(unit=tree.booth1, name="Seema", mobile=mine, age=30)
    stranger = services.member_join(unit=tree.booth1, name="Other", mobile=other, age=30)
    with pytest.raises(VerificationError):
        services.member_confirm(
            form_token="",
            member_id=stranger.member.pk,
            challenge_id=answer.challenge_id,
            mobile=mine,
            code=sent_code(mine),
        )
    assert Member.objects.get(pk=stranger.member.pk).status == Member.Status.PENDING


@override_settings(MEMBERSHIP_MIN_AGE=21)
def test_under_age_is_refused_by_the_configured_minimum(tree):
    with pytest.raises(MembershipError) as refused:
        services.member_join(unit=tree.booth1, name="Young", mobile=next_mobile(), age=20)
    assert refused.value.code == "under_age" and not Member.objects.exists()
    assert join(tree.booth1, age=21).age == 21


def test_an_epic_is_one_verified_members_and_a_pending_one_cannot_squat_it(tree):
    squatter = join(tree.booth1, epic="RJX1234567")  # pending: holds nothing
    owner = join(tree.booth1, epic="RJX1234567", verify=True)
    assert owner.status == Member.Status.VERIFIED
    mobile = next_mobile()
    answer = services.member_join(unit=tree.booth2, name="Copy Cat", mobile=mobile, age=30, epic="RJX1234567")
    with pytest.raises(MembershipError) as refused:
        services.member_confirm(
            form_token="",
            member_id=answer.member.pk,
            challenge_id=answer.challenge_id,
            mobile=mobile,
            code=sent_code(mobile),
        )
    assert refused.value.code == "epic_taken"
    assert Member.objects.get(pk=answer.member.pk).status == Member.Status.PENDING
    assert Member.objects.get(pk=squatter.pk).status == Member.Status.PENDING
    assert counts_for_unit(tree.india).verified == 1


def test_the_database_refuses_two_members_of_one_mobile_and_a_bad_epic(tree):
    member = join(tree.booth1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            unit=tree.booth2, name="X", mobile=member.mobile, age=30, notice=member.notice, consent_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            unit=tree.booth2,
            name="X",
            mobile=next_mobile(),
            age=30,
            epic="12345",
            notice=member.notice,
            consent_at=timezone.now(),
        )


def test_not_me_revokes_and_the_counts_go_down(tree, referral):
    member = join(tree.booth1, referral=referral, verify=True)
    welcome = OutboxMessage.objects.get(template="membership_welcome", recipient=member.mobile)
    # The link in the SMS (its signature carries the second it was made: read it back, do not rebuild it).
    token = re.search(r"/join/not-me/([^/\s]+)/", welcome.body).group(1)
    assert services.member_for_not_me(token) == member
    services.member_not_me(token=token)
    member.refresh_from_db()
    assert member.status == Member.Status.REVOKED and member.revoked_via == "not_me" and member.revoked_at
    assert counts_for_unit(tree.india).verified == 0 and counts_for_unit(tree.booth1).verified == 0
    referral.refresh_from_db()
    assert referral.verified_count == 0
    assert not ReferralCode.objects.get(member=member).is_active  # the revoked member's own link stops
    services.member_not_me(token=token)  # twice is once
    assert counts_for_unit(tree.india).verified == 0
    assert services.member_not_me(token=token + "x") is None
    assert_counters_true(tree.india, tree.booth1)
    # The number is free again: its holder can join for real.
    again = join(tree.booth2, mobile=member.mobile, verify=True)
    assert again.pk != member.pk and counts_for_unit(tree.india).verified == 1


def test_an_admin_revokes_only_with_a_reason(tree):
    member = join(tree.booth1, verify=True)
    with pytest.raises(MembershipError):
        services.member_revoke(member=member, via="admin", reason="  ")
    services.member_revoke(member=member, via="admin", reason="duplicate of a paper form")
    member.refresh_from_db()
    assert member.revoke_reason == "duplicate of a paper form" and counts_for_unit(tree.india).verified == 0


def test_the_counters_equal_a_naive_count_and_rebuild_reproduces_them(tree, referral):
    for unit in (tree.booth1, tree.booth2, tree.amer, tree.ajmer_booth):
        join(unit, verify=True)
        join(unit)
    revoked = join(tree.booth2, verify=True, referral=referral)
    services.member_revoke(member=revoked, via="admin", reason="fake")
    units = [tree.india, tree.rajasthan, tree.jaipur, tree.ajmer, tree.amer, tree.booth1, tree.booth2, tree.ajmer_booth]
    assert_counters_true(*units)
    before = {row.unit_id: (row.verified, row.pending) for row in MemberCounter.objects.all()}
    MemberCounter.objects.update(verified=999)
    counters.rebuild()
    assert {row.unit_id: (row.verified, row.pending) for row in MemberCounter.objects.all()} == before
    assert counts_for_unit(tree.india).verified == 4 and counts_for_unit(tree.india).pending == 4


def test_referral_codes_are_short_and_unambiguous_and_one_per_owner(tree, volunteer):
    unit_code = services.referral_code_for_unit(unit=tree.jaipur)
    assert services.referral_code_for_unit(unit=tree.jaipur) == unit_code
    person_code = services.referral_code_for_person(person=volunteer, unit=tree.booth1)
    assert services.referral_code_for_person(person=volunteer, unit=tree.booth1) == person_code
    for code in (unit_code.code, person_code.code):
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL")
    codes = services.referral_codes_ensure(unit=tree.booth1)
    assert {c.kind for c in codes} == {"unit", "person"} and person_code in codes


def test_the_audit_trail_keeps_the_mobile_and_epic_masked(tree):
    member = join(tree.booth1, epic="RJX1234567", verify=True)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member), object_pk=str(member.pk)
    )
    assert entries.exists()
    text = " ".join(str(entry.changes) for entry in entries)
    assert member.mobile not in text and member.mobile[3:] not in text
    assert "RJX1234567" not in text and "RJX•••••67" in text
    assert "join_token" not in text
    assert all(entry.unit_path == tree.booth1.path for entry in entries)  # scoped like the member
