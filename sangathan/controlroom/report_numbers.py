"""The numbers of a state's daily or weekly report and of the national side-by-side view, read from what the
product already keeps: the control room's roll-ups (reporting and activity), the coverage counters
(vacancies), the cascade's roll-ups (acknowledgements), the trained-post counters (``training.counters``)
and the channel registry.

A report and the national view read a unit's summary through the same ``unit_summary``, so a state's
numbers never disagree between the two. A weekly report sums its seven days: a rate is then office-bearer-
days that reported over office-bearer-days expected. Every section carries its definition and when its
source was last updated (``DEFINITIONS``)."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.channels import selectors as channel_selectors
from sangathan.controlroom.models import COUNTERS, ActivityRollup, StateReport
from sangathan.controlroom.selectors import Rate, target_counts_in, updated_at
from sangathan.org.models import CoverageCounter, Level, Unit
from sangathan.outreach.models import Message
from sangathan.training import selectors as training_selectors

WEEK_DAYS = 7

DEFINITIONS = {
    "reporting": _(
        "Reporting rate: key office-bearers (the holders of each unit's key post) who sent their daily report, "
        "out of all active key office-bearers; for a week, office-bearer-days reported out of those expected."
    ),
    "activity": _(
        "Activity: the sums of what key office-bearers reported (posts made, party messages shared, WhatsApp "
        "groups messaged, people added, events held). Per booth: divided by the number of booths in the area."
    ),
    "cascade": _(
        "Cascade acknowledgement: of the units at a message's target level in this area, those whose "
        "in-charge confirmed receiving it, for messages sent in the period."
    ),
    "vacancies": _("Vacancies: units whose key post (in-charge or representative) is not filled today."),
    "training": _(
        "Training: active posts held by someone who has completed any training programme, today (a person "
        "holding two posts counts for each); by level: the same posts at each level, so the levels add up to "
        "the total."
    ),
    "channels": _(
        "Channels: active channels in the channel registry today; booths with both a WhatsApp group and a "
        "broadcast list."
    ),
}


def period(kind: str, day: datetime.date) -> list[datetime.date]:
    """The days a report covers: the day, or the week ending on it (oldest first)."""
    if kind == StateReport.Kind.WEEKLY:
        return [day - datetime.timedelta(days=n) for n in range(WEEK_DAYS - 1, -1, -1)]
    return [day]


def booth_level() -> Level | None:
    """The lowest level of the tree (the polling booth)."""
    return Level.objects.order_by("-order").first()


@dataclass
class Summary:
    """One unit over a period: the numbers the national view shows per state and a report's first table."""

    unit: Unit
    days: list[datetime.date]
    reporting: Rate
    activity: dict[str, int]
    booths: int
    cascade: Rate
    vacant: int
    key_posts: int
    trained: Rate
    channels: int
    booths_with_both: int
    updated_at: datetime.datetime | None

    def per_booth(self, name: str) -> float:
        return round(self.activity[name] / self.booths, 2) if self.booths else 0.0

    @property
    def posts_per_booth(self) -> float:
        return self.per_booth("posts")

    @property
    def shares_per_booth(self) -> float:
        return self.per_booth("shares")

    @property
    def booths_with_both_rate(self) -> Rate:
        return Rate(self.booths_with_both, self.booths)


@dataclass
class ChildLine:
    unit: Unit
    reporting: Rate
    activity: dict[str, int]
    booths: int

    @property
    def posts_per_booth(self) -> float:
        return round(self.activity["posts"] / self.booths, 2) if self.booths else 0.0


@dataclass
class LevelLine:
    level: Level
    units: int
    units_reported: int
    reporting: Rate
    activity: dict[str, int]
    key_filled: int

    @property
    def vacant(self) -> int:
        return max(self.units - self.key_filled, 0)


@dataclass
class MessageLine:
    message: Message
    level: Level
    acknowledged: Rate


@dataclass
class ReportNumbers:
    summary: Summary
    kind: str
    children: list[ChildLine] = field(default_factory=list)
    child_level: Level | None = None
    levels: list[LevelLine] = field(default_factory=list)
    messages: list[MessageLine] = field(default_factory=list)
    training: list = field(default_factory=list)  # training_selectors.LevelTraining rows: posts per level
    platforms: list = field(default_factory=list)  # channel_selectors.PlatformCount rows
    definitions: dict = field(default_factory=lambda: DEFINITIONS)

    @property
    def first_day(self) -> datetime.date:
        return self.summary.days[0]

    @property
    def day(self) -> datetime.date:
        return self.summary.days[-1]


def _sums(rows) -> dict[str, int]:
    totals = rows.aggregate(bearers=Sum("bearers"), reported=Sum("reported"), **{n: Sum(n) for n in COUNTERS})
    return {name: value or 0 for name, value in totals.items()}


def _window(days: list[datetime.date]) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware datetimes, from the first day's midnight to the day after the last."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(days[0], datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(days[-1] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def _messages(unit: Unit, days: list[datetime.date]) -> list[MessageLine]:
    """Messages sent in the period that reached ``unit``'s area, with the acknowledgement of their target units
    there (the cascade's roll-ups, as on the wall)."""
    start, end = _window(days)
    messages = (
        Message.objects.filter(
            sent_at__gte=start, sent_at__lt=end, status__in=[Message.Status.SENDING, Message.Status.SENT]
        )
        .select_related("unit", "target_level")
        .order_by("sent_at", "pk")
    )
    result = []
    for message in messages:
        target = target_counts_in(message, unit)
        if target is not None:
            result.append(MessageLine(message, message.target_level, Rate(target.acknowledged, target.total)))
    return result


