"""The plan API under /api/v1/plan/: plans and deadlines (list, detail, create, add, move), progress with
the web's numbers; scope (404 outside, 403 inside but not allowed, nothing changed); bad input (400 with a
translated message, nothing changed); query counts pinned on the lists."""

import pytest
from django.utils import timezone, translation

from sangathan.audit.models import AuditEntry
from sangathan.org.tests.factories import level
from sangathan.planning import progress, selectors, services
from sangathan.planning.models import Milestone, Plan
from sangathan.planning.tests.helpers import appoint, train
from sangathan.testing import api_client as api
from sangathan.testing import first_message

pytestmark = pytest.mark.django_db

API = "/api/v1/plan"


def milestone_rows() -> list[tuple]:
    return list(Milestone.objects.order_by("pk").values_list("pk", "plan_id", "level_id", "kind", "due_date"))


@pytest.fixture
def plan(tree, cast):
    return services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)


@pytest.fixture
def jaipur_plan(tree, cast, plan):
    return services.plan_create(scope=tree.jaipur, by=cast.district_admin)


@pytest.fixture
def ajmer_plan(tree, cast, plan):
    return services.plan_create(scope=tree.ajmer, by=cast.sibling_admin)


# ---------------------------------------------------------------- plans


def test_lists_only_the_plans_in_scope_with_their_deadlines(cast, plan, jaipur_plan, ajmer_plan):
    response = api(cast.district_admin).get(f"{API}/plans/")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [jaipur_plan.pk]
    row = response.data["results"][0]
    assert row["parent"] == plan.pk
    assert len(row["milestones"]) == jaipur_plan.milestones.count() == 9
    state = api(cast.state_admin).get(f"{API}/plans/")
    assert {row["id"] for row in state.data["results"]} == {plan.pk, jaipur_plan.pk, ajmer_plan.pk}


def test_plan_list_query_count_is_pinned(cast, tree, plan, jaipur_plan, ajmer_plan, django_assert_num_queries):
    client = api(cast.state_admin)
    client.get(f"{API}/plans/")  # the user's roles are cached on the (forced) user object from here on
    # count, page of plans, milestones with their levels
    with django_assert_num_queries(3):
        response = client.get(f"{API}/plans/")
    assert len(response.data["results"]) == 3


def test_plan_detail_outside_scope_is_404(cast, jaipur_plan, ajmer_plan):
    assert api(cast.district_admin).get(f"{API}/plans/{jaipur_plan.pk}/").status_code == 200
    assert api(cast.district_admin).get(f"{API}/plans/{ajmer_plan.pk}/").status_code == 404
    assert api(cast.district_admin).get(f"{API}/plans/{10**30}/").status_code == 404


def test_district_admin_makes_their_plan_from_the_state_plan(tree, cast, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast.district_admin).post(f"{API}/plans/", {"unit": tree.jaipur.pk}, format="json")
    assert response.status_code == 201, response.data
    created = Plan.objects.get(scope=tree.jaipur)
    assert response.data["id"] == created.pk and response.data["parent"] == plan.pk
    assert {m["due_date"] for m in response.data["milestones"]} == {
        m.due_date.isoformat() for m in plan.milestones.all()
    }
    assert AuditEntry.objects.get_for_object(created).exists()


def test_creating_a_plan_for_a_sibling_district_is_404_and_changes_nothing(tree, cast, plan):
    before = list(Plan.objects.values_list("pk", flat=True))
    response = api(cast.sibling_admin).post(f"{API}/plans/", {"unit": tree.jaipur.pk}, format="json")
    assert response.status_code == 400  # the unit is unknown to them, like an id that does not exist
    assert list(Plan.objects.values_list("pk", flat=True)) == before


def test_a_viewer_may_not_create_a_plan(tree, cast, plan):
    response = api(cast.viewer).post(f"{API}/plans/", {"unit": tree.jaipur.pk}, format="json")
    assert response.status_code == 403
    assert not Plan.objects.filter(scope=tree.jaipur).exists()


def test_a_second_plan_for_a_unit_is_refused_in_hindi(tree, cast, plan):
    with translation.override("hi"):
        response = api(cast.state_admin, "hi").post(f"{API}/plans/", {"unit": tree.rajasthan.pk}, format="json")
    assert response.status_code == 400
    assert "पहले से" in first_message(response.data)
    assert Plan.objects.filter(scope=tree.rajasthan).count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"unit": "x"}, {"unit": 10**30}, {"unit": None}, {"year": 1999}, {"year": "soon"}, {"title_hi": "x" * 201}],
)
def test_bad_plan_input_is_400(tree, cast, body):
    body = {"unit": tree.jaipur.pk, **body} if "unit" not in body and body else body
    before = Plan.objects.count()
    response = api(cast.state_admin).post(f"{API}/plans/", body, format="json")
    assert response.status_code == 400
    assert Plan.objects.count() == before


# ---------------------------------------------------------------- deadlines


