"""Set-based refresh of the plan's progress tables (see docs/adr/0003-plan-progress.md).

``refresh(root)`` recomputes, for ``root``'s subtree (the whole tree when None):

1. ``UnitProgress``: one row per unit at a level that has a milestone in the plan governing it,
   written with one ``INSERT … SELECT`` per (plan, level). Plans are processed deepest scope first
   with ``ON CONFLICT DO NOTHING``, so a unit under a sub-plan gets the sub-plan's row and the plan
   above skips it: no per-unit Python, whatever the size of the tree. One ``UPDATE`` per (plan,
   level) then sets ``late_since`` / ``next_due`` from the milestones' dates.
2. ``ProgressCounter``: one ``GROUP BY SUBSTR(path, 1, 4·d)`` per depth over the (sparse) met rows,
   exactly like ``org.coverage.rebuild``; the ancestors above ``root`` move by the difference.

3. Registered kinds (``planning.kinds``): for each (plan, level) milestone of one, the units claimed in
   step 1 that meet its condition become ``UnitKindMet`` rows (one ``INSERT … SELECT``), rolled up per
   depth into ``KindCounter`` the same way; the condition also goes into step 1's CTE for the dates.

Appointed counts are not stored here: the dashboard reads them live from ``org.CoverageCounter``.
The statements and the conditions they evaluate are in ``planning.sql``.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sangathan.org.models import Unit
from sangathan.org.paths import subtree_q
from sangathan.planning import kinds, sql
from sangathan.planning.models import (
    Kind,
    KindCounter,
    Milestone,
    Plan,
    ProgressCounter,
    ProgressRun,
    UnitKindMet,
    UnitProgress,
)


def contribution(unit: Unit) -> dict[int, list[int]]:
    """What ``unit`` and its subtree add to its ancestors' counters: level_id -> [trained, channels]."""
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for level_id, trained, channels in ProgressCounter.objects.filter(unit=unit).values_list(
        "level_id", "trained", "channels"
    ):
        result[level_id][0] += trained
        result[level_id][1] += channels
    own = UnitProgress.objects.filter(unit_id=unit.pk).values_list("level_id", "trained", "channels").first()
    if own is not None:
        result[own[0]][0] += int(own[1])
        result[own[0]][1] += int(own[2])
    return result


def kind_contribution(unit: Unit) -> dict[tuple[int, str], int]:
    """What ``unit`` and its subtree add to its ancestors' ``KindCounter`` rows: (level_id, kind) -> done."""
    result: dict[tuple[int, str], int] = defaultdict(int)
    for level_id, kind, done in KindCounter.objects.filter(unit=unit).values_list("level_id", "kind", "done"):
        result[(level_id, kind)] += done
    for level_id, kind in UnitKindMet.objects.filter(unit_id=unit.pk).values_list("level_id", "kind"):
        result[(level_id, kind)] += 1
    return result


def _apply_kinds_to_ancestors(unit: Unit, delta: dict[tuple[int, str], int]) -> None:
    delta = {key: value for key, value in delta.items() if value}
    if not delta:
        return
    ancestor_ids = list(
        Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).values_list("id", flat=True)
    )
    for (level_id, kind), difference in delta.items():
        KindCounter.objects.bulk_create(
            [KindCounter(unit_id=uid, level_id=level_id, kind=kind) for uid in ancestor_ids], ignore_conflicts=True
        )
        KindCounter.objects.filter(unit_id__in=ancestor_ids, level_id=level_id, kind=kind).update(
            done=F("done") + difference
        )


def _apply_to_ancestors(unit: Unit, delta: dict[int, list[int]]) -> None:
    ancestor_ids = list(
        Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).values_list("id", flat=True)
    )
    if not ancestor_ids:
        return
    for level_id, (d_trained, d_channels) in delta.items():
        if not d_trained and not d_channels:
            continue
        ProgressCounter.objects.bulk_create(
            [ProgressCounter(unit_id=uid, level_id=level_id) for uid in ancestor_ids], ignore_conflicts=True
        )
        ProgressCounter.objects.filter(unit_id__in=ancestor_ids, level_id=level_id).update(
            trained=F("trained") + d_trained, channels=F("channels") + d_channels
        )