def unit_summary(unit: Unit, days: list[datetime.date], *, messages: list[MessageLine] | None = None) -> Summary:
    """The headline numbers of ``unit`` over ``days`` (a handful of indexed reads)."""
    sums = _sums(ActivityRollup.objects.filter(path=unit.path, day__in=days))
    booth = booth_level()
    counters = CoverageCounter.objects.filter(unit=unit)
    below = counters.filter(level__order__gt=unit.level.order).aggregate(
        units=Sum("units_total"), filled=Sum("units_key_filled")
    )
    booths = counters.filter(level=booth).values_list("units_total", flat=True).first() or 0 if booth else 0
    messages = _messages(unit, days) if messages is None else messages
    # The counters (training.counters): one indexed read, not a count over the area's appointments.
    posts, trained = training_selectors.trained_posts(Unit.objects.filter(pk=unit.pk)).get(unit.pk, (0, 0))
    essentials = channel_selectors.booth_essentials(unit, booth) if booth and booths else {"with_both": 0}
    channels = sum(row.channels for row in channel_selectors.platform_counts(unit))
    updated = updated_at(days)
    return Summary(
        unit=unit,
        days=days,
        reporting=Rate(sums["reported"], sums["bearers"]),
        activity={name: sums[name] for name in COUNTERS},
        booths=booths,
        cascade=Rate(sum(m.acknowledged.done for m in messages), sum(m.acknowledged.total for m in messages)),
        vacant=max((below["units"] or 0) - (below["filled"] or 0), 0),
        key_posts=below["units"] or 0,
        trained=Rate(trained, posts),
        channels=channels,
        booths_with_both=essentials["with_both"],
        updated_at=updated,
    )


def report_numbers(unit: Unit, kind: str, day: datetime.date) -> ReportNumbers:
    """Everything a report shows. The roll-ups of the period must exist (``reports.report_make`` refreshes
    the days that have none)."""
    days = period(kind, day)
    messages = _messages(unit, days)
    result = ReportNumbers(summary=unit_summary(unit, days, messages=messages), kind=kind, messages=messages)
    rows = ActivityRollup.objects.filter(day__in=days)
    booth = booth_level()

    children = list(Unit.objects.filter(parent=unit).select_related("level").order_by("number", "name_en", "path"))
    if children:
        result.child_level = children[0].level
        sums: dict[str, Mapping[str, Any]] = {
            row["path"]: row
            for row in rows.filter(path__in=[child.path for child in children])
            .values("path")
            .annotate(bearers=Sum("bearers"), reported=Sum("reported"), **{n: Sum(n) for n in COUNTERS})
            .order_by()
        }
        booths = dict(
            CoverageCounter.objects.filter(unit__in=children, level=booth).values_list("unit_id", "units_total")
        )
        for child in children:
            found = sums.get(child.path) or {}
            result.children.append(
                ChildLine(
                    unit=child,
                    reporting=Rate(found.get("reported") or 0, found.get("bearers") or 0),
                    activity={name: found.get(name) or 0 for name in COUNTERS},
                    booths=booths.get(child.pk, 0),
                )
            )

    counters = {c.level_id: c for c in CoverageCounter.objects.filter(unit=unit, level__order__gt=unit.level.order)}
    by_level: dict[int, Mapping[str, Any]] = {
        row["level_id"]: row
        for row in rows.filter(path=unit.path)
        .values("level_id")
        .annotate(
            bearers=Sum("bearers"),
            reported=Sum("reported"),
            units_reported=Sum("units_reported"),
            **{n: Sum(n) for n in COUNTERS},
        )
        .order_by()
    }
    for level in Level.objects.filter(order__gt=unit.level.order).order_by("order"):
        counter, sums_of_level = counters.get(level.pk), by_level.get(level.pk) or {}
        if counter is None and not sums_of_level:
            continue
        result.levels.append(
            LevelLine(
                level=level,
                units=counter.units_total if counter else 0,
                units_reported=sums_of_level.get("units_reported") or 0,
                reporting=Rate(sums_of_level.get("reported") or 0, sums_of_level.get("bearers") or 0),
                activity={name: sums_of_level.get(name) or 0 for name in COUNTERS},
                key_filled=counter.units_key_filled if counter else 0,
            )
        )
    result.training = training_selectors.trained_posts_by_level(unit)
    result.platforms = channel_selectors.platform_counts(unit)
    return result


def states_side_by_side(day: datetime.date) -> list[tuple[Summary, StateReport | None]]:
    """Every state's summary for ``day`` beside its latest made report (daily or weekly)."""
    states = list(Unit.objects.filter(depth=2).select_related("level").order_by("path"))
    latest: dict[int, StateReport] = {}
    for report in StateReport.objects.filter(unit__in=states, status=StateReport.Status.MADE).order_by(
        "day", "made_at"
    ):
        latest[report.unit_id] = report
    return [(unit_summary(state, [day]), latest.get(state.pk)) for state in states]
