"""Leaderboards per level: referral links ranked by verified members only (a held sign-up and a pending one
do not count, a "not me" takes a member off, a frozen link's count stands still), units ranked by verified
members per booth from the counter rows; scope (a sibling district sees nothing of Jaipur's)."""

import pytest
from django.urls import reverse

from sangathan.membership import leaderboards, services
from sangathan.membership.models import Member, ReferralCode
from sangathan.membership.tests.conftest import join
from sangathan.org.models import Level
from sangathan.org.tests.factories import PersonFactory
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(tree):
    person = PersonFactory(name_en="Sunita Volunteer", name_hi="सुनीता", home_unit=tree.booth2)
    return services.referral_code_for_person(person=person, unit=tree.booth2)


def held(unit, referral) -> Member:
    member = join(unit, referral=referral)
    Member.objects.filter(pk=member.pk).update(flagged=True)
    return services.member_verify(member=member)


def codes(links) -> list[str]:
    return [link.code for link in links]


def test_referrers_are_ranked_by_verified_members_only(tree, cast, referral, second):
    for _ in range(3):
        join(tree.booth1, referral=referral, verify=True)
    mine = [join(tree.booth2, referral=second, verify=True) for _ in range(2)]
    join(tree.booth2, referral=second)  # pending
    assert held(tree.booth2, second).status == "held"
    ReferralCode.objects.filter(pk=second.pk).update(frozen=False)  # the hold froze it; a reviewer looked
    ranking = leaderboards.referrers(cast.state_admin, tree.rajasthan)
    assert codes(ranking)[:2] == [referral.code, second.code]
    assert [link.verified_count for link in ranking[:2]] == [3, 2]

    for member in Member.objects.filter(referred_by=referral)[:2]:
        services.member_not_me(token=services.not_me_token(member))
    ranking = leaderboards.referrers(cast.state_admin, tree.rajasthan)
    assert codes(ranking)[:2] == [second.code, referral.code]
    assert [link.verified_count for link in ranking[:2]] == [2, 1]
    assert mine[0].status == "verified"


def test_a_frozen_link_keeps_the_count_it_had(tree, cast, referral):
    join(tree.booth1, referral=referral, verify=True)
    ReferralCode.objects.filter(pk=referral.pk).update(frozen=True)
    join(tree.booth1, referral=referral, verify=True)
    ranking = leaderboards.referrers(cast.state_admin, tree.rajasthan)
    assert ranking[0].code == referral.code and ranking[0].verified_count == 1 and ranking[0].frozen


def test_units_are_ranked_per_booth_from_the_counters(tree, cast):
    for _ in range(3):
        join(tree.booth1, verify=True)  # Jaipur: 3 members, 2 booths = 1.5 a booth
    for _ in range(2):
        join(tree.ajmer_booth, verify=True)  # Ajmer: 2 members, 1 booth = 2.0 a booth
    district = Level.objects.get(code="district")
    ranks = leaderboards.units(cast.state_admin, tree.rajasthan, district)
    assert [(r.unit, r.verified, r.booths, r.per_booth) for r in ranks] == [
        (tree.ajmer, 2, 1, 2.0),
        (tree.jaipur, 3, 2, 1.5),
    ]
    booths = leaderboards.units(cast.state_admin, tree.rajasthan, Level.objects.get(code="booth"))
    assert [(r.unit, r.verified) for r in booths] == [(tree.booth1, 3), (tree.ajmer_booth, 2), (tree.booth2, 0)]
    assert "district" in [lv.code for lv in leaderboards.levels_below(tree.rajasthan)]
    assert "state" not in [lv.code for lv in leaderboards.levels_below(tree.rajasthan)]


def test_the_page_ranks_within_the_users_scope(client, cast, tree, referral):
    join(tree.booth1, referral=referral, verify=True)
    join(tree.ajmer_booth, verify=True, name="Ajmer Member")
    client = log_in(client, cast.district_admin)
    page = client.get(reverse("membership:leaders", args=[tree.jaipur.pk]) + "?level=booth")
    html = page.content.decode()
    assert page.status_code == 200
    shown = f'<code class="small">{referral.code}</code>'
    assert "Amer School" in html and "Kishangarh Mandi" not in html and shown in html
    assert client.get(reverse("membership:leaders", args=[tree.ajmer.pk])).status_code == 404
    sibling = log_in(client, cast.sibling_admin)
    assert sibling.get(reverse("membership:leaders", args=[tree.jaipur.pk])).status_code == 404
    own = sibling.get(reverse("membership:leaders", args=[tree.ajmer.pk])).content.decode()
    assert shown not in own and "Ajmer South" in own