def plans_touching(unit: Unit):
    """Plans governing ``unit`` (at or above it) or lying inside its subtree."""
    return Plan.objects.filter(
        Q(scope__path__in=unit.ancestor_paths(include_self=True)) | subtree_q([unit.path], "scope__path"),
        is_template=False,
    )


def refresh(root: Unit | None = None, *, today: datetime.date | None = None, progress=None) -> int:
    """Recompute the progress tables of ``root``'s subtree (every tree when None). Returns how many
    unit rows were written. Each subtree is one transaction; a refresh of an overlapping subtree waits
    (the plans concerned are locked)."""
    today = today or timezone.localdate()
    roots = [root] if root is not None else list(Unit.objects.filter(depth=1).order_by("path"))
    written = 0
    for index, unit in enumerate(roots):
        written += _refresh_subtree(unit, today=today)
        if progress:
            progress(index + 1, len(roots))
    ProgressRun.objects.create(unit=root, finished_at=timezone.now(), units=written)
    return written


@transaction.atomic
def _refresh_subtree(root: Unit, *, today: datetime.date) -> int:
    root = Unit.objects.get(pk=root.pk)
    sql.jit_off()
    plans = list(plans_touching(root).select_for_update(of=("self",)).order_by("pk"))
    scopes = {
        unit.pk: unit for unit in Unit.objects.filter(pk__in=[plan.scope_id for plan in plans]).only("path", "depth")
    }
    before, kinds_before = contribution(root), kind_contribution(root)
    sql.progress_delete(path=root.path)
    sql.kind_met_delete(path=root.path)
    subtree_ids = Unit.objects.filter(subtree_q([root.path])).values("id")
    ProgressCounter.objects.filter(unit__in=subtree_ids).delete()
    KindCounter.objects.filter(unit__in=subtree_ids).delete()

    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(plan__in=plans).order_by("due_date", "kind"):
        milestones[milestone.plan_id].append(milestone)
    now = timezone.now()
    # Deepest scope first: a unit under a sub-plan is claimed by it; the plans above skip it.
    for plan in sorted(plans, key=lambda p: -scopes[p.scope_id].depth):
        scope = scopes[plan.scope_id]
        region = root if root.path.startswith(scope.path) else scope
        by_level: dict[int, list[Milestone]] = defaultdict(list)
        for milestone in milestones[plan.pk]:
            by_level[milestone.level_id].append(milestone)
        for level_id, level_milestones in by_level.items():
            of_kind = {m.kind: m for m in level_milestones}
            extra = {
                kind: sql.kind_condition(milestone, kind)
                for kind, milestone in of_kind.items()
                if not kinds.is_builtin(kind)
            }
            sql.progress_insert(
                plan_id=plan.pk,
                level_id=level_id,
                path=region.path,
                trained=sql.trained_condition(of_kind.get(Kind.TRAINED)),
                channels=sql.channels_condition(of_kind.get(Kind.CHANNELS)),
                late=sql.first_unmet([m for m in level_milestones if m.due_date < today]),
                next_due=sql.first_unmet([m for m in level_milestones if m.due_date >= today]),
                now=now,
                extra=extra,
            )
            for kind, condition in extra.items():
                sql.kind_met_insert(
                    plan_id=plan.pk, level_id=level_id, path=region.path, kind=kind, condition=condition
                )

    # (SQLite reports no row count for a statement that starts with WITH: count once.)
    written = UnitProgress.objects.filter(subtree_q([root.path])).count()

    # Roll-ups, one GROUP BY per depth, over the met rows only.
    for depth in range(root.depth, sql.progress_depth_max(path=root.path)):
        sql.progress_counters_insert(path=root.path, depth=depth)
    after = contribution(root)
    delta = {
        level: [after[level][0] - before[level][0], after[level][1] - before[level][1]]
        for level in set(after) | set(before)
    }
    _apply_to_ancestors(root, delta)
    for depth in range(root.depth, sql.kind_depth_max(path=root.path)):
        sql.kind_counters_insert(path=root.path, depth=depth)
    kinds_after = kind_contribution(root)
    _apply_kinds_to_ancestors(
        root, {key: kinds_after.get(key, 0) - kinds_before.get(key, 0) for key in set(kinds_after) | set(kinds_before)}
    )
    return written
