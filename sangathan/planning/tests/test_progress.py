"""Milestones computed from the data at every level: met, due, overdue, after a dissolution; sub-plans."""

import pytest

from sangathan.org import services as org_services
from sangathan.planning import progress, selectors, services
from sangathan.planning.models import Kind, Milestone, ProgressCounter, UnitProgress
from sangathan.planning.tests.helpers import D, appoint, channels, train

pytestmark = pytest.mark.django_db


def rows(unit, today):
    return {
        (row.level.code, row.kind): (row.total, row.done, row.overdue)
        for level in selectors.dashboard_for_unit(unit, today=today).levels
        for row in level.milestones
    }


def check_naive(unit, today):
    assert selectors.fast_rollup(unit, today=today) == selectors.naive_rollup(unit, today=today)


@pytest.fixture
def plan(tree, cast):
    return services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)


def test_template_copied_with_the_seeds_dates(plan):
    dates = {(m.level.code, m.kind): m.due_date for m in plan.milestones.select_related("level")}
    assert dates[("state", "appointed")] == D(2026, 2, 28)
    assert dates[("state", "trained")] == D(2026, 3, 15)
    assert dates[("district", "appointed")] == D(2026, 3, 31)
    assert dates[("assembly", "trained")] == D(2026, 5, 15)
    assert dates[("booth", "appointed")] == D(2026, 5, 31)
    assert dates[("booth", "channels")] == D(2026, 6, 30)
    assert plan.milestones.get(kind="channels").platforms == ["whatsapp_group", "whatsapp_broadcast"]


def test_copy_into_another_year(tree, cast):
    plan = services.plan_create(scope=tree.rajasthan, year=2028, by=cast.state_admin)
    assert plan.milestones.get(level__code="state", kind="appointed").due_date == D(2028, 2, 28)


def test_nothing_done_before_any_deadline(tree, plan):
    today = D(2026, 2, 1)
    assert progress.refresh(today=today) == 8  # state, 2 districts, 2 assembly constituencies, 3 booths
    assert rows(tree.rajasthan, today) == {
        ("state", "appointed"): (1, 0, 0),
        ("state", "trained"): (1, 0, 0),
        ("district", "appointed"): (2, 0, 0),
        ("district", "trained"): (2, 0, 0),
        ("assembly", "appointed"): (2, 0, 0),
        ("assembly", "trained"): (2, 0, 0),
        ("booth", "appointed"): (3, 0, 0),
        ("booth", "trained"): (3, 0, 0),
        ("booth", "channels"): (3, 0, 0),
    }
    check_naive(tree.rajasthan, today)


def test_met_due_and_overdue_at_every_level(tree, plan):
    state_head = appoint(tree.rajasthan)
    train(state_head.person)
    jaipur_head = appoint(tree.jaipur)  # appointed, not trained
    appoint(tree.jaipur_ac)
    booth_rep = appoint(tree.booth1)
    train(booth_rep.person)
    channels(tree.booth1)
    channels(tree.booth2, platforms=("whatsapp_group",))  # the broadcast list is missing
    today = D(2026, 4, 20)  # state and district deadlines passed; assembly and booth ahead
    progress.refresh(today=today)
    result = rows(tree.rajasthan, today)
    assert result[("state", "appointed")] == (1, 1, 0)
    assert result[("state", "trained")] == (1, 1, 0)
    assert result[("district", "appointed")] == (2, 1, 1)  # Ajmer missed 31 Mar
    assert result[("district", "trained")] == (2, 0, 2)  # nobody trained by 15 Apr
    assert result[("assembly", "appointed")] == (2, 1, 0)  # due 30 Apr: not overdue yet
    assert result[("booth", "appointed")] == (3, 1, 0)
    assert result[("booth", "trained")] == (3, 1, 0)
    assert result[("booth", "channels")] == (3, 1, 0)
    check_naive(tree.rajasthan, today)
    # The same from Jaipur's side: only its own subtree.
    jaipur = rows(tree.jaipur, today)
    assert jaipur[("district", "trained")] == (1, 0, 1)
    assert jaipur[("booth", "appointed")] == (2, 1, 0)
    assert ("state", "appointed") not in jaipur
    check_naive(tree.jaipur, today)
    assert jaipur_head.person_id  # (used)


def test_trained_needs_every_active_appointee(tree, plan):
    key = appoint(tree.jaipur)
    other = appoint(tree.jaipur, key=False)
    train(key.person)
    today = D(2026, 4, 1)
    progress.refresh(tree.jaipur, today=today)
    assert rows(tree.jaipur, today)[("district", "trained")] == (1, 0, 0)
    train(other.person)
    progress.refresh(tree.jaipur, today=today)
    assert rows(tree.jaipur, today)[("district", "trained")] == (1, 1, 0)
    assert rows(tree.rajasthan, today)[("district", "trained")] == (2, 1, 0)  # ancestors moved by the difference
    check_naive(tree.rajasthan, today)


def test_milestone_naming_a_programme(tree, plan):
    Milestone.objects.filter(plan=plan, level__code="booth", kind="trained").update(programme_code="booth-course")
    rep = appoint(tree.booth1)
    train(rep.person)  # the basic course, not the booth course
    today = D(2026, 6, 20)
    progress.refresh(today=today)
    assert rows(tree.rajasthan, today)[("booth", "trained")] == (3, 0, 3)
    train(rep.person, code="booth-course")
    progress.refresh(today=today)
    assert rows(tree.rajasthan, today)[("booth", "trained")] == (3, 1, 2)
    check_naive(tree.rajasthan, today)


