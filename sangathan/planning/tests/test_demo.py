import pytest

from sangathan.org.models import Unit
from sangathan.org.seeding import seed
from sangathan.planning.demo import demo_plan
from sangathan.planning.models import PlanSnapshot
from sangathan.planning.selectors import dashboard_for_unit
from sangathan.training import counters
from sangathan.training.models import Completion, Programme, TrainedPostCounter


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


@pytest.mark.django_db
def test_after_the_demo_plan_every_trained_counter_equals_a_naive_count():
    """The demo bulk-inserts completions without the services; it rebuilds the trained-post counters."""
    state = seed("demo")
    if not Programme.objects.filter(code="digital-wing-basics").exists():
        Programme.objects.create(code="digital-wing-basics", name_en="Digital wing basics", name_hi="डिजिटल विंग")
    demo_plan(state=state)
    assert Completion.objects.exists()
    kept = dict(TrainedPostCounter.objects.values_list("unit_id", "trained"))
    units = list(Unit.objects.filter(path__startswith=state.path[:4]))
    assert any(kept.get(unit.pk, 0) for unit in units)
    for unit in units:
        assert kept.get(unit.pk, 0) == counters.naive_count(unit), unit
