"""Plans and their deadlines: copying, the parent/child rule (tighten, never loosen), propagation."""

import pytest

from sangathan.planning import services
from sangathan.planning.errors import PlanError
from sangathan.planning.models import Milestone, Plan
from sangathan.planning.tests.helpers import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree, cast):
    return services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)


def date_of(plan, level, kind):
    return plan.milestones.get(level__code=level, kind=kind).due_date


def test_sub_plan_copies_the_parent(tree, cast, plan):
    services.milestone_update(
        milestone=plan.milestones.get(level__code="booth", kind="trained"), due_date=D(2026, 6, 10), by=cast.state_admin
    )
    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    assert jaipur.parent == plan and jaipur.year == 2026
    assert date_of(jaipur, "booth", "trained") == D(2026, 6, 10)
    assert jaipur.milestones.count() == plan.milestones.count()


def test_one_plan_per_unit(tree, cast, plan):
    with pytest.raises(PlanError):
        services.plan_create(scope=tree.rajasthan, by=cast.state_admin)
    assert Plan.objects.filter(scope=tree.rajasthan).count() == 1


def test_child_may_tighten(tree, cast, plan):
    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    milestone = jaipur.milestones.get(level__code="assembly", kind="appointed")
    services.milestone_update(milestone=milestone, due_date=D(2026, 4, 15), by=cast.district_admin)
    assert date_of(jaipur, "assembly", "appointed") == D(2026, 4, 15)
    assert date_of(plan, "assembly", "appointed") == D(2026, 4, 30)


def test_child_may_not_loosen_and_nothing_changes(tree, cast, plan):
    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    milestone = jaipur.milestones.get(level__code="booth", kind="appointed")
    with pytest.raises(PlanError) as refused:
        services.milestone_update(milestone=milestone, due_date=D(2026, 6, 15), by=cast.district_admin)
    assert refused.value.code == "looser_than_parent"
    assert date_of(jaipur, "booth", "appointed") == D(2026, 5, 31)


def test_refusal_is_in_hindi(tree, cast, plan):
    from django.utils import translation

    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    milestone = jaipur.milestones.get(level__code="booth", kind="appointed")
    with translation.override("hi"), pytest.raises(PlanError) as refused:
        services.milestone_update(milestone=milestone, due_date=D(2026, 6, 15), by=cast.district_admin)
    assert "ढील" in refused.value.messages[0]


def test_bulk_edit_is_all_or_nothing(tree, cast, plan):
    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    tighter = jaipur.milestones.get(level__code="assembly", kind="appointed")
    looser = jaipur.milestones.get(level__code="booth", kind="appointed")
    with pytest.raises(PlanError):
        services.milestones_update(
            plan=jaipur, dates={tighter.pk: D(2026, 4, 1), looser.pk: D(2026, 7, 1)}, by=cast.district_admin
        )
    assert Milestone.objects.get(pk=tighter.pk).due_date == D(2026, 4, 30)


def test_parent_moving_earlier_brings_children_forward(tree, cast, plan):
    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    amer = services.plan_create(scope=tree.amer, by=cast.district_admin)
    assert amer.parent == jaipur
    services.milestone_update(
        milestone=jaipur.milestones.get(level__code="booth", kind="appointed"),
        due_date=D(2026, 5, 20),
        by=cast.district_admin,
    )
    changed = services.milestone_update(
        milestone=plan.milestones.get(level__code="booth", kind="appointed"), due_date=D(2026, 5, 15), by=None
    )
    assert {p.pk for p in changed} == {jaipur.pk, amer.pk}
    assert date_of(jaipur, "booth", "appointed") == D(2026, 5, 15)
    assert date_of(amer, "booth", "appointed") == D(2026, 5, 15)
    # Moving the parent later leaves the children's tighter dates alone.
    services.milestone_update(
        milestone=plan.milestones.get(level__code="booth", kind="appointed"), due_date=D(2026, 6, 5), by=None
    )
    assert date_of(jaipur, "booth", "appointed") == D(2026, 5, 15)


def test_plan_made_above_existing_sub_plans_adopts_and_tightens_them(tree, cast):
    jaipur = services.plan_create(scope=tree.jaipur, year=2026, by=cast.district_admin)
    services.milestone_update(
        milestone=jaipur.milestones.get(level__code="booth", kind="channels"), due_date=D(2026, 6, 20), by=None
    )
    Milestone.objects.filter(plan=jaipur, level__code="booth", kind="appointed").update(due_date=D(2026, 8, 1))
    state = services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)
    jaipur.refresh_from_db()
    assert jaipur.parent == state
    assert date_of(jaipur, "booth", "appointed") == D(2026, 5, 31)
    assert date_of(jaipur, "booth", "channels") == D(2026, 6, 20)


def test_template_is_not_edited_and_dates_are_checked(tree, cast, plan):
    template = services.template_plan()
    with pytest.raises(PlanError):
        services.milestone_update(milestone=template.milestones.first(), due_date=D(2026, 1, 1), by=None)
    with pytest.raises(PlanError):
        services.milestone_update(milestone=plan.milestones.first(), due_date=D(1990, 1, 1), by=None)
    with pytest.raises(PlanError):
        services.plan_create(scope=tree.jaipur, year=1800, by=None)
