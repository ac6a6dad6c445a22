"""Reads of plans and their progress. Callers pass units already checked against the user's scope.

A unit's dashboard counts *regions*: the unit's subtree is governed by the plan at or above it,
except where a sub-plan (a plan of a unit inside the subtree) sets its own dates. For each region
root R and level L, counts are ``full(R) − Σ full(hole)`` over the sub-plan scopes directly inside
R, where ``full(x)`` is x itself plus its counters (``org.CoverageCounter`` for units and key posts
filled, live; ``ProgressCounter`` for trained and channels, as of the last refresh). A handful of
indexed queries, whatever the size of the subtree; ``naive_rollup`` is the same answer by scanning.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise

from sangathan.org.models import Appointment, CommitteeEvent, CoverageCounter, Level, Unit
from sangathan.org.paths import subtree_q
from sangathan.planning import kinds, sql
from sangathan.planning.models import (
    Kind,
    KindCounter,
    Milestone,
    Plan,
    PlanSnapshot,
    ProgressCounter,
    ProgressRun,
    UnitKindMet,
    UnitProgress,
)


@dataclass
class MilestoneProgress:
    level: Level
    kind: str
    due_date: datetime.date  # the governing plan's date (sub-plans may be earlier)
    today: datetime.date
    total: int = 0
    done: int = 0
    overdue: int = 0
    earliest_due: datetime.date | None = None

    @property
    def pending(self) -> int:
        return self.total - self.done - self.overdue

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0

    @property
    def days_left(self) -> int:
        return (self.due_date - self.today).days

    @property
    def days_late(self) -> int:
        return -self.days_left

    @property
    def kind_label(self) -> str | Promise:
        return kinds.label(self.kind)

    @property
    def tightened(self) -> bool:
        return self.earliest_due is not None and self.earliest_due < self.due_date


@dataclass
class LevelProgress:
    level: Level
    milestones: list[MilestoneProgress] = field(default_factory=list)
    chart: str = ""  # the SVG drawn by the view


@dataclass
class Dashboard:
    unit: Unit
    plan: Plan | None
    today: datetime.date
    levels: list[LevelProgress]
    refreshed_at: datetime.datetime | None
    sub_plans: int = 0
    inner: list[Plan] = field(default_factory=list)  # the sub-plans inside the subtree
    milestones: dict[int, list[Milestone]] = field(default_factory=dict)


# ---------------------------------------------------------------- counting regions


@dataclass
class _Counts:
    total: int = 0
    appointed: int = 0
    trained: int = 0
    channels: int = 0
    extra: dict[str, int] = field(default_factory=dict)  # registered kind -> done (``planning.kinds``)

    def minus(self, other: "_Counts") -> "_Counts":
        return _Counts(
            self.total - other.total,
            self.appointed - other.appointed,
            self.trained - other.trained,
            self.channels - other.channels,
            {kind: self.extra.get(kind, 0) - other.extra.get(kind, 0) for kind in {*self.extra, *other.extra}},
        )

    def of_kind(self, kind: str) -> int:
        of: dict[str, int] = {Kind.APPOINTED: self.appointed, Kind.TRAINED: self.trained, Kind.CHANNELS: self.channels}
        return of[kind] if kind in of else self.extra.get(kind, 0)


def _registered_in(milestones: Mapping[Any, list[Milestone]]) -> bool:
    """Whether any of the plans' milestones is of a registered kind (else their tables need no read)."""
    return any(not kinds.is_builtin(m.kind) for rows in milestones.values() for m in rows)