def test_state_admin_adds_a_block_deadline_that_reaches_the_plans_below(cast, plan, jaipur_plan):
    body = {"level": "block", "kind": "appointed", "due_date": "2026-04-20"}
    response = api(cast.state_admin).post(f"{API}/plans/{plan.pk}/milestones/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["level"] == "block" and response.data["due_date"] == "2026-04-20"
    assert jaipur_plan.milestones.filter(level=level("block"), kind="appointed").exists()
    added = Milestone.objects.get(pk=response.data["id"])
    assert AuditEntry.objects.get_for_object(added).get().actor == cast.state_admin


def test_a_district_cannot_add_to_the_state_plan(cast, plan, jaipur_plan):
    before = milestone_rows()
    body = {"level": "block", "kind": "appointed", "due_date": "2026-04-20"}
    assert api(cast.district_admin).post(f"{API}/plans/{plan.pk}/milestones/", body, format="json").status_code == 404
    assert api(cast.viewer).post(f"{API}/plans/{jaipur_plan.pk}/milestones/", body, format="json").status_code == 403
    assert milestone_rows() == before


@pytest.mark.parametrize(
    "body",
    [
        {"level": "nope", "kind": "appointed", "due_date": "2026-04-20"},
        {"level": "block", "kind": "channels", "due_date": "2026-04-20"},
        {"level": "block", "kind": "appointed", "due_date": "20.04.2026"},
        {"level": "block", "kind": "appointed", "due_date": "1999-04-20"},
        {"level": "state", "kind": "appointed", "due_date": "2026-04-20"},
        {"level": "district", "kind": "appointed", "due_date": "2026-04-20"},  # it has this deadline already
        {"level": "bad\x00code", "kind": "appointed", "due_date": "2026-04-20"},
        {},
    ],
)
def test_bad_deadline_input_is_400_and_changes_nothing(cast, plan, body):
    before = milestone_rows()
    response = api(cast.state_admin).post(f"{API}/plans/{plan.pk}/milestones/", body, format="json")
    assert response.status_code == 400, response.data
    assert first_message(response.data)
    assert milestone_rows() == before


def test_moving_a_deadline_later_than_the_plan_above_is_refused_in_hindi(cast, plan, jaipur_plan):
    own = jaipur_plan.milestones.select_related("level").get(level=level("district"), kind="appointed")
    before = milestone_rows()
    with translation.override("hi"):
        response = api(cast.district_admin, "hi").patch(
            f"{API}/milestones/{own.pk}/", {"due_date": "2026-12-31"}, format="json"
        )
    assert response.status_code == 400
    assert "ऊपर" in first_message(response.data) or "बाद" in first_message(response.data)
    assert milestone_rows() == before


def test_moving_a_deadline_earlier_brings_the_plans_below_forward(cast, plan, jaipur_plan):
    state = plan.milestones.get(level=level("booth"), kind="appointed")
    earlier = state.due_date.replace(day=1)
    response = api(cast.state_admin).patch(f"{API}/milestones/{state.pk}/", {"due_date": earlier}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["due_date"] == earlier.isoformat()
    assert jaipur_plan.milestones.get(level=level("booth"), kind="appointed").due_date == earlier


def test_milestones_of_a_sibling_are_404(cast, ajmer_plan):
    milestone = ajmer_plan.milestones.first()
    before = milestone_rows()
    client = api(cast.district_admin)
    assert client.get(f"{API}/milestones/{milestone.pk}/").status_code == 404
    assert (
        client.patch(f"{API}/milestones/{milestone.pk}/", {"due_date": "2026-01-01"}, format="json").status_code == 404
    )
    assert milestone_rows() == before


# ---------------------------------------------------------------- progress


def _progress_numbers(data) -> dict:
    return {
        (row["level"]["code"], m["kind"]): (m["total"], m["done"], m["overdue"])
        for row in data["levels"]
        for m in row["milestones"]
    }


def test_progress_has_the_numbers_of_the_plan_page(tree, cast, plan, jaipur_plan):
    head = appoint(tree.jaipur)
    train(head.person)
    appoint(tree.booth1)
    progress.refresh(today=timezone.localdate())
    response = api(cast.state_admin).get(f"{API}/units/{tree.rajasthan.pk}/progress/")
    assert response.status_code == 200
    assert response.data["plan"] == plan.pk and response.data["sub_plans"] == 1
    numbers = _progress_numbers(response.data)
    expected = {
        (lv.level.code, m.kind): (m.total, m.done, m.overdue)
        for lv in selectors.dashboard_for_unit(tree.rajasthan).levels
        for m in lv.milestones
    }
    assert numbers == expected
    assert numbers[("district", "appointed")][:2] == (2, 1)
    naive = selectors.naive_rollup(tree.rajasthan)
    assert {(level_id, kind) for level_id, kind in naive} == {(level(code).pk, kind) for code, kind in numbers}


def test_children_progress_is_paged_and_matches_each_childs_own(tree, cast, plan):
    appoint(tree.jaipur)
    client = api(cast.state_admin)
    response = client.get(f"{API}/units/{tree.rajasthan.pk}/progress/children/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.data["results"]}
    assert set(rows) == {tree.jaipur.pk, tree.ajmer.pk}
    own = client.get(f"{API}/units/{tree.jaipur.pk}/progress/")
    assert _progress_numbers(rows[tree.jaipur.pk]) == _progress_numbers(own.data)


def test_progress_of_a_sibling_district_is_404(tree, cast, plan):
    client = api(cast.district_admin)
    assert client.get(f"{API}/units/{tree.jaipur.pk}/progress/").status_code == 200
    assert client.get(f"{API}/units/{tree.ajmer.pk}/progress/").status_code == 404
    assert client.get(f"{API}/units/{tree.ajmer.pk}/progress/children/").status_code == 404
    assert client.get(f"{API}/units/{tree.rajasthan.pk}/progress/").status_code == 404


def test_children_progress_query_count_is_pinned(tree, cast, plan, jaipur_plan, django_assert_num_queries):
    client = api(cast.state_admin)
    client.get(f"{API}/units/{tree.rajasthan.pk}/progress/children/")
    # the unit, the count and page of children, the plans, their milestones, the counters of the children
    with django_assert_num_queries(10):
        response = client.get(f"{API}/units/{tree.rajasthan.pk}/progress/children/")
    assert len(response.data["results"]) == 2
