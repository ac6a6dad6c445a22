"""Reads of the recruitment drive for the staff pages. Callers pass querysets already restricted to the
user (``access.applications_for_user``); every count here is a GROUP BY over that queryset, never a
loop of queries."""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, TextField
from django.db.models.functions import Cast, Substr, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sangathan.org.models import Appointment, SocialAccount, Unit
from sangathan.org.paths import subtree_q
from sangathan.org.representation import AGE_BAND_YEARS
from sangathan.org.selectors import coverage_for_unit
from sangathan.recruitment.models import (
    Application,
    ApplicationEvent,
    Campaign,
    CampaignPosition,
    InterviewDay,
    InterviewSlot,
    ScoreSheet,
)
from sangathan.recruitment.services import _day_times

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

Status = Application.Status

# Applicants who made it past screening (a slot also marks those rejected after their interview).
PAST_SCREENING = [
    Status.SHORTLISTED,
    Status.SCHEDULED,
    Status.INTERVIEWED,
    Status.NO_SHOW,
    Status.WAITLISTED,
    Status.SELECTED,
    Status.APPOINTED,
]
SHORTLISTED_Q = Q(status__in=PAST_SCREENING) | Q(slot__isnull=False)
INTERVIEWED_Q = Q(score__isnull=False)
SELECTED_Q = Q(status__in=[Status.SELECTED, Status.APPOINTED])
APPOINTED_Q = Q(status=Status.APPOINTED)
RANKED_STATUSES = [Status.INTERVIEWED, Status.WAITLISTED, Status.SELECTED, Status.APPOINTED, Status.REJECTED]

CHART_DAYS = 60


def _stage_counts() -> dict:
    return {
        "applied": Count("id"),
        "shortlisted": Count("id", filter=SHORTLISTED_Q),
        "interviewed": Count("id", filter=INTERVIEWED_Q),
        "selected": Count("id", filter=SELECTED_Q),
        "appointed": Count("id", filter=APPOINTED_Q),
    }


