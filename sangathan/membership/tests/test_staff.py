"""The staff page of the membership drive: counts from the counters, child units with bars, join links,
the member list masked for those without ``view_personal``, and scope (a sibling district sees nothing of
Jaipur's members and changes nothing)."""

import pytest
from django.urls import reverse

from sangathan.membership.models import MemberCounter, ReferralCode
from sangathan.membership.tests.conftest import join
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


def page_of(client, unit):
    return client.get(reverse("membership:unit", args=[unit.pk]))


@pytest.fixture
def members(tree, referral):
    return {
        "verified": join(tree.booth1, name="Seema Meena", epic="RJX1234567", referral=referral, verify=True),
        "pending": join(tree.booth2, name="Pending Person"),
        "ajmer": join(tree.ajmer_booth, name="Ajmer Member", verify=True),
    }


def test_the_district_page_shows_counts_children_and_its_members_only(client, cast, tree, members):
    response = page_of(log_in(client, cast.district_admin), tree.jaipur)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="verified-count">1<' in page
    assert "Jaipur North" in page and "Seema Meena" in page and "Pending Person" in page
    assert "Ajmer Member" not in page
    assert members["verified"].mobile[3:8] in page.replace(" ", "")  # a unit admin sees the number


def test_counts_come_from_the_counters_not_from_counting_members(client, cast, tree, members):
    MemberCounter.objects.filter(unit=tree.jaipur).update(verified=12345)
    page = page_of(log_in(client, cast.district_admin), tree.jaipur).content.decode()
    assert 'id="verified-count">12,345<' in page


def test_a_viewer_sees_members_masked(client, cast, tree, members):
    page = page_of(log_in(client, cast.viewer), tree.jaipur).content.decode()
    member = members["verified"]
    assert "Seema Meena" in page
    assert member.mobile[3:] not in page.replace(" ", "") and "RJX1234567" not in page and "RJX•••••67" in page


def test_a_sibling_district_cannot_see_or_change_jaipur(client, cast, tree, members):
    client = log_in(client, cast.sibling_admin)
    assert page_of(client, tree.jaipur).status_code == 404
    assert page_of(client, tree.booth1).status_code == 404
    before = ReferralCode.objects.count()
    assert client.post(reverse("membership:codes", args=[tree.jaipur.pk])).status_code == 404
    assert ReferralCode.objects.count() == before
    own = page_of(client, tree.ajmer).content.decode()
    assert "Ajmer Member" in own and "Seema Meena" not in own


def test_the_state_sees_both_districts_with_bars(client, cast, tree, members):
    page = page_of(log_in(client, cast.state_admin), tree.rajasthan).content.decode()
    assert "Jaipur" in page and "Ajmer" in page and 'class="fill good"' in page


def test_home_goes_to_the_users_unit_and_an_outsider_has_none(client, cast, tree):
    response = log_in(client, cast.district_admin).get(reverse("membership:home"))
    assert response.status_code == 302 and response.url == reverse("membership:unit", args=[tree.jaipur.pk])
    outsider = log_in(client.__class__(), cast.outsider)
    assert outsider.get(reverse("membership:home")).status_code == 200
    assert page_of(outsider, tree.jaipur).status_code == 404
    assert client.__class__().get(reverse("membership:home")).status_code == 302  # to the sign-in page


def test_join_links_are_made_by_those_who_may_appoint(client, cast, tree, volunteer):
    viewer = log_in(client.__class__(), cast.viewer)
    assert viewer.post(reverse("membership:codes", args=[tree.booth1.pk])).status_code == 403
    assert not ReferralCode.objects.exists()
    admin = log_in(client, cast.district_admin)
    assert admin.post(reverse("membership:codes", args=[tree.booth1.pk])).status_code == 302
    kinds = set(ReferralCode.objects.values_list("kind", flat=True))
    assert kinds == {"unit", "person"}
    page = page_of(admin, tree.booth1).content.decode()
    assert "Ramesh Volunteer" in page


def test_the_page_reads_a_fixed_number_of_queries(client, cast, tree, members, django_assert_max_num_queries):
    client = log_in(client, cast.state_admin)
    with django_assert_max_num_queries(20):
        page_of(client, tree.rajasthan)
    for _ in range(5):
        join(tree.booth1, verify=True)
    with django_assert_max_num_queries(20):
        page_of(client, tree.rajasthan)
