"""Each statement of ``planning.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL)."""

from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sangathan.org.models import Appointment
from sangathan.planning import progress, services, sql
from sangathan.planning.models import Kind, Milestone, Plan, ProgressCounter, UnitProgress
from sangathan.planning.tests.helpers import D, appoint, train

pytestmark = pytest.mark.django_db

TODAY = D(2026, 6, 20)  # booths were to be appointed by 31 May and trained by 15 Jun


@pytest.fixture
def late(tree, cast):
    """A state plan, refreshed on TODAY: the block's head, booth 1's representative (not trained)."""
    services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)
    people = {"block": appoint(tree.amer).person_id, "booth1": appoint(tree.booth1).person_id}
    progress.refresh(today=TODAY)
    return people


def test_escalation_groups_count_own_and_children_units(tree, late):
    groups = {row[0]: row for row in sql.escalation_groups(horizon=D(2026, 6, 27))}
    block, booth1 = groups[late["block"]], groups[late["booth1"]]
    assert block[3] == 2  # both booths below the block are late
    assert (booth1[1], booth1[3], booth1[4]) == (1, 0, 0)  # booth 1's own unit, late on training
    assert booth1[5] is not None


def test_escalation_examples_ranked_per_person(tree, late):
    examples = defaultdict(list)
    for person_id, own, unit_id in sql.escalation_examples(horizon=D(2026, 6, 27), per_person=3):
        examples[person_id].append((own, unit_id))
    assert examples[late["booth1"]] == [(1, tree.booth1.pk)]
    block = examples[late["block"]]
    assert {unit for own, unit in block if not own} == {tree.booth1.pk, tree.booth2.pk}
    assert [own for own, _unit in block] == sorted((own for own, _unit in block), reverse=True)  # own first
    assert all(len(units) == 1 for units in _by_person(sql.escalation_examples(horizon=D(2026, 6, 27), per_person=1)))


def _by_person(rows):
    result = defaultdict(list)
    for person_id, _own, unit_id in rows:
        result[person_id].append(unit_id)
    return result.values()


def _booth_milestones(tree):
    plan = Plan.objects.get(scope=tree.rajasthan)
    milestones = list(Milestone.objects.filter(plan=plan, level_id=tree.booth1.level_id))
    return plan, milestones, {m.kind: m for m in milestones}


def test_progress_delete_then_insert_a_level(tree, late):
    plan, milestones, of_kind = _booth_milestones(tree)
    in_jaipur = UnitProgress.objects.filter(path__startswith=tree.jaipur.path)
    elsewhere = UnitProgress.objects.exclude(path__startswith=tree.jaipur.path).count()
    assert in_jaipur.exists()
    sql.progress_delete(path=tree.jaipur.path)
    assert not in_jaipur.exists() and UnitProgress.objects.count() == elsewhere
    past = [m for m in milestones if m.due_date < TODAY]
    for _run in range(2):  # the second adds nothing: ON CONFLICT DO NOTHING
        sql.progress_insert(
            plan_id=plan.pk,
            level_id=tree.booth1.level_id,
            path=tree.jaipur.path,
            trained=sql.trained_condition(of_kind.get(Kind.TRAINED)),
            channels=sql.channels_condition(of_kind.get(Kind.CHANNELS)),
            late=sql.first_unmet(past),
            next_due=sql.first_unmet([m for m in milestones if m.due_date >= TODAY]),
            now=timezone.now(),
        )
    rows = {row.unit_id: row for row in in_jaipur}
    assert set(rows) == {tree.booth1.pk, tree.booth2.pk}
    assert rows[tree.booth1.pk].appointed and not rows[tree.booth1.pk].trained
    assert not rows[tree.booth2.pk].appointed
    assert rows[tree.booth2.pk].late_since == min(m.due_date for m in past)  # the appointment deadline
    assert rows[tree.booth1.pk].late_since == of_kind[Kind.TRAINED].due_date


def test_progress_counters_per_depth(tree, late):
    assert not ProgressCounter.objects.exists()  # nothing met yet
    assert sql.progress_depth_max(path=tree.rajasthan.path) == 0
    UnitProgress.objects.filter(unit=tree.booth1).update(trained=True)
    assert sql.progress_depth_max(path=tree.rajasthan.path) == tree.booth1.depth
    sql.progress_counters_insert(path=tree.rajasthan.path, depth=tree.amer.depth)
    counters = list(ProgressCounter.objects.values_list("unit_id", "level_id", "trained", "channels"))
    assert counters == [(tree.amer.pk, tree.booth1.level_id, 1, 0)]


def test_naive_level_counts_over_a_region_with_holes(tree, late):
    _plan, _milestones, of_kind = _booth_milestones(tree)

    def counts(holes):
        return sql.naive_level_counts(
            level_id=tree.booth1.level_id,
            where=sql.region_condition("u.path", tree.rajasthan.path, holes=holes),
            trained=sql.trained_condition(of_kind.get(Kind.TRAINED)),
            channels=sql.channels_condition(of_kind.get(Kind.CHANNELS)),
        )

    assert counts([]) == (3, 1, 0, 0)  # three booths, booth 1 appointed, nobody trained
    assert counts([tree.jaipur.path]) == (1, 0, 0, 0)
    train(Appointment.objects.get(unit=tree.booth1).person)
    assert counts([]) == (3, 1, 1, 0)
    assert sql.trained_condition(None) == sql.channels_condition(None) == (sql.NEVER, [])


def test_jit_off_inside_a_transaction(tree):
    with transaction.atomic():
        sql.jit_off()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                assert cursor.fetchone()[0] == "off"
