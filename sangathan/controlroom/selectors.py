"""Reads of the control room: the report link's appointment, and everything the wall shows.

The wall reads the day's ``ActivityRollup`` rows (a handful per page, whatever the size of the tree) and
the coverage counters for how many units each level has, so its numbers are the roll-up's and never
disagree between two pages; the silent units' names, the top posts and the messages in flight are small
indexed reads of their own.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Sum
from django.http import Http404
from django.utils import timezone

from sangathan.access.permissions import VIEW_CONTROL_ROOM
from sangathan.access.scope import require, scope_paths
from sangathan.controlroom import conf
from sangathan.controlroom.links import Platform
from sangathan.controlroom.models import ActivityReport, ActivityRollup, PostMention, RollupRun
from sangathan.core.kept import kept
from sangathan.core.paths import outermost_paths, path_upper_bound, subtree_q
from sangathan.org.models import Appointment, CoverageCounter, Level, Unit
from sangathan.outreach import selectors as outreach_selectors
from sangathan.outreach.models import Message

SILENT_LIST = 20
TOP_POSTS = 10
MESSAGES_IN_FLIGHT = 5
IN_FLIGHT_DAYS = 3
PLATFORM_LABELS = dict(Platform.CHOICES)


# ---------------------------------------------------------------- the report link


def appointment_for_report(appointment_id: int) -> Appointment | None:
    """The appointment a report link names, if it is still active in a key post. The page's read: its start is
    kept for the POST that follows when the person sends the form (``report_start``)."""
    appointment = (
        Appointment.objects.filter(pk=appointment_id, status=Appointment.Status.ACTIVE, position__is_key=True)
        .select_related("person", "unit__level", "position")
        .first()
    )
    starts = _report_starts()
    if starts is not None:
        if appointment is None:
            starts.pop(appointment_id, None)  # ended: the next POST of this process reads again
        else:
            starts[appointment.pk] = appointment.start_date
    return appointment


def _report_starts():
    return kept("controlroom.report-starts", size=200_000, seconds=conf.report_link_cache_seconds())


def report_start(appointment_id: int) -> datetime.date | None:
    """The start of the appointment a report link names, if it is still active in a key post: the report POST's
    one read, kept by the process for ``CONTROLROOM_REPORT_LINK_CACHE_SECONDS`` (``core.kept``) from the page's
    read or the last POST, so a person who opens the page and sends it costs one INSERT. A post ended within
    that time still gets its report stored; the worker then refuses it (kept, with the reason) and the page says
    the link has ended."""
    starts = _report_starts()
    if starts is not None and appointment_id in starts:
        return starts[appointment_id]
    start = (
        Appointment.objects.filter(pk=appointment_id, status=Appointment.Status.ACTIVE, position__is_key=True)
        .values_list("start_date", flat=True)
        .first()
    )
    if start is not None and starts is not None:
        starts[appointment_id] = start
    return start


def report_of(appointment: Appointment, day: datetime.date) -> ActivityReport | None:
    return ActivityReport.objects.filter(appointment=appointment, day=day).prefetch_related("mentions__post").first()


def report_days(today: datetime.date, started: datetime.date | None = None) -> list[datetime.date]:
    """The days a report may be for, today first."""
    days = [today - datetime.timedelta(days=n) for n in range(conf.report_days_back() + 1)]
    return [day for day in days if started is None or day >= started]


# ---------------------------------------------------------------- the wall


def wall_units(user) -> list[Unit]:
    """The highest units where the user may open the wall."""
    paths = scope_paths(user, VIEW_CONTROL_ROOM)
    units = Unit.objects.select_related("level")
    if paths is None:
        return list(units.filter(depth=1).order_by("path"))
    return list(units.filter(path__in=outermost_paths(paths)).order_by("path"))


def get_wall_unit_for_user(user, pk: int) -> Unit:
    """The unit whose wall is asked for: 404 outside the user's view, 403 without the control room there."""
    unit = Unit.objects.restrict(user).select_related("level").filter(pk=pk).first()
    if unit is None:
        raise Http404
    require(user, VIEW_CONTROL_ROOM, unit)
    return unit


