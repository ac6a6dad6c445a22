"""The org API's levels and posts are filtered to the caller's state: a state's own (added by state shaping,
``org.shaping``) show inside that state and above it, never to another state; the default template's show to
all. Another state's level is unknown as a filter and as an input, like a code that does not exist."""

import pytest

from sangathan.access.models import Role, RoleAssignment
from sangathan.org import shaping
from sangathan.org.models import Level
from sangathan.org.tests.factories import UserFactory, level, make_unit
from sangathan.planning import services as plan_services
from sangathan.planning.models import Milestone
from sangathan.testing import api_client as api

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def shaped(tree, cast):
    """Rajasthan's zone level and spokesperson post; Uttar Pradesh's city level and IT-cell post; an admin of UP."""
    up = make_unit(tree.india, "state", "Uttar Pradesh", name_hi="उत्तर प्रदेश")
    up_admin = UserFactory(username="up_admin")
    RoleAssignment.objects.create(user=up_admin, unit=up, role=Role.STATE_ADMIN)
    zone = shaping.state_level_add(
        state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone", by=cast.state_admin
    )
    spokesperson = shaping.state_position_add(
        state=tree.rajasthan,
        level=level("district"),
        title_hi="प्रवक्ता",
        title_en="Spokesperson",
        seats=2,
        by=cast.state_admin,
    )
    city = shaping.state_level_add(state=up, after=level("district"), name_hi="महानगर", name_en="City", by=up_admin)
    it_cell = shaping.state_position_add(
        state=up, level=level("district"), title_hi="आईटी सेल प्रभारी", title_en="IT cell in-charge", seats=1, by=up_admin
    )
    national = UserFactory(username="national_admin")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.STATE_ADMIN)
    return {
        "up": up,
        "up_admin": up_admin,
        "zone": zone,
        "spokesperson": spokesperson,
        "city": city,
        "it_cell": it_cell,
        "national": national,
    }


def level_codes(user) -> set[str]:
    response = api(user).get(f"{API}/levels/")
    assert response.status_code == 200
    return {row["code"] for row in response.data["results"]}


def position_ids(user, **query) -> set[int]:
    response = api(user).get(f"{API}/positions/", query)
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def test_each_state_sees_the_default_levels_and_its_own_only(cast, shaped):
    defaults = set(Level.objects.filter(state__isnull=True).values_list("code", flat=True))
    zone, city = shaped["zone"].code, shaped["city"].code
    assert level_codes(cast.state_admin) == defaults | {zone}
    assert level_codes(cast.district_admin) == defaults | {zone}  # a district of the state sees its state's
    assert level_codes(cast.sibling_admin) == defaults | {zone}
    assert level_codes(shaped["up_admin"]) == defaults | {city}
    assert level_codes(shaped["national"]) == defaults | {zone, city}  # above both states


def test_each_state_sees_the_default_posts_and_its_own_only(cast, shaped):
    spokesperson, it_cell = shaped["spokesperson"].pk, shaped["it_cell"].pk
    rajasthan = position_ids(cast.district_admin, level="district")
    assert spokesperson in rajasthan and it_cell not in rajasthan
    up = position_ids(shaped["up_admin"], level="district")
    assert it_cell in up and spokesperson not in up
    assert {spokesperson, it_cell} <= position_ids(shaped["national"])
    row = next(r for r in api(cast.viewer).get(f"{API}/positions/").data["results"] if r["id"] == spokesperson)
    assert row["state"] == shaped["spokesperson"].state_id


def test_another_states_level_is_unknown_as_a_filter(cast, shaped):
    response = api(shaped["up_admin"]).get(f"{API}/positions/", {"level": shaped["zone"].code})
    assert response.status_code == 400
    assert api(cast.state_admin).get(f"{API}/positions/", {"level": shaped["zone"].code}).status_code == 200
    assert api(shaped["up_admin"]).get(f"{API}/units/", {"level": shaped["zone"].code}).status_code == 400


def test_another_states_level_is_unknown_to_the_plan_api(cast, shaped):
    plan = plan_services.plan_create(scope=shaped["up"], year=2026, by=shaped["up_admin"])
    before = Milestone.objects.count()
    body = {"level": shaped["zone"].code, "kind": "appointed", "due_date": "2026-04-20"}
    response = api(shaped["up_admin"]).post(f"{API}/plan/plans/{plan.pk}/milestones/", body, format="json")
    assert response.status_code == 400 and "level" in response.data
    assert Milestone.objects.count() == before
    body["level"] = shaped["city"].code
    response = api(shaped["up_admin"]).post(f"{API}/plan/plans/{plan.pk}/milestones/", body, format="json")
    assert response.status_code == 201, response.data


def test_level_and_position_lists_query_counts_are_pinned(cast, shaped, django_assert_num_queries):
    client = api(cast.district_admin)
    client.get(f"{API}/levels/")
    with django_assert_num_queries(2):  # count, page
        client.get(f"{API}/levels/")
    client.get(f"{API}/positions/")
    with django_assert_num_queries(2):
        client.get(f"{API}/positions/")