class _Loaded:
    """Counters, own rows and units for a set of units, read in one query per table (the registered kinds'
    two tables only when ``registered``: a plan with a milestone of such a kind)."""

    def __init__(self, units: list[Unit], *, registered: bool = True):
        ids = [unit.pk for unit in units]
        self.units = {unit.pk: unit for unit in units}
        self.coverage = {
            (u, lv): (t, f)
            for u, lv, t, f in CoverageCounter.objects.filter(unit_id__in=ids).values_list(
                "unit_id", "level_id", "units_total", "units_key_filled"
            )
        }
        self.progress = {
            (u, lv): (t, c)
            for u, lv, t, c in ProgressCounter.objects.filter(unit_id__in=ids).values_list(
                "unit_id", "level_id", "trained", "channels"
            )
        }
        self.own = {
            u: (t, c)
            for u, t, c in UnitProgress.objects.filter(unit_id__in=ids).values_list("unit_id", "trained", "channels")
        }
        # Registered kinds: their counters and the units' own met rows (two more queries, when in use).
        self.kind_counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
        self.own_kinds: dict[int, set[str]] = defaultdict(set)
        if registered:
            for u, lv, kind, done in KindCounter.objects.filter(unit_id__in=ids).values_list(
                "unit_id", "level_id", "kind", "done"
            ):
                self.kind_counts[(u, lv)][kind] = done
            for u, kind in UnitKindMet.objects.filter(unit_id__in=ids).values_list("unit_id", "kind"):
                self.own_kinds[u].add(kind)
        # Read again rather than trust the objects passed in: the key post may have changed since.
        self.filled = dict(Unit.objects.filter(pk__in=ids).values_list("id", "key_post_filled"))

    def full(self, unit: Unit, level_id: int) -> _Counts:
        total, filled = self.coverage.get((unit.pk, level_id), (0, 0))
        trained, channels = self.progress.get((unit.pk, level_id), (0, 0))
        counts = _Counts(total, filled, trained, channels, dict(self.kind_counts.get((unit.pk, level_id), {})))
        if unit.level_id == level_id:
            own_trained, own_channels = self.own.get(unit.pk, (False, False))
            counts.total += 1
            counts.appointed += int(self.filled.get(unit.pk, unit.key_post_filled))
            counts.trained += int(own_trained)
            counts.channels += int(own_channels)
            for kind in self.own_kinds.get(unit.pk, ()):
                counts.extra[kind] = counts.extra.get(kind, 0) + 1
        return counts


