import pytest

from sangathan.org.models import Unit
from sangathan.org.seeding import seed
from sangathan.planning.demo import demo_plan
from sangathan.planning.models import PlanSnapshot
from sangathan.planning.selectors import dashboard_for_unit


@pytest.mark.django_db
def test_demo_plan():
    state = seed("demo")
    plan = demo_plan(state=state)
    assert plan is not None and plan.scope == state
    assert PlanSnapshot.objects.filter(unit=state).dates("date", "day").count() == 14
    board = dashboard_for_unit(Unit.objects.select_related("level").get(pk=state.pk))
    kinds = {(row.level.code, row.kind): row for level in board.levels for row in level.milestones}
    assert kinds[("district", "appointed")].overdue >= 0 and kinds[("booth", "channels")].done > 0
    assert demo_plan(state=state) is None  # once