def test_dissolution_resets_the_unit(tree, plan, cast):
    head = appoint(tree.jaipur)
    train(head.person)
    today = D(2026, 4, 20)
    progress.refresh(today=today)
    assert rows(tree.rajasthan, today)[("district", "appointed")] == (2, 1, 1)
    assert rows(tree.rajasthan, today)[("district", "trained")] == (2, 1, 1)
    org_services.committee_dissolve(unit=tree.jaipur, reason="did not deliver", by=cast.state_admin)
    # Appointed is live: reset at once. Trained follows at the next refresh.
    assert rows(tree.rajasthan, today)[("district", "appointed")] == (2, 0, 2)
    progress.refresh(tree.jaipur, today=today)
    assert rows(tree.rajasthan, today)[("district", "trained")] == (2, 0, 2)
    check_naive(tree.rajasthan, today)
    late = selectors.late_units_page(selectors.late_units(tree.rajasthan), today=today)
    jaipur = next(item for item in late if item.unit.pk == tree.jaipur.pk)
    assert jaipur.dissolved_at is not None
    assert jaipur.in_charge is None
    assert [m.kind for m in jaipur.missed] == [Kind.APPOINTED, Kind.TRAINED]


def test_late_units_sorted_by_lateness(tree, plan):
    appoint(tree.jaipur)
    today = D(2026, 6, 5)
    progress.refresh(today=today)
    late = selectors.late_units_page(selectors.late_units(tree.rajasthan), today=today)
    assert [item.unit.name_en for item in late][:3] == ["Rajasthan", "Ajmer", "Jaipur"]
    assert late[0].days_late == (today - D(2026, 2, 28)).days
    # Ajmer missed appointment (31 Mar); Jaipur only training (15 Apr): Ajmer is later.
    assert late[1].late_since == D(2026, 3, 31) and late[2].late_since == D(2026, 4, 15)
    assert [item.unit.level.code for item in late][-3:] == ["booth"] * 3


def test_sub_plan_with_tighter_dates_counts_its_own_units(tree, plan, cast):
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    assert jaipur_plan.parent == plan
    booth_appointed = jaipur_plan.milestones.get(level__code="booth", kind="appointed")
    services.milestone_update(milestone=booth_appointed, due_date=D(2026, 5, 10), by=cast.district_admin)
    today = D(2026, 5, 20)  # after Jaipur's booth deadline, before the state's
    progress.refresh(today=today)
    state = rows(tree.rajasthan, today)
    assert state[("booth", "appointed")] == (3, 0, 2)  # Jaipur's two booths are late; Ajmer's is not yet
    jaipur = rows(tree.jaipur, today)
    assert jaipur[("booth", "appointed")] == (2, 0, 2)
    check_naive(tree.rajasthan, today)
    check_naive(tree.jaipur, today)
    check_naive(tree.amer, today)
    assert UnitProgress.objects.get(unit=tree.booth1).plan_id == jaipur_plan.pk
    assert UnitProgress.objects.get(unit=tree.ajmer_booth).plan_id == plan.pk


def test_counters_match_a_full_recount_after_subtree_refreshes(tree, plan):
    rep = appoint(tree.booth2)
    train(rep.person)
    today = D(2026, 6, 20)
    progress.refresh(today=today)
    channels(tree.ajmer_booth)
    progress.refresh(tree.kishangarh, today=today)
    progress.refresh(tree.amer, today=today)
    partial = set(ProgressCounter.objects.values_list("unit_id", "level_id", "trained", "channels"))
    progress.refresh(today=today)
    full = set(ProgressCounter.objects.values_list("unit_id", "level_id", "trained", "channels"))
    assert {r for r in partial if r[2] or r[3]} == {r for r in full if r[2] or r[3]}
    check_naive(tree.rajasthan, today)


def test_unit_above_every_plan_sums_the_plans_below(tree, cast):
    """The national unit has no plan; Rajasthan's plan (and Jaipur's tighter one) still add up there."""
    services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)
    jaipur = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    services.milestone_update(
        milestone=jaipur.milestones.get(level__code="booth", kind="appointed"), due_date=D(2026, 5, 10), by=None
    )
    appoint(tree.booth1)
    today = D(2026, 5, 20)
    progress.refresh(today=today)
    india = rows(tree.india, today)
    assert india[("booth", "appointed")] == (3, 1, 1)  # booth 2 late by Jaipur's date; Ajmer's not yet
    assert india[("state", "appointed")] == (1, 0, 1)
    check_naive(tree.india, today)
    board = selectors.dashboard_for_unit(tree.india, today=today)
    assert board.plan is None and board.sub_plans == 2
    booth = next(
        r for level in board.levels for r in level.milestones if r.kind == "appointed" and r.level.code == "booth"
    )
    assert booth.due_date == D(2026, 5, 10)  # the most urgent of the plans below
    children = selectors.children_progress(tree.india, [tree.rajasthan], today=today)
    assert children[tree.rajasthan.pk]