def _nearest(path: str, candidates: list[str]) -> str | None:
    """The longest of ``candidates`` that is a proper prefix of ``path``."""
    best = None
    for candidate in candidates:
        if candidate != path and path.startswith(candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


def _unit_of(plan: Plan) -> Unit:
    """The plan's unit. Only the template has none (a check constraint), and it is never read here."""
    if plan.scope is None:
        raise ValueError(f"Plan {plan.pk} is the template: it has no unit.")
    return plan.scope


def _regions(unit: Unit, governing: Plan | None, inner: list[Plan]) -> list[tuple[Unit, Plan, list[Unit]]]:
    """(region root, its plan, the sub-plan scopes directly inside it) for ``unit``'s subtree. Without a
    governing plan (a unit above every plan, e.g. the national unit when only states have plans) the
    regions are the plans inside the subtree."""
    roots: dict[str, tuple[Unit, Plan]] = {unit.path: (unit, governing)} if governing is not None else {}
    for plan in inner:
        scope = _unit_of(plan)
        roots[scope.path] = (scope, plan)
    # Keyed by the region the hole lies in; None for the outermost plans when no plan governs ``unit``.
    holes: dict[str | None, list[Unit]] = defaultdict(list)
    paths = list(roots)
    for plan in inner:
        scope = _unit_of(plan)
        holes[_nearest(scope.path, paths)].append(scope)
    return [(root, plan, holes.get(path, [])) for path, (root, plan) in roots.items()]


def _milestones_by_plan(plans: list[Plan]) -> dict[int, list[Milestone]]:
    result: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(plan__in=plans).select_related("level"):
        result[milestone.plan_id].append(milestone)
    return result


def _rollup(
    unit: Unit,
    governing: Plan | None,
    inner: list[Plan],
    milestones: dict[int, list[Milestone]],
    loaded: _Loaded,
    today: datetime.date,
) -> list[LevelProgress]:
    rows: dict[tuple[int, str], MilestoneProgress] = {}
    unit_order = unit.level.order
    for root, plan, holes in _regions(unit, governing, inner):
        for milestone in milestones[plan.pk]:
            if milestone.level.order < unit_order:
                continue  # a level above the unit: not part of its subtree
            counts = loaded.full(root, milestone.level_id)
            for hole in holes:
                counts = counts.minus(loaded.full(hole, milestone.level_id))
            key = (milestone.level_id, milestone.kind)
            row = rows.get(key)
            if row is None:
                governing_date = next(
                    (
                        m.due_date
                        for m in (milestones[governing.pk] if governing is not None else [])
                        if m.level_id == milestone.level_id and m.kind == milestone.kind
                    ),
                    milestone.due_date,
                )
                row = rows[key] = MilestoneProgress(
                    level=milestone.level, kind=milestone.kind, due_date=governing_date, today=today
                )
            done = counts.of_kind(milestone.kind)
            row.total += counts.total
            row.done += done
            if milestone.due_date < today:
                row.overdue += counts.total - done
            if counts.total and (row.earliest_due is None or milestone.due_date < row.earliest_due):
                row.earliest_due = milestone.due_date
                if governing is None:  # no plan of its own: show the most urgent date of the plans below
                    row.due_date = milestone.due_date
    levels: dict[int, LevelProgress] = {}
    for row in sorted(rows.values(), key=lambda r: (r.level.order, kinds.order(r.kind))):
        if row.total:
            levels.setdefault(row.level.pk, LevelProgress(level=row.level)).milestones.append(row)
    return list(levels.values())


def plans_for(unit: Unit) -> tuple[Plan | None, list[Plan]]:
    """The plan governing ``unit`` and the sub-plans inside its subtree, in one query."""
    plans = list(
        Plan.objects.filter(
            Q(scope__path__in=unit.ancestor_paths(include_self=True)) | subtree_q([unit.path], "scope__path"),
            is_template=False,
        ).select_related("scope", "scope__level")
    )
    above = [p for p in plans if unit.path.startswith(_unit_of(p).path)]
    governing = max(above, key=lambda p: len(_unit_of(p).path)) if above else None
    inner = [p for p in plans if _unit_of(p).path != unit.path and _unit_of(p).path.startswith(unit.path)]
    return governing, inner


def last_refresh(unit: Unit) -> datetime.datetime | None:
    """When the progress of ``unit``'s subtree was last recomputed (by the daily run or on demand)."""
    run = (
        ProgressRun.objects.filter(Q(unit__isnull=True) | Q(unit__path__in=unit.ancestor_paths(include_self=True)))
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return run


def dashboard_for_unit(unit: Unit, *, today: datetime.date | None = None) -> Dashboard:
    """Per level: units done / still due / overdue against each milestone, with days left."""
    today = today or timezone.localdate()
    governing, inner = plans_for(unit)
    if governing is None and not inner:
        return Dashboard(unit=unit, plan=None, today=today, levels=[], refreshed_at=None)
    milestones = _milestones_by_plan([p for p in [governing, *inner] if p is not None])
    loaded = _Loaded([unit, *[_unit_of(plan) for plan in inner]], registered=_registered_in(milestones))
    levels = _rollup(unit, governing, inner, milestones, loaded, today)
    return Dashboard(
        unit=unit,
        plan=governing,
        today=today,
        levels=levels,
        refreshed_at=last_refresh(unit),
        sub_plans=len(inner),
        inner=inner,
        milestones=milestones,
    )


def children_progress(
    unit: Unit, children: list[Unit], *, today: datetime.date | None = None, dashboard: Dashboard | None = None
):
    """For each child of ``unit`` (a page of them): its rows, as on its own dashboard, in a few queries
    (two fewer when ``dashboard``, the unit's own, is passed: its plans are reused)."""
    today = today or timezone.localdate()
    if dashboard is not None:
        governing, inner, milestones = dashboard.plan, dashboard.inner, dashboard.milestones
    else:
        governing, inner = plans_for(unit)
        milestones = _milestones_by_plan([p for p in [governing, *inner] if p is not None])
    if (governing is None and not inner) or not children:
        return {child.pk: [] for child in children}
    child_plans = {p.scope_id: p for p in inner if p.scope_id in {c.pk for c in children}}
    loaded = _Loaded([*children, *[_unit_of(plan) for plan in inner]], registered=_registered_in(milestones))
    result = {}
    for child in children:
        own = child_plans.get(child.pk, governing)
        below = [p for p in inner if _unit_of(p).path != child.path and _unit_of(p).path.startswith(child.path)]
        result[child.pk] = _rollup(child, own, below, milestones, loaded, today)
    return result


# ---------------------------------------------------------------- overdue units


@dataclass
class LateUnit:
    unit: Unit
    late_since: datetime.date
    days_late: int
    missed: list[Milestone]
    in_charge: Appointment | None = None
    dissolved_at: datetime.datetime | None = None


def late_units(unit: Unit):
    """Units in ``unit``'s subtree that missed a deadline, latest first (as of the last refresh)."""
    return (
        UnitProgress.objects.filter(subtree_q([unit.path]), late_since__isnull=False)
        .order_by("late_since", "path")
        .values_list("unit_id", "plan_id", "late_since", "appointed", "trained", "channels")
    )


def late_units_page(rows, *, today: datetime.date | None = None) -> list[LateUnit]:
    """Details for one page of ``late_units``: unit, missed milestones, in-charge, dissolution. Four queries
    (five when a plan has a milestone of a registered kind: which the units met)."""
    today = today or timezone.localdate()
    rows = list(rows)
    units = Unit.objects.select_related("level", "parent").in_bulk([r[0] for r in rows])
    milestones: dict[tuple[int, int], list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(plan_id__in={r[1] for r in rows}).select_related("level"):
        milestones[(milestone.plan_id, milestone.level_id)].append(milestone)
    in_charge = {
        a.unit_id: a
        for a in Appointment.objects.filter(unit_id__in=units, status="active", position__is_key=True).select_related(
            "person", "position"
        )
    }
    dissolved: dict[int, datetime.datetime] = {}
    for unit_id, at in CommitteeEvent.objects.filter(unit_id__in=units, kind="dissolved").values_list("unit_id", "at"):
        dissolved[unit_id] = max(at, dissolved.get(unit_id, at))
    kinds_met: dict[int, set[str]] = defaultdict(set)
    if _registered_in(milestones):
        for unit_id, kind in UnitKindMet.objects.filter(unit_id__in=units).values_list("unit_id", "kind"):
            kinds_met[unit_id].add(kind)
    result = []
    for unit_id, plan_id, late_since, _appointed, trained, channels in rows:
        unit = units[unit_id]
        met: dict[str, bool] = {Kind.APPOINTED: unit.key_post_filled, Kind.TRAINED: trained, Kind.CHANNELS: channels}
        met.update(dict.fromkeys(kinds_met[unit_id], True))
        missed = sorted(
            (m for m in milestones[(plan_id, unit.level_id)] if m.due_date < today and not met.get(m.kind, False)),
            key=lambda m: m.due_date,
        )
        result.append(
            LateUnit(
                unit=unit,
                late_since=late_since,
                days_late=(today - late_since).days,
                missed=missed,
                in_charge=in_charge.get(unit_id),
                dissolved_at=dissolved.get(unit_id),
            )
        )
    return result


def recent_dissolutions(unit: Unit, limit: int = 10):
    """Committees dissolved in ``unit``'s subtree, newest first: their milestones start again."""
    return (
        CommitteeEvent.objects.filter(subtree_q([unit.path], "unit__path"), kind="dissolved")
        .select_related("unit", "unit__level")
        .order_by("-at")[:limit]
    )


# ---------------------------------------------------------------- history for the chart


def snapshot_series(unit: Unit, *, days: int = 120) -> dict[tuple[int, str], list[tuple[datetime.date, int, int]]]:
    """(level id, kind) -> [(date, done, total)] from the daily snapshots of ``unit`` (the last ``days`` days
    that have one)."""
    series: dict[tuple[int, str], list] = defaultdict(list)
    for level_id, kind, date, done, total in (
        PlanSnapshot.objects.filter(unit=unit).order_by("date").values_list("level_id", "kind", "date", "done", "total")
    ):
        series[(level_id, kind)].append((date, done, total))
    return {key: points[-days:] for key, points in series.items()}


# ---------------------------------------------------------------- the baseline for the bench


def naive_rollup(unit: Unit, *, today: datetime.date | None = None) -> dict[tuple[int, str], tuple[int, int, int]]:
    """The dashboard's numbers the plain way, for the bench and the tests: per plan region and level, one
    aggregate over the region's units with the milestone conditions evaluated on the live data
    (key post filled, completions, channels). (level id, kind) -> (total, done, overdue)."""
    today = today or timezone.localdate()
    governing, inner = plans_for(unit)
    if governing is None and not inner:
        return {}
    milestones = _milestones_by_plan([p for p in [governing, *inner] if p is not None])
    result: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for root, plan, holes in _regions(unit, governing, inner):
        region = sql.region_condition("u.path", root.path, holes=[hole.path for hole in holes])
        by_level: dict[int, dict[str, Milestone]] = defaultdict(dict)
        for milestone in milestones[plan.pk]:
            if milestone.level.order >= unit.level.order:
                by_level[milestone.level_id][milestone.kind] = milestone
        for level_id, of_kind in by_level.items():
            total, appointed, trained, channels = sql.naive_level_counts(
                level_id=level_id,
                where=region,
                trained=sql.trained_condition(of_kind.get(Kind.TRAINED)),
                channels=sql.channels_condition(of_kind.get(Kind.CHANNELS)),
            )
            done_of: dict[str, int] = {Kind.APPOINTED: appointed, Kind.TRAINED: trained, Kind.CHANNELS: channels}
            for kind, milestone in of_kind.items():
                if kind not in done_of:  # a registered kind: its condition over the same units
                    done_of[kind] = sql.naive_kind_count(
                        level_id=level_id, where=region, condition=sql.kind_condition(milestone, kind)
                    )
                counts = result[(level_id, kind)]
                counts[0] += total
                counts[1] += done_of[kind]
                if milestone.due_date < today:
                    counts[2] += total - done_of[kind]
    return {key: (total, done, overdue) for key, (total, done, overdue) in result.items() if total}


def fast_rollup(unit: Unit, *, today: datetime.date | None = None) -> dict[tuple[int, str], tuple[int, int, int]]:
    """``dashboard_for_unit`` in the shape of ``naive_rollup``."""
    dashboard = dashboard_for_unit(unit, today=today)
    return {
        (row.level.pk, row.kind): (row.total, row.done, row.overdue)
        for level in dashboard.levels
        for row in level.milestones
    }
