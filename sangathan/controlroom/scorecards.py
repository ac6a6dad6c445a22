"""Scorecards: how well each child of a unit, and each child's key office-bearer, did over a period, compared
among siblings; and the children whose score stayed low for weeks (``needs_attention``).

Every score is a percent from its own inputs, and the inputs travel with it (``Score.inputs``), so a page
or the API can show the formula with the numbers in it. The numbers are those the reports and the wall use:

- reporting: the control room's roll-ups (``ActivityRollup``: office-bearer-days reported / expected);
- activity: the same roll-ups' sums, per booth of the child's area and per day; 100 is the best sibling;
- cascade: the cascade's deliveries in the child's area of messages sent in the period, acknowledged within
  the message's own deadline, over those acknowledged or past the deadline (``outreach.selectors.reliability``'s
  rule, set-based);
- training, channels, milestones: as of today (the trained-post counters kept by ``training.counters``, the
  channel registry, the plan's progress table ``UnitProgress``); they have no history, so they are the same
  in every week.

Set-based: one query per score for all the children at once (grouped by the first step of the path below
the parent), never one per child; ``tests/test_scorecards.py`` pins the count. ``needs_attention`` reads
today's standing once and each week's reporting, activity and cascade (a state of 41 districts, 54,000 units,
28,000 key office-bearers on PostgreSQL: a state's scorecards were about 0.5 s, most of it the training
count over the subtree's appointments, now read from ``training.counters``).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangathan.access.permissions import VIEW_CONTROL_ROOM
from sangathan.access.scope import require
from sangathan.channels.models import Channel
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import COUNTERS, ActivityReport, ActivityRollup, RollupRun
from sangathan.core.paths import path_upper_bound, subtree_q
from sangathan.org.models import Appointment, CoverageCounter, Level, Unit
from sangathan.outreach.models import Delivery, Message
from sangathan.planning.models import UnitProgress
from sangathan.training import selectors as training_selectors
from sangathan.training.models import Completion

PERIOD_CHOICES = (7, 30)
PERIOD_MAX_DAYS = 366
FIRST_YEAR = 2000  # periods start after it: year 1 overflows the time zone conversion (a 500 on SQLite)

KEYS = ("reporting", "activity", "cascade", "training", "channels", "milestones")
LABELS = {
    "reporting": gettext_lazy("Reporting regularity"),
    "activity": gettext_lazy("Activity per booth"),
    "cascade": gettext_lazy("Cascade reliability"),
    "training": gettext_lazy("Training done"),
    "channels": gettext_lazy("Channels registered"),
    "milestones": gettext_lazy("Milestones met"),
}
ACTIVITY_PER_DAY = gettext_lazy("Activity per day")
UNIT_FORMULAS = {
    "reporting": gettext_lazy(
        "Daily reports sent by the key office-bearers of the area ÷ reports expected (one per key office-bearer "
        "per day of the period, on the days whose numbers were rolled up) × 100."
    ),
    "activity": gettext_lazy(
        "(Posts + party messages shared + WhatsApp groups messaged + people added + events) reported in the area "
        "÷ booths in the area ÷ days rolled up; shown as a percent of the best unit among its siblings (the best is 100)."
    ),
    "cascade": gettext_lazy(
        "Units of the area that acknowledged a message within its deadline ÷ messages delivered there in the "
        "period (acknowledged, or past the deadline) × 100."
    ),
    "training": gettext_lazy(
        "Active posts in the area held by someone who completed a training programme ÷ active posts in the "
        "area × 100 (as of today; a person holding two posts counts for each)."
    ),
    "channels": gettext_lazy(
        "Units of the area (itself included) with at least one active channel in the registry ÷ units of the "
        "area × 100 (as of today)."
    ),
    "milestones": gettext_lazy(
        "Units of the area under a plan that have missed no deadline ÷ units of the area under a plan × 100 "
        "(as of the plan's last progress refresh)."
    ),
}
BEARER_FORMULAS = {
    "reporting": gettext_lazy("Days with a daily report ÷ days of the period while in the post × 100."),
    "activity": gettext_lazy(
        "Everything reported (posts, shares, groups messaged, people added, events) ÷ days in the post; shown "
        "as a percent of the best key office-bearer among the siblings (the best is 100)."
    ),
    "cascade": gettext_lazy(
        "Messages the unit acknowledged within the deadline ÷ messages delivered to the unit in the period "
        "(acknowledged, or past the deadline) × 100."
    ),
    "training": gettext_lazy("100 if the person has completed a training programme, else 0."),
    "channels": gettext_lazy("100 if the unit has at least one active channel in the registry, else 0."),
    "milestones": gettext_lazy("100 if the unit has missed no deadline of its plan, else 0."),
}
OVERALL_FORMULA = gettext_lazy(
    "Overall: the average of the scores that have inputs (a score without inputs is left out)."
)


# ---------------------------------------------------------------- access


def get_scored_appointment_for_user(user, pk: int) -> Appointment:
    """An active key appointment whose scorecard is asked for: 404 outside the user's view or when it is
    not an active key post below the top of the tree, 403 without the control room at its unit."""
    appointment = (
        Appointment.objects.restrict(user)
        .filter(pk=pk, status=Appointment.Status.ACTIVE, position__is_key=True, unit__parent__isnull=False)
        .select_related("person", "position", "unit__level", "unit__parent__level")
        .first()
    )
    if appointment is None:
        raise Http404
    require(user, VIEW_CONTROL_ROOM, appointment.unit)
    return appointment


# ---------------------------------------------------------------- settings


def attention_weeks() -> int:
    """A unit needs attention when its score was below ``attention_score()`` in each of this many weeks."""
    return max(1, int(getattr(settings, "CONTROLROOM_ATTENTION_WEEKS", 3)))


def attention_score() -> int:
    return int(getattr(settings, "CONTROLROOM_ATTENTION_SCORE", 40))


# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[datetime.date]:
        return [self.first + datetime.timedelta(days=n) for n in range(self.days)]

    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as aware datetimes: from the first day's midnight to the midnight after the last."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return start, end


def period_parse(
    *, days: str | int | None = None, first: str | None = None, last: str | None = None, today: datetime.date
) -> Period:
    """The period asked for: the last 7 or 30 full days (ending yesterday), or from ``first`` to ``last``
    (ISO dates, at most ``PERIOD_MAX_DAYS`` days, not after today). ``ControlRoomError`` with a message."""
    if first or last:
        try:
            start = datetime.date.fromisoformat(str(first or "").strip())
            end = datetime.date.fromisoformat(str(last or "").strip())
        except ValueError:
            raise ControlRoomError(
                _("Give both days of the period as dates like 2026-06-01."), code="bad_day"
            ) from None
        if end > today:
            raise ControlRoomError(_("The period cannot end after today."), code="future_day")
        if start.year < FIRST_YEAR:  # and no date the database's time zone conversion overflows on
            raise ControlRoomError(
                _("The period cannot start before %(year)d.") % {"year": FIRST_YEAR}, code="bad_period"
            )
        if start > end:
            raise ControlRoomError(_("The period must start before it ends."), code="bad_period")
        if (end - start).days + 1 > PERIOD_MAX_DAYS:
            raise ControlRoomError(
                _("A period can be at most %(days)d days long.") % {"days": PERIOD_MAX_DAYS}, code="bad_period"
            )
        return Period(start, end)
    try:
        count = int(days) if days not in (None, "") else PERIOD_CHOICES[0]
    except (TypeError, ValueError):
        count = 0
    if count not in PERIOD_CHOICES:
        raise ControlRoomError(_("Choose a period of 7 or 30 days, or give its first and last day."), code="bad_period")
    end = today - datetime.timedelta(days=1)
    return Period(end - datetime.timedelta(days=count - 1), end)


# ---------------------------------------------------------------- scores


@dataclass
class Score:
    """One score: ``done`` of ``total`` (or a value against the best sibling's), as a whole percent; None
    when it has no inputs. ``inputs`` are the numbers its formula was applied to."""

    key: str
    percent: int | None
    inputs: dict = field(default_factory=dict)
    title: str | Promise = ""  # a label of its own (an office-bearer's activity is per day, not per booth)

    @property
    def label(self) -> str:
        return str(self.title or LABELS[self.key])

    @property
    def band(self) -> str:
        if self.percent is None:
            return "none"
        if self.percent >= 75:
            return "good"
        if self.percent >= 40:
            return "fair"
        return "poor"


def _ratio(key: str, done: int | float, total: int | float, **more) -> Score:
    percent = round(100 * done / total) if total else None
    return Score(key, None if percent is None else min(percent, 100), {"done": done, "total": total, **more})


def _overall(scores: dict[str, Score]) -> int | None:
    values = [score.percent for score in scores.values() if score.percent is not None]
    return round(sum(values) / len(values)) if values else None


def _relative(cards, key: str) -> None:
    """Turn each card's ``value`` input of ``key`` into a percent of the best card's (the best is 100)."""
    best = max((card.scores[key].inputs["value"] for card in cards), default=0)
    for card in cards:
        score = card.scores[key]
        score.inputs["best"] = best
        score.percent = round(100 * score.inputs["value"] / best) if best else (0 if score.inputs["days"] else None)


@dataclass
class UnitCard:
    unit: Unit
    scores: dict[str, Score]
    bearer: Appointment | None = None  # the unit's key office-bearer (the first seat)
    overall: int | None = None
    rank: int = 0

    @property
    def band(self) -> str:
        return Score("overall", self.overall).band

    @property
    def ordered(self) -> list[Score]:
        return [self.scores[key] for key in KEYS]


@dataclass
class Scorecards:
    unit: Unit
    period: Period
    cards: list[UnitCard]
    child_level: Level | None
    days_rolled_up: int
    formulas: dict = field(default_factory=lambda: UNIT_FORMULAS)


def _branch(parent: Unit) -> int:
    return len(parent.path) + Unit.steplen


def _rolled_up_days(period: Period) -> int:
    return RollupRun.objects.filter(day__gte=period.first, day__lte=period.last).count()


def _cascade_counts(parent: Unit, period: Period, *, by: str) -> dict:
    """(on time, counted) per branch below ``parent`` (``by="branch"``) or per unit id (``by="unit"``) for
    the messages sent in the period: a delivery counts once acknowledged or once its deadline passed."""
    start, end = period.window()
    now = timezone.now()
    messages = list(
        Message.objects.filter(
            sent_at__gte=start, sent_at__lt=end, status__in=[Message.Status.SENDING, Message.Status.SENT]
        ).values_list("pk", "sent_at", "ack_within_hours")
    )
    if not messages:
        return {}
    due = [pk for pk, sent_at, hours in messages if sent_at and sent_at + datetime.timedelta(hours=hours) <= now]
    deliveries = Delivery.objects.filter(
        Q(message_id__in=due) | Q(message_id__in=[pk for pk, *_rest in messages], ack_seconds__isnull=False)
    )
    if by == "unit":
        deliveries = deliveries.filter(unit__parent=parent)
        group = "unit_id"
    else:
        deliveries = deliveries.filter(subtree_q([parent.path]), depth__gt=parent.depth).annotate(
            branch=Substr("path", 1, _branch(parent))
        )
        group = "branch"
    rows = (
        deliveries.values(group)
        .annotate(
            counted=Count("id"),
            on_time=Count("id", filter=Q(ack_seconds__lte=F("message__ack_within_hours") * 3600)),
        )
        .order_by()
    )
    return {row[group]: (row["on_time"], row["counted"]) for row in rows}


@dataclass
class Standing:
    """What the scores read as of today for the children of a unit (no history: the same in every period):
    booths and units below each child (coverage counters), training, channels and plan progress per branch."""

    booths: dict[int, int]
    below: dict[int, int]
    training: dict[int, tuple[int, int]]
    channels: dict[str, int]
    milestones: dict[str, tuple[int, int]]


def standing(unit: Unit, children: list[Unit], booth: Level | None) -> Standing:
    """Four grouped queries over ``unit``'s subtree. Training reads the counters (``training.counters``: one
    query over the children's rows); it used to count a state's 28,000 active appointments on every page
    load, about 0.3 s on PostgreSQL."""
    width = _branch(unit)
    booths: dict[int, int] = {}
    below: dict[int, int] = {}
    for unit_id, level_id, total in CoverageCounter.objects.filter(unit__in=children).values_list(
        "unit_id", "level_id", "units_total"
    ):
        below[unit_id] = below.get(unit_id, 0) + total
        if booth is not None and level_id == booth.pk:
            booths[unit_id] = total
    upper = path_upper_bound(unit.path)
    channel_rows = Channel.objects.filter(is_active=True, unit__path__gt=unit.path)
    progress_rows = UnitProgress.objects.filter(path__gt=unit.path)
    if upper:
        channel_rows = channel_rows.filter(unit__path__lt=upper)
        progress_rows = progress_rows.filter(path__lt=upper)
    channels = dict(
        channel_rows.annotate(branch=Substr("unit__path", 1, width))
        .values("branch")
        .annotate(units=Count("unit_id", distinct=True))
        .order_by()
        .values_list("branch", "units")
    )
    milestones = {
        row["branch"]: (row["met"], row["total"])
        for row in progress_rows.annotate(branch=Substr("path", 1, width))
        .values("branch")
        .annotate(total=Count("unit_id"), met=Count("unit_id", filter=Q(late_since__isnull=True)))
        .order_by()
    }
    training = training_selectors.trained_posts(Unit.objects.filter(pk__in=[child.pk for child in children]))
    return Standing(booths, below, training, channels, milestones)


def _children(unit: Unit) -> list[Unit]:
    return list(Unit.objects.filter(parent=unit).select_related("level").order_by("number", "name_en", "path"))


def unit_scorecards(
    unit: Unit, period: Period, *, with_bearers: bool = True, known: Standing | None = None
) -> Scorecards:
    """The scorecard of each child of ``unit`` over ``period``, ranked (best first). The caller checked that
    the user may open ``unit``'s control room (the children are inside it). ``known``: today's standing,
    when the caller already read it (several periods of one unit)."""
    children = _children(unit)
    result = Scorecards(unit=unit, period=period, cards=[], child_level=None, days_rolled_up=_rolled_up_days(period))
    if not children:
        return result
    result.child_level = children[0].level
    paths = [child.path for child in children]
    booth = Level.objects.order_by("-order").first()
    now = known or standing(unit, children, booth)
    booths, below, training, channels, milestones = (
        now.booths,
        now.below,
        now.training,
        now.channels,
        now.milestones,
    )
    rollups = {
        row["path"]: row
        # The days listed, not a range: the unique (day, path, level) index then finds each row (a district's week
        # on the seeded state: 7 ms, against 110 ms for a range that reads every row of those days).
        for row in ActivityRollup.objects.filter(path__in=paths, day__in=period.dates())
        .values("path")
        .annotate(bearers=Sum("bearers"), reported=Sum("reported"), **{n: Sum(n) for n in COUNTERS})
        .order_by()
    }
    cascade = _cascade_counts(unit, period, by="branch")
    bearers = _key_bearers(children) if with_bearers else {}

    days = result.days_rolled_up  # the days whose numbers are in the roll-ups
    for child in children:
        roll: Mapping[str, Any] = rollups.get(child.path) or {}
        activity = sum(roll.get(name) or 0 for name in COUNTERS)
        child_booths = 1 if booth is not None and child.level_id == booth.pk else booths.get(child.pk, 0)
        appointed, trained = training.get(child.pk, (0, 0))
        on_time, counted = cascade.get(child.path, (0, 0))
        met, tracked = milestones.get(child.path, (0, 0))
        expected = roll.get("bearers") or 0
        scores = {
            "reporting": _ratio("reporting", roll.get("reported") or 0, expected),
            "activity": Score(
                "activity",
                None,
                {
                    "done": activity,
                    "booths": child_booths,
                    "days": days if expected else 0,
                    "value": round(activity / (child_booths * days), 2) if child_booths and expected and days else 0,
                },
            ),
            "cascade": _ratio("cascade", on_time, counted),
            "training": _ratio("training", trained, appointed),
            "channels": _ratio("channels", channels.get(child.path, 0), below.get(child.pk, 0) + 1),
            "milestones": _ratio("milestones", met, tracked),
        }
        result.cards.append(UnitCard(unit=child, scores=scores, bearer=bearers.get(child.pk)))
    _relative(result.cards, "activity")
    _rank(result.cards)
    return result


def _rank(cards) -> None:
    for card in cards:
        card.overall = _overall(card.scores)
    cards.sort(key=lambda card: (card.overall is None, -(card.overall or 0), card.unit.path))
    for number, card in enumerate(cards, start=1):
        card.rank = number


def _key_bearers(units: list[Unit]) -> dict[int, Appointment]:
    result: dict[int, Appointment] = {}
    for appointment in (
        Appointment.objects.filter(unit__in=units, status=Appointment.Status.ACTIVE, position__is_key=True)
        .select_related("person", "position")
        .order_by("unit_id", "seat", "pk")
    ):
        result.setdefault(appointment.unit_id, appointment)
    return result


# ---------------------------------------------------------------- office-bearers


@dataclass
class BearerCard:
    appointment: Appointment
    scores: dict[str, Score]
    overall: int | None = None
    rank: int = 0

    @property
    def unit(self) -> Unit:
        return self.appointment.unit

    @property
    def band(self) -> str:
        return Score("overall", self.overall).band

    @property
    def ordered(self) -> list[Score]:
        return [self.scores[key] for key in KEYS]


def bearer_scorecards(parent: Unit, period: Period) -> list[BearerCard]:
    """The scorecard of every active key office-bearer of ``parent``'s children over ``period``, ranked among
    themselves (a handful of queries whatever their number)."""
    appointments = list(
        Appointment.objects.filter(unit__parent=parent, status=Appointment.Status.ACTIVE, position__is_key=True)
        .select_related("person", "position", "unit__level")
        .order_by("unit__path", "seat", "pk")
    )
    if not appointments:
        return []
    ids = [a.pk for a in appointments]
    reports = {
        row["appointment_id"]: row
        for row in ActivityReport.objects.filter(appointment_id__in=ids, day__gte=period.first, day__lte=period.last)
        .values("appointment_id")
        .annotate(days=Count("id"), **{n: Sum(n) for n in COUNTERS})
        .order_by()
    }
    cascade = _cascade_counts(parent, period, by="unit")
    trained = set(
        Completion.objects.filter(person_id__in={a.person_id for a in appointments}).values_list("person_id", flat=True)
    )
    unit_ids = {a.unit_id for a in appointments}
    with_channel = set(
        Channel.objects.filter(unit_id__in=unit_ids, is_active=True).values_list("unit_id", flat=True).distinct()
    )
    progress = dict(UnitProgress.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "late_since"))
    cards = []
    for appointment in appointments:
        start = max(period.first, appointment.start_date)
        days_in_post = max((period.last - start).days + 1, 0)
        row: Mapping[str, Any] = reports.get(appointment.pk) or {}
        activity = sum(row.get(name) or 0 for name in COUNTERS)
        on_time, counted = cascade.get(appointment.unit_id, (0, 0))
        scores = {
            "reporting": _ratio("reporting", row.get("days") or 0, days_in_post),
            "activity": Score(
                "activity",
                None,
                {
                    "done": activity,
                    "days": days_in_post,
                    "value": round(activity / days_in_post, 2) if days_in_post else 0,
                },
                title=ACTIVITY_PER_DAY,
            ),
            "cascade": _ratio("cascade", on_time, counted),
            "training": _ratio("training", 1 if appointment.person_id in trained else 0, 1),
            "channels": _ratio("channels", 1 if appointment.unit_id in with_channel else 0, 1),
            "milestones": (
                _ratio("milestones", 1 if progress[appointment.unit_id] is None else 0, 1)
                if appointment.unit_id in progress
                else Score("milestones", None, {"done": 0, "total": 0})
            ),
        }
        cards.append(BearerCard(appointment=appointment, scores=scores))
    _relative(cards, "activity")
    for card in cards:
        card.overall = _overall(card.scores)
    cards.sort(key=lambda card: (card.overall is None, -(card.overall or 0), card.unit.path, card.appointment.pk))
    for number, card in enumerate(cards, start=1):
        card.rank = number
    return cards


def bearer_scorecard(appointment: Appointment, period: Period, *, compare: bool) -> tuple[BearerCard | None, int]:
    """One key office-bearer's card and how many they are ranked among (the key office-bearers of the sibling
    units). Without ``compare`` (the user does not see the unit above), nothing of the siblings shows: no
    rank, and activity has no percent (it is relative to the best sibling)."""
    parent = appointment.unit.parent
    if parent is None:
        return None, 0
    cards = bearer_scorecards(parent, period)
    card = next((card for card in cards if card.appointment.pk == appointment.pk), None)
    if card is None or compare:
        return card, len(cards)
    activity = card.scores["activity"]
    activity.percent = None
    activity.inputs.pop("best", None)
    card.overall, card.rank = _overall(card.scores), 0
    return card, 0


# ---------------------------------------------------------------- needs attention


@dataclass
class Attention:
    unit: Unit
    weeks: list[tuple[Period, int | None]]  # oldest first
    bearer: Appointment | None = None


def weeks_back(today: datetime.date, count: int) -> list[Period]:
    """The last ``count`` full weeks (seven days each, the latest ending yesterday), oldest first."""
    end = today - datetime.timedelta(days=1)
    weeks = []
    for n in range(count):
        last = end - datetime.timedelta(days=7 * n)
        weeks.append(Period(last - datetime.timedelta(days=6), last))
    return list(reversed(weeks))


def _below(card: UnitCard | None, threshold: int) -> bool:
    """A week counts as low when the unit had a score and it was under the threshold."""
    return card is not None and card.overall is not None and card.overall < threshold


def needs_attention(unit: Unit, *, today: datetime.date | None = None) -> tuple[list[Attention], list[Period]]:
    """The children of ``unit`` whose overall score was below ``attention_score()`` in each of the last
    ``attention_weeks()`` weeks (a week without any input does not count as low), lowest last week first."""
    today = today or timezone.localdate()
    weeks = weeks_back(today, attention_weeks())
    threshold = attention_score()
    # Training, channels and plan progress have no history: read once for all the weeks.
    known = standing(unit, _children(unit), Level.objects.order_by("-order").first())
    by_week = [
        {card.unit.pk: card for card in unit_scorecards(unit, week, with_bearers=False, known=known).cards}
        for week in weeks
    ]
    if not by_week or not by_week[-1]:
        return [], weeks
    low = [pk for pk in by_week[-1] if all(_below(cards.get(pk), threshold) for cards in by_week)]
    bearers = _key_bearers([by_week[-1][pk].unit for pk in low])
    result = [
        Attention(
            unit=by_week[-1][pk].unit,
            weeks=[(week, cards[pk].overall) for week, cards in zip(weeks, by_week, strict=True)],
            bearer=bearers.get(pk),
        )
        for pk in low
    ]
    result.sort(key=lambda row: (row.weeks[-1][1] or 0, row.unit.path))
    return result, weeks
