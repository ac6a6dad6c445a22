"""Making a plan copies its milestones with bulk_create and moves the plans below under it with one
QuerySet.update (no signals): each leaves one audit entry, on the new plan, with the rows' ids."""

import pytest

from sangathan.audit.models import AuditEntry
from sangathan.planning import services
from sangathan.planning.models import Plan

pytestmark = pytest.mark.django_db


def test_plans_made_below_move_under_a_new_plan_in_the_trail(tree, cast):
    jaipur = services.plan_create(scope=tree.jaipur, year=2026, by=cast.district_admin)
    ajmer = services.plan_create(scope=tree.ajmer, year=2026, by=cast.sibling_admin)
    assert not AuditEntry.objects.filter(additional_data__bulk="plans_moved_under").exists()
    state = services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)
    assert set(Plan.objects.filter(parent=state).values_list("pk", flat=True)) == {jaipur.pk, ajmer.pk}
    moved = AuditEntry.objects.get(additional_data__bulk="plans_moved_under")
    assert moved.object_pk == str(state.pk) and moved.actor == cast.state_admin
    assert sorted(moved.additional_data["ids"]) == sorted([jaipur.pk, ajmer.pk])
    assert moved.additional_data["count"] == 2 and moved.unit_path == tree.rajasthan.path


def test_a_plans_copied_milestones_are_in_the_trail(tree, cast):
    plan = services.plan_create(scope=tree.jaipur, year=2026, by=cast.district_admin)
    copied = AuditEntry.objects.get(additional_data__bulk="milestones_copied", object_pk=str(plan.pk))
    assert sorted(copied.additional_data["ids"]) == sorted(plan.milestones.values_list("pk", flat=True))
    assert copied.actor == cast.district_admin