def _percent(part: int, whole: int) -> int:
    # Floor, like the coverage bars: 199 of 200 is 99%, never a misleading 100%.
    return min(100, 100 * part // whole) if whole else 0


def band(percent: int) -> str:
    """The colour class of a bar."""
    return "good" if percent >= 75 else "fair" if percent >= 40 else "poor"


# ---------------------------------------------------------------- the review queue


SORTS = {
    "newest": ("-submitted_at", "-pk"),
    "score": (F("score").desc(nulls_last=True), "-submitted_at", "-pk"),
    "followers": ("-followers_total", "-submitted_at", "-pk"),
}


def applications_filtered(
    applications,
    *,
    unit: Unit | None = None,
    post: CampaignPosition | None = None,
    status: str = "",
    min_score: Decimal | None = None,
    platform: str = "",
    min_followers: int | None = None,
    gender: str = "",
    age_band: str = "",
    sort: str = "newest",
):
    """The queue's filters over an already restricted queryset, sorted; related rows joined for a list."""
    if unit is not None:
        applications = applications.filter(subtree_q([unit.path], "home_unit__path"))
    if post is not None:
        applications = applications.filter(applied_for=post)
    if status:
        applications = applications.filter(status=status)
    if min_score is not None:
        applications = applications.filter(score__gte=min_score)
    if platform:
        # The accounts are a JSON list; its text form is the same on SQLite and PostgreSQL (`"key": value`),
        # and a quote inside a handle is escaped, so this matches the platform field only.
        applications = applications.annotate(accounts_text=Cast("social_accounts", TextField())).filter(
            accounts_text__contains=f'"platform": "{platform}"'
        )
    if min_followers is not None:
        applications = applications.filter(followers_total__gte=min_followers)
    if gender:  # only applicants who gave one match
        applications = applications.filter(gender=gender)
    if age_band in AGE_BAND_YEARS:
        youngest, oldest = AGE_BAND_YEARS[age_band]
        applications = applications.filter(age__gte=youngest, age__lte=oldest)
    return applications.select_related("applied_for__position", "home_unit__level").order_by(
        *SORTS.get(sort, SORTS["newest"])
    )


def hidden_score_ids(user, application_ids) -> set[int]:
    """Applications whose panel the user sits on without having scored them yet: their score (the mean of
    the others' sheets) stays hidden from the user until they submit their own. ``application_ids`` is a
    list (a page) or a ``values("pk")`` subquery (an export: no IN list of thousands of ids)."""
    return set(
        InterviewSlot.objects.filter(application_id__in=application_ids, panel__members=user)
        .exclude(application__score_sheets__member=user)
        .values_list("application_id", flat=True)
    )


def queue_units(user, campaign: Campaign, roots: list[Unit]):
    """The units the queue can be filtered by: the user's units in the campaign and two levels below them
    (for a state campaign: districts and assembly constituencies)."""
    if not roots:
        return Unit.objects.none()
    depth_limit = max(unit.depth for unit in roots) + 2
    return (
        Unit.objects.restrict(user)
        .filter(subtree_q([unit.path for unit in roots]), depth__lte=depth_limit)
        .select_related("level")
        .order_by("path")
    )


# ---------------------------------------------------------------- the dashboard


@dataclass
class DayCount:
    day: datetime.date
    count: int
    percent: int = 0
    label: str = ""


def applications_per_day(applications, campaign: Campaign, *, today: datetime.date | None = None) -> list[DayCount]:
    """Applications per calendar day (India time) over the campaign's window so far, at most the last
    ``CHART_DAYS`` days; days without applications are zero bars."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate()
    first = timezone.localtime(campaign.opens_at, tz).date()
    last = min(today, timezone.localtime(campaign.closes_at, tz).date())
    if last < first:
        return []
    first = max(first, last - datetime.timedelta(days=CHART_DAYS - 1))
    counts = dict(
        applications.filter(submitted_at__date__gte=first, submitted_at__date__lte=last)
        .annotate(day=TruncDate("submitted_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    peak = max(counts.values(), default=0)
    step = max(1, len(days) // 6)
    result = []
    for i, day in enumerate(days):
        count = counts.get(day, 0)
        labelled = i % step == 0 or i == len(days) - 1
        result.append(
            DayCount(day=day, count=count, percent=_percent(count, peak), label=str(day.day) if labelled else "")
        )
    return result


@dataclass
class Funnel:
    stages: list[tuple[str, str, int, int]]  # (code, label, count, percent of applied)

    @property
    def applied(self) -> int:
        return self.stages[0][2] if self.stages else 0


def funnel(applications, labels: dict[str, str]) -> Funnel:
    """applied → shortlisted → interviewed → selected → appointed, in one query."""
    counts = applications.order_by().aggregate(**_stage_counts())
    applied = counts["applied"]
    return Funnel(
        stages=[
            (
                code,
                labels[code],
                counts[code],
                _percent(counts[code], applied) if code != "applied" else 100 if applied else 0,
            )
            for code in labels
        ]
    )


@dataclass
class AreaRow:
    unit: Unit
    applied: int = 0
    shortlisted: int = 0
    interviewed: int = 0
    appointed: int = 0
    percent: int = 0

    @property
    def band(self) -> str:
        return band(self.percent)


def applications_by_area(user, applications, roots: list[Unit]) -> list[AreaRow]:
    """Counts per unit one level below the user's view (per district of a state campaign) in one GROUP
    BY on the path prefix; a user who sees several units inside the campaign gets a row per unit."""
    if not roots:
        return []
    if len(roots) == 1:
        root = roots[0]
        prefix_length = len(root.path) + Unit.steplen
        units = list(Unit.objects.restrict(user).filter(parent=root).select_related("level"))
    else:
        prefix_length = min(len(unit.path) for unit in roots)
        units = roots
    by_path = {unit.path[:prefix_length]: AreaRow(unit=unit) for unit in units}
    rows = (
        applications.annotate(area=Substr("home_unit__path", 1, prefix_length))
        .values("area")
        .annotate(**{k: v for k, v in _stage_counts().items() if k != "selected"})
        .order_by()
    )
    for row in rows:
        area = by_path.get(row["area"])
        if area is not None:
            area.applied, area.shortlisted = row["applied"], row["shortlisted"]
            area.interviewed, area.appointed = row["interviewed"], row["appointed"]
    result = sorted(by_path.values(), key=lambda r: (-r.applied, r.unit.number or 0, r.unit.name))
    peak = max((r.applied for r in result), default=0)
    for row in result:
        row.percent = _percent(row.applied, peak)
    return result


@dataclass
class PostSeats:
    post: CampaignPosition
    applied: int = 0
    appointed: int = 0
    seats_total: int = 0
    filled: int = 0

    @property
    def vacant(self) -> int:
        return max(self.seats_total - self.filled, 0)

    @property
    def percent(self) -> int:
        return _percent(self.filled, self.seats_total)

    @property
    def band(self) -> str:
        return band(self.percent)

    @property
    def target_left(self) -> int | None:
        return None if self.post.target is None else max(self.post.target - self.appointed, 0)


def seats_by_post(campaign: Campaign, applications, units: list[Unit]) -> list[PostSeats]:
    """For each post of the campaign: applications and appointments through it (in the user's view), and
    seats filled and still open in the tree below the user's units (from the coverage counters)."""
    rows = [PostSeats(post=post) for post in campaign.positions.select_related("position__level")]
    by_position = {row.post.position_id: row for row in rows}
    counts = (
        applications.values("applied_for__position_id")
        .annotate(applied=Count("id"), appointed=Count("id", filter=APPOINTED_Q))
        .order_by()
    )
    for entry in counts:
        row = by_position.get(entry["applied_for__position_id"])
        if row is not None:
            row.applied, row.appointed = entry["applied"], entry["appointed"]
    for unit in units:
        for level_row in coverage_for_unit(unit):
            for coverage in level_row.positions:
                row = by_position.get(coverage.position.id)
                if row is not None:
                    row.seats_total += coverage.seats_total
                    row.filled += coverage.filled
        own = [row for row in rows if row.post.position.level_id == unit.level_id]
        if own:
            filled = dict(
                Appointment.objects.filter(unit=unit, status=Appointment.Status.ACTIVE)
                .values("position_id")
                .annotate(n=Count("id"))
                .order_by()
                .values_list("position_id", "n")
            )
            for row in own:
                row.seats_total += row.post.position.seats
                row.filled += filled.get(row.post.position_id, 0)
    return rows


@dataclass
class SubCampaignRow:
    campaign: Campaign
    applied: int = 0
    shortlisted: int = 0
    appointed: int = 0
    target: int | None = None

    @property
    def percent(self) -> int:
        return _percent(self.appointed, self.target or 0)

    @property
    def band(self) -> str:
        return band(self.percent)


def sub_campaigns_progress(user, campaign: Campaign, applications_for_user) -> list[SubCampaignRow]:
    subs = list(
        Campaign.objects.restrict(user).filter(parent=campaign).select_related("scope_unit__level").order_by("slug")
    )
    if not subs:
        return []
    rows = {sub.pk: SubCampaignRow(campaign=sub) for sub in subs}
    counts = (
        applications_for_user.filter(campaign__in=subs)
        .values("campaign_id")
        .annotate(
            applied=Count("id"),
            shortlisted=Count("id", filter=SHORTLISTED_Q),
            appointed=Count("id", filter=APPOINTED_Q),
        )
        .order_by()
    )
    for entry in counts:
        row = rows[entry["campaign_id"]]
        row.applied, row.shortlisted, row.appointed = entry["applied"], entry["shortlisted"], entry["appointed"]
    targets = (
        CampaignPosition.objects.filter(campaign__in=subs, target__isnull=False)
        .values("campaign_id")
        .annotate(total=Sum("target"))
        .order_by()
    )
    for entry in targets:
        rows[entry["campaign_id"]].target = entry["total"]
    return list(rows.values())


# ---------------------------------------------------------------- ranking


@dataclass
class RankGroup:
    """The ranked applicants for one post at one unit, with the seats that unit's committee has open."""

    unit: Unit | None
    seats: int
    filled: int
    applications: list[Application] = field(default_factory=list)

    @property
    def open_seats(self) -> int:
        return max(self.seats - self.filled, 0)


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def busiest_post(applications, posts: list[CampaignPosition]) -> CampaignPosition | None:
    """The post with the most applicants waiting for a decision (the ranking page opens on it)."""
    counts = dict(
        applications.filter(status__in=[Status.INTERVIEWED, Status.WAITLISTED])
        .values("applied_for")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("applied_for", "n")
    )
    return max(posts, key=lambda p: counts.get(p.pk, 0), default=None)


def ranking(applications, post: CampaignPosition, *, unit: Unit | None = None) -> list[RankGroup]:
    """Interviewed applicants for ``post``, grouped by the unit they would be appointed to (the home
    unit's ancestor at the post's level) and ranked by score; groups in path order."""
    rows = list(
        applications_filtered(applications, unit=unit, post=post, sort="score").filter(
            status__in=RANKED_STATUSES, score__isnull=False
        )
    )
    level_id = post.position.level_id
    ancestor_paths = sorted({p for a in rows for p in a.home_unit.ancestor_paths(include_self=True)})
    units: dict[str, Unit] = {}
    for chunk in _chunks(ancestor_paths):
        for found in Unit.objects.filter(level_id=level_id, path__in=chunk).select_related("level"):
            units[found.path] = found
    groups: dict[int | None, RankGroup] = {}
    for application in rows:
        target = next((units[p] for p in application.home_unit.ancestor_paths(include_self=True) if p in units), None)
        key = target.pk if target else None
        if key not in groups:
            groups[key] = RankGroup(unit=target, seats=post.position.seats, filled=0)
        groups[key].applications.append(application)
    unit_ids = [key for key in groups if key is not None]
    for chunk in _chunks(unit_ids):
        filled = (
            Appointment.objects.filter(unit_id__in=chunk, position_id=post.position_id, status="active")
            .values("unit_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for entry in filled:
            groups[entry["unit_id"]].filled = entry["n"]
    return sorted(groups.values(), key=lambda g: (g.unit is None, g.unit.path if g.unit else ""))


# ---------------------------------------------------------------- interviews


@dataclass
class TimetableRow:
    """A booked slot, or a run of consecutive free times (``free`` of them, from ``starts_at`` to ``last``)."""

    starts_at: datetime.datetime
    slot: InterviewSlot | None = None
    free: int = 0
    last: datetime.datetime | None = None


def day_times(day: InterviewDay) -> list[datetime.datetime]:
    return _day_times(day)


def _rows(times, booked: dict) -> list[TimetableRow]:
    rows: list[TimetableRow] = []
    for t in times:
        slot = booked.get(t)
        if slot is not None:
            rows.append(TimetableRow(starts_at=t, slot=slot))
        elif rows and rows[-1].slot is None:
            rows[-1].free += 1
            rows[-1].last = t
        else:
            rows.append(TimetableRow(starts_at=t, free=1, last=t))
    return rows


def timetable(day: InterviewDay, applications) -> list[tuple]:
    """For each panel of the day: (panel, members, rows, booked count). Rows are the booked slots (``visible``
    says whether the applicant is one the user may see) and the runs of free times between them."""
    panels = list(day.panels.prefetch_related("members"))
    slots = list(
        InterviewSlot.objects.filter(panel__day=day)
        .annotate(visible=Exists(applications.filter(pk=OuterRef("application_id"))))
        .select_related("application__applied_for__position", "application__home_unit__level")
    )
    by_panel: dict[int, dict] = {}
    for slot in slots:
        by_panel.setdefault(slot.panel_id, {})[slot.starts_at] = slot
    times = day_times(day)
    result = []
    for panel in panels:
        booked = by_panel.get(panel.pk, {})
        result.append((panel, list(panel.members.all()), _rows(times, booked), len(booked)))
    return result


def member_slots(user, *, on: datetime.date | None = None, upcoming: bool = False):
    """Slots of the panels ``user`` sits on: the day ``on``, or every day from today on; each with
    ``scored_by_me``."""
    slots = InterviewSlot.objects.filter(panel__members=user)
    if upcoming:
        slots = slots.filter(panel__day__date__gt=on or timezone.localdate())
    else:
        slots = slots.filter(panel__day__date=on or timezone.localdate())
    return (
        slots.annotate(
            scored_by_me=Exists(ScoreSheet.objects.filter(application=OuterRef("application_id"), member=user))
        )
        .select_related(
            "panel__day__campaign",
            "application__applied_for__position",
            "application__home_unit__level",
        )
        .order_by("starts_at", "panel__name")
    )


class ScoredByMe(TypedDict):
    scored_by_me: bool  # the annotation ``member_slots`` adds


def next_slot(slots: "list[WithAnnotations[InterviewSlot, ScoredByMe]]") -> InterviewSlot | None:
    """The next applicant a member has to see: the first slot they have not scored whose applicant came
    (a slot is marked done as soon as the first member of its panel has scored)."""
    return next((s for s in slots if s.status != InterviewSlot.Status.NO_SHOW and not s.scored_by_me), None)


# ---------------------------------------------------------------- one application


def _event_labels() -> dict[str, str | Promise]:
    return {
        **dict(Application.Status.choices),
        "submitted": _("applied"),
        "updated": _("applied again"),
        "held": _("another form with this number, waiting for the number's owner to confirm it"),
        "confirmed": _("details changed by the applicant, confirmed with a code"),
        "rescheduled": _("interview moved"),
        "scored": _("scored by a panel member"),
    }


def events_with_labels(application: Application) -> list[tuple[ApplicationEvent, str | Promise]]:
    """The application's history, each event with what the page calls it."""
    labels = _event_labels()
    return [(event, labels.get(event.kind, event.kind)) for event in application.events.select_related("by")]


def social_accounts(application: Application) -> list[dict]:
    """The applicant's accounts as the form stored them, with the platform's name."""
    names = dict(SocialAccount.Platform.choices)
    result = []
    for account in application.social_accounts or []:
        if not isinstance(account, dict):
            continue
        followers = account.get("followers")
        platform = str(account.get("platform") or "")
        result.append(
            {
                "label": names.get(platform, platform),
                "handle": str(account.get("handle") or ""),
                "followers": followers if isinstance(followers, int) else None,
            }
        )
    return result
