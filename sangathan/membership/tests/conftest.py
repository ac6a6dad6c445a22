"""Fixtures of the membership tests: fresh rate limits, a volunteer with a referral code, and a helper that
makes members through the services as the join page does."""

import itertools

import pytest
from django.core.cache import cache

from sangathan.membership import services
from sangathan.membership.models import Member
from sangathan.org import services as org_services
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.testing import sent_code

_mobiles = itertools.count(1)


def next_mobile() -> str:
    return f"+9198{7 * next(_mobiles):08d}"  # 7 apart: never a run of consecutive numbers (a fraud signal)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def volunteer(tree, cast):
    """Booth 1's representative: an office-bearer whose referral link people join with."""
    person = PersonFactory(name_en="Ramesh Volunteer", name_hi="रमेश", home_unit=tree.booth1)
    org_services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=person, by=cast.state_admin
    )
    return person


@pytest.fixture
def referral(tree, volunteer):
    return services.referral_code_for_person(person=volunteer, unit=tree.booth1)


def join(
    unit, *, mobile=None, referral=None, verify=False, epic="", age=30, name="Seema Meena", token="", gender=""
) -> Member:
    """A sign-up through ``member_join``; with ``verify``, the code from the outbox typed back."""
    mobile = mobile or next_mobile()
    answer = services.member_join(
        unit=unit, name=name, mobile=mobile, age=age, epic=epic, referral=referral, token=token, gender=gender
    )
    if verify:
        return services.member_confirm(
            form_token="",
            member_id=answer.member.pk,
            challenge_id=answer.challenge_id,
            mobile=mobile,
            code=sent_code(mobile),
        )
    return answer.member