@dataclass
class Rate:
    """``done`` of ``total``, as a whole percent and a colour band for the bar."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def band(self) -> str:
        if not self.total:
            return "none"
        if self.percent >= 75:
            return "good"
        if self.percent >= 40:
            return "fair"
        return "poor"


@dataclass
class LevelRow:
    level: Level
    units: Rate  # units of the level with a report / units of the level
    bearers: Rate  # key office-bearers who reported / key office-bearers
    silent: int
    posts: int = 0
    shares: int = 0


@dataclass
class ChildRow:
    unit: Unit
    rate: Rate  # key office-bearers of the child's subtree who reported
    own_reported: bool = False  # the child's own key office-bearer reported


@dataclass
class Wall:
    unit: Unit
    day: datetime.date
    run: RollupRun | None
    updated_at: datetime.datetime | None = None  # the later of the day's rebuild and its newest report
    levels: list[LevelRow] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    child_level: Level | None = None
    children_reported: int = 0
    silent_total: int = 0
    silent: list[dict] = field(default_factory=list)
    top_posts: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    silent_days: int = 7


def wall(user, unit: Unit, *, day: datetime.date | None = None) -> Wall:
    """Everything the wall of ``unit`` shows for ``day`` (today by default). The caller checked the unit
    with ``get_wall_unit_for_user``."""
    day = day or timezone.localdate()
    rows = ActivityRollup.objects.restrict(user, VIEW_CONTROL_ROOM).filter(day=day)
    run = RollupRun.objects.filter(day=day).first()
    result = Wall(unit=unit, day=day, run=run, silent_days=conf.silent_days())
    result.updated_at = updated_at([day], runs=[run] if run else [])
    result.levels = _levels(rows, unit)
    result.silent_total = sum(row.silent for row in result.levels)
    result.totals = {name: sum(getattr(row, name) for row in result.levels) for name in ("posts", "shares")}
    result.children, result.child_level = _children(rows, unit)
    result.children_reported = sum(1 for row in result.children if row.own_reported)
    result.silent = _silent(unit, day, result.silent_total)
    result.top_posts = _top_posts(user, unit, day)
    result.messages = _messages(user, unit)
    return result


def updated_at(days: list[datetime.date], *, runs: list[RollupRun] | None = None) -> datetime.datetime | None:
    """When the roll-ups of ``days`` last changed: the later of their last rebuild and their newest report
    (a report adds to the rows without writing the day's ``RollupRun``). One indexed read per day
    (``controlroom_report_day_updated``) and one of the runs unless given."""
    if runs is None:
        runs = list(RollupRun.objects.filter(day__in=days))
    times = [run.refreshed_at for run in runs]
    for day in days:
        newest = (
            ActivityReport.objects.filter(day=day).order_by("-updated_at").values_list("updated_at", flat=True).first()
        )
        if newest is not None:
            times.append(newest)
    return max(times) if times else None


def _levels(rows, unit: Unit) -> list[LevelRow]:
    """Per level below ``unit``: units and key office-bearers that reported, and the silent ones."""
    levels = {level.pk: level for level in Level.objects.filter(order__gt=unit.level.order)}
    units_total = dict(
        CoverageCounter.objects.filter(unit=unit, level_id__in=list(levels)).values_list("level_id", "units_total")
    )
    result = []
    for row in rows.filter(path=unit.path, level_id__in=list(levels)):
        result.append(
            LevelRow(
                level=levels[row.level_id],
                units=Rate(row.units_reported, units_total.get(row.level_id, 0)),
                bearers=Rate(row.reported, row.bearers),
                silent=row.bearers - row.recent,
                posts=row.posts,
                shares=row.shares,
            )
        )
    # Levels with units but no key office-bearer yet show as 0 of N.
    seen = {row.level.pk for row in result}
    for level_id, total in units_total.items():
        if level_id not in seen and total:
            result.append(LevelRow(level=levels[level_id], units=Rate(0, total), bearers=Rate(0, 0), silent=0))
    return sorted(result, key=lambda row: row.level.order)


def _children(rows, unit: Unit) -> tuple[list[ChildRow], Level | None]:
    children = list(Unit.objects.filter(parent=unit).select_related("level").order_by("number", "name_en", "path"))
    if not children:
        return [], None
    sums = {
        row["path"]: row
        for row in rows.filter(path__in=[child.path for child in children])
        .values("path")
        .annotate(bearers=Sum("bearers"), reported=Sum("reported"))
        .order_by()
    }
    # A child's row at its own level counts only the child itself (levels only go down the tree).
    own = {
        (path, level_id)
        for path, level_id, reported in rows.filter(path__in=list(sums)).values_list("path", "level_id", "reported")
        if reported
    }
    result = []
    for child in children:
        row = sums.get(child.path)
        rate = Rate(row["reported"] or 0, row["bearers"] or 0) if row else Rate(0, 0)
        result.append(ChildRow(unit=child, rate=rate, own_reported=(child.path, child.level_id) in own))
    return result, children[0].level


def _silent(unit: Unit, day: datetime.date, expected: int) -> list[dict]:
    """The first units below ``unit`` (by path) whose key office-bearer has not reported in the silent window;
    ``expected``: how many the roll-up counts (none: no query). One anti-join for the ids, streamed in path
    order so that it stops at the ``SILENT_LIST``-th (a state of 25,000 key appointments on PostgreSQL: 3 ms
    with a fifth of them silent, 300 ms when it must read them all), then one read of those rows."""
    if expected <= 0:
        return []
    since = day - datetime.timedelta(days=conf.silent_days() - 1)
    recent = ActivityReport.objects.filter(appointment=OuterRef("pk"), day__gte=since, day__lte=day)
    upper = path_upper_bound(unit.path)
    appointments = Appointment.objects.filter(
        status=Appointment.Status.ACTIVE, position__is_key=True, unit__path__gt=unit.path, start_date__lte=day
    )
    if upper:
        appointments = appointments.filter(unit__path__lt=upper)
    ids = list(
        appointments.filter(~Exists(recent)).order_by("unit__path", "seat").values_list("pk", flat=True)[:SILENT_LIST]
    )
    rows = Appointment.objects.filter(pk__in=ids).select_related("unit__level", "person").order_by("unit__path", "seat")
    return [{"unit": a.unit, "person": a.person} for a in rows]


def _top_posts(user, unit: Unit, day: datetime.date) -> list[dict]:
    """The posts named by the most reports of ``unit``'s subtree in the silent window ending ``day``."""
    since = day - datetime.timedelta(days=conf.silent_days() - 1)
    rows = (
        PostMention.objects.restrict(user, VIEW_CONTROL_ROOM)
        .filter(subtree_q([unit.path], "unit__path"), day__gte=since, day__lte=day)
        .values("post_id", "post__url", "post__platform", "post__first_reported_on")
        .annotate(reports=Count("id"))
        .order_by("-reports", "post_id")[:TOP_POSTS]
    )
    return [
        {
            "url": row["post__url"],
            "platform": row["post__platform"],
            "platform_label": PLATFORM_LABELS.get(row["post__platform"], row["post__platform"]),
            "reports": row["reports"],
            "first_reported_on": row["post__first_reported_on"],
        }
        for row in rows
    ]


def target_counts_in(message: Message, unit: Unit):
    """The counts of ``message``'s target level within ``unit``'s area (the whole area when it was sent from
    above, the part it was sent to when sent from inside), or None when it did not reach the area or has no
    target units there."""
    if unit.is_within(message.unit):
        where = unit
    elif message.unit.is_within(unit):
        where = message.unit
    else:
        return None
    counts = {level.pk: c for level, c in outreach_selectors.level_counts(message, where)}
    target = counts.get(message.target_level_id)
    return target if target is not None and target.total else None


def _messages(user, unit: Unit) -> list[dict]:
    """Messages of the last days that reached ``unit``'s area (sent from above it or inside it), with the share
    of their target units in the area that acknowledged them."""
    since = timezone.now() - datetime.timedelta(days=IN_FLIGHT_DAYS)
    messages = list(
        outreach_selectors.messages_for_user(user)
        .filter(status__in=[Message.Status.SENDING, Message.Status.SENT], sent_at__gte=since)
        .order_by("-sent_at")[:50]
    )
    result = []
    for message in messages:
        target = target_counts_in(message, unit)
        if target is None:
            continue
        result.append({"message": message, "counts": target})
        if len(result) == MESSAGES_IN_FLIGHT:
            break
    return result
