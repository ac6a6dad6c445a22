"""The daily snapshot behind the progress chart: for every unit down to ``PLAN_SNAPSHOT_LEVEL``
(default: assembly constituencies), one row per milestone with total, done and overdue.

Computed with the dashboard's own roll-up over counters loaded in bulk (a few queries per 1,000
units), so the chart and the dashboard never disagree.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sangathan.org.models import Level, Unit
from sangathan.planning import selectors
from sangathan.planning.models import Plan, PlanSnapshot

CHUNK = 1000


def snapshot_level_order() -> int:
    code = getattr(settings, "PLAN_SNAPSHOT_LEVEL", "assembly")
    level = Level.objects.filter(code=code).first()
    return level.order if level is not None else 50


@transaction.atomic
def snapshot_write(*, today: datetime.date | None = None, units=None) -> int:
    """Write today's snapshot rows (replacing any written earlier today). Returns how many."""
    today = today or timezone.localdate()
    plans = list(Plan.objects.filter(is_template=False).select_related("scope", "scope__level"))
    if not plans:
        return 0
    milestones = selectors._milestones_by_plan(plans)
    if units is None:
        units = Unit.objects.filter(level__order__lte=snapshot_level_order())
    units = units.select_related("level").order_by("path")
    PlanSnapshot.objects.filter(date=today, unit__in=units.values("id")).delete()
    written = 0
    last_path = ""
    while True:
        chunk = list(units.filter(path__gt=last_path)[:CHUNK])
        if not chunk:
            break
        last_path = chunk[-1].path
        loaded = selectors._Loaded(
            [*chunk, *[plan.scope for plan in plans]], registered=selectors._registered_in(milestones)
        )
        rows = []
        for unit in chunk:
            above = [p for p in plans if unit.path.startswith(p.scope.path)]
            governing = max(above, key=lambda p: len(p.scope.path)) if above else None
            inner = [p for p in plans if p.scope.path != unit.path and p.scope.path.startswith(unit.path)]
            if governing is None and not inner:
                continue
            for level in selectors._rollup(unit, governing, inner, milestones, loaded, today):
                for row in level.milestones:
                    rows.append(
                        PlanSnapshot(
                            unit=unit,
                            date=today,
                            level=row.level,
                            kind=row.kind,
                            total=row.total,
                            done=row.done,
                            overdue=row.overdue,
                        )
                    )
        PlanSnapshot.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written
