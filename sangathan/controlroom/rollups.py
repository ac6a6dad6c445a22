"""The day's roll-up rows kept current by each report, in the report's own transaction.

``services.rollup_refresh`` rebuilds a whole day set-based (the daily run, the wall's button, the repair
path); between two rebuilds a report adds its *difference* to the rows of its unit and every ancestor (one
``F()`` UPDATE over the ancestors' paths, the way ``org.coverage`` keeps its counters), so a report no longer
recomputes the tree (3 s a report on a state tree when the refresh ran inline).

What one report changes, on the rows of its unit's level at its unit's path and every ancestor's:

* on its day: ``reported`` +1 and the counts when new, only the counts' difference when edited the same day;
  ``units_reported`` +1 when it is the first counted report of its unit that day; ``recent`` +1 when the
  office-bearer had not reported in the silent window ending that day;
* on the later days of the window that are built already (a report for an earlier day): ``recent`` +1 when it
  is the office-bearer's only report in that day's window.

Writers of a day take the day's ``RollupRun`` row first (``select_for_update``, days in order), as the rebuild
does: a report waits for a rebuild of its day and the other way round, and the reports of a day update the
ancestors' rows one after the other (the state's row is updated by every report anyway), so no two writers
deadlock. A day that is not built yet, or an office-bearer appointed after the day's last rebuild (not among
its ``bearers``), or a row missing, is left to a rebuild of the day queued after the commit instead.

A unit's move takes its subtree's rows off the old ancestors, renames the subtree's paths and adds the rows
to the new ancestors (``unit_moving`` / ``unit_moved``, the ``org.hooks`` of ``org.services.unit_move``).
"""

import datetime
from collections.abc import Iterable, Mapping

from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Substr

from sangathan.controlroom import conf
from sangathan.controlroom.models import COUNTERS, ActivityReport, ActivityRollup, RollupRun
from sangathan.core.paths import subtree_q
from sangathan.org.models import Appointment, Unit

# Every summed column of a roll-up row (what a move takes off one ancestor and adds to another).
SUMS = ("bearers", "reported", "units_reported", "recent", *COUNTERS)


def counted_on(appointment: Appointment, day: datetime.date) -> bool:
    """Whether the rebuild counts ``appointment`` among the key office-bearers of ``day``."""
    return (
        appointment.position.is_key
        and appointment.start_date <= day
        and (appointment.end_date is None or appointment.end_date >= day)
    )


def nearby_reports(appointment: Appointment, day: datetime.date) -> list[ActivityReport]:
    """One read for the report and its roll-up deltas: the office-bearer's reports within the silent window
    either side of ``day`` (the day's own report among them, if any) and the other reports of the unit on
    ``day``, each with its appointment's dates and post (counted or not on a day)."""
    reach = datetime.timedelta(days=conf.silent_days() - 1)
    mine = ActivityReport.objects.filter(appointment_id=appointment.pk, day__gte=day - reach, day__lte=day + reach)
    unit_day = ActivityReport.objects.filter(unit_id=appointment.unit_id, day=day)
    return list(
        (mine | unit_day).annotate(
            bearer_key=F("appointment__position__is_key"),
            bearer_start=F("appointment__start_date"),
            bearer_end=F("appointment__end_date"),
        )
    )


def _counted(report: ActivityReport, day: datetime.date) -> bool:
    bearer_end = getattr(report, "bearer_end", None)
    return bool(getattr(report, "bearer_key", False)) and (
        getattr(report, "bearer_start", day) <= day and (bearer_end is None or bearer_end >= day)
    )


def days_locked(day: datetime.date) -> dict[datetime.date, RollupRun]:
    """Take the built ``RollupRun`` rows of ``day`` and the later days of its silent window, in day order,
    before anything of the report is read (``nearby_reports``): two office-bearers of one unit reporting at
    the same moment then read each other's report, and the unit is counted as reported once."""
    days = [day + datetime.timedelta(days=n) for n in range(conf.silent_days())]
    return {run.day: run for run in RollupRun.objects.select_for_update().filter(day__in=days).order_by("day")}


def report_applied(
    *,
    appointment: Appointment,
    report: ActivityReport,
    before: Mapping[str, int] | None,
    nearby: Iterable[ActivityReport],
    runs: Mapping[datetime.date, RollupRun],
) -> set[datetime.date]:
    """Add what ``report`` changed (``before``: its counts before this edit, None when new) to the built
    roll-ups, in the caller's transaction; ``runs`` as locked by ``days_locked`` and then ``nearby`` as read
    by ``nearby_reports``, both before the write. Returns the days left to a rebuild (the caller queues it
    after the commit)."""
    day, window = report.day, conf.silent_days()
    others = [r for r in nearby if r.pk != report.pk]
    days = [day + datetime.timedelta(days=n) for n in range(window)]
    stale: set[datetime.date] = set()
    run = runs.get(day)
    if run is None or not _among_bearers(appointment, run):
        stale.add(day)  # not built yet, or the office-bearer is not among the day's bearers
    else:
        changes = {
            name: report_value - (before or {}).get(name, 0)
            for name in COUNTERS
            if (report_value := getattr(report, name)) != (before or {}).get(name, 0)
        }
        if before is None and counted_on(appointment, day):
            changes["reported"] = 1
            if not any(r.appointment_id != appointment.pk and r.day == day and _counted(r, day) for r in others):
                changes["units_reported"] = 1
            if not any(
                r.appointment_id == appointment.pk and day - r.day < datetime.timedelta(days=window) and r.day <= day
                for r in others
            ):
                changes["recent"] = 1
        if changes and not _add(appointment.unit, day, changes):
            stale.add(day)
        # The day's run row is not written: the wall's "updated at" is the newest report's time
        # (``selectors.updated_at``), which saved one UPDATE of one hot row per report.
    if before is not None:
        return stale
    # A report for an earlier day makes the office-bearer recent on the built days after it, unless another
    # report of theirs already does.
    for later in days[1:]:
        if later not in runs or not counted_on(appointment, later):
            continue
        if not _among_bearers(appointment, runs[later]):
            stale.add(later)
            continue
        start = later - datetime.timedelta(days=window - 1)
        if any(r.appointment_id == appointment.pk and start <= r.day <= later for r in others):
            continue
        if not _add(appointment.unit, later, {"recent": 1}):
            stale.add(later)
    return stale


def _among_bearers(appointment: Appointment, run: RollupRun | None) -> bool:
    """Whether the day of ``run`` is built and its last rebuild counted ``appointment`` (made before it)."""
    return run is not None and (run.rebuilt_at is None or appointment.created_at <= run.rebuilt_at)


def _add(unit: Unit, day: datetime.date, changes: Mapping[str, int]) -> bool:
    """Add ``changes`` to the rows of ``unit``'s level at ``unit`` and its ancestors on ``day`` (one UPDATE);
    False when a row is missing (the unit's office-bearers are not in that day's roll-up yet)."""
    paths = unit.ancestor_paths(include_self=True)
    updated = ActivityRollup.objects.filter(day=day, level_id=unit.level_id, path__in=paths).update(
        **{name: F(name) + value for name, value in changes.items()}
    )
    return updated == len(paths)


# ---------------------------------------------------------------- moves (org.hooks)

_moving: dict[int, str] = {}


def _lock_days() -> None:
    """Take every built day's ``RollupRun`` row, in order, as the reports do, before a move changes rows."""
    list(RollupRun.objects.select_for_update().order_by("day").values_list("pk", flat=True))


def _with_the_units_rows(path: str):
    """The row at ``path`` of the outer row's day and level (the subtree's sums an ancestor's row holds)."""
    return ActivityRollup.objects.filter(day=OuterRef("day"), level_id=OuterRef("level_id"), path=path)


def unit_moving(*, unit: Unit) -> None:
    """``org.hooks.unit_moving``: the subtree's rows (its top row per day and level holds the sums) are taken
    off the old ancestors' rows; rows left with no office-bearer are removed, as a rebuild would not make them."""
    _lock_days()
    _moving[unit.pk] = unit.path
    ancestors = unit.ancestor_paths(include_self=False)
    if not ancestors:
        return
    here = _with_the_units_rows(unit.path)
    ActivityRollup.objects.filter(path__in=ancestors).filter(
        day__in=ActivityRollup.objects.filter(path=unit.path).values("day")
    ).update(**{name: F(name) - _coalesce(here, name) for name in SUMS})
    ActivityRollup.objects.filter(path__in=ancestors, bearers=0).delete()


def unit_moved(*, unit: Unit) -> None:
    """``org.hooks.unit_moved``: the subtree's rows take its new paths and are added to the new ancestors'
    rows (made when missing)."""
    old = _moving.pop(unit.pk, None)
    if old is None or old == unit.path:
        return
    new = unit.path
    # Rows left at the new paths by a unit that was there once (paths are reused) are no unit's now.
    ActivityRollup.objects.filter(subtree_q([new])).delete()
    ActivityRollup.objects.filter(subtree_q([old])).update(path=Concat(Value(new), Substr("path", len(old) + 1)))
    ancestors = unit.ancestor_paths(include_self=False)
    tops = list(ActivityRollup.objects.filter(path=new).values_list("day", "level_id"))
    if not ancestors or not tops:
        return
    ActivityRollup.objects.bulk_create(
        [ActivityRollup(day=day, level_id=level_id, path=path) for day, level_id in tops for path in ancestors],
        ignore_conflicts=True,
    )
    here = _with_the_units_rows(new)
    ActivityRollup.objects.filter(path__in=ancestors).filter(
        day__in=ActivityRollup.objects.filter(path=new).values("day")
    ).update(**{name: F(name) + _coalesce(here, name) for name in SUMS})


def _coalesce(here, name: str):
    return Coalesce(Subquery(here.values(name)[:1]), Value(0))
