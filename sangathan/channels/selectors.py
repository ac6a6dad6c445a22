"""Reads of the channel registry. Set-based: nothing here loops over units in Python."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from sangathan.access.permissions import VIEW
from sangathan.channels.models import Channel, ChannelCredential, ChannelSnapshot, Platform
from sangathan.org.models import CoverageCounter, Level, Person, Unit
from sangathan.org.paths import subtree_q

# The two channels every booth must have by the plan's deadline.
BOOTH_ESSENTIALS = (Platform.WHATSAPP_GROUP, Platform.WHATSAPP_BROADCAST)


def admins_from_mobiles(user, mobiles: list[str]) -> tuple[list[Person], list[str]]:
    """The people the user can see with these numbers (a channel's admins), and the numbers of nobody they
    can see (kept as numbers on the channel)."""
    found = {p.mobile: p for p in Person.objects.restrict(user, VIEW).filter(mobile__in=mobiles)} if mobiles else {}
    return [found[m] for m in mobiles if m in found], [m for m in mobiles if m not in found]


def unit_ids_with_platforms(platforms: Iterable[str]) -> QuerySet:
    """Ids of the units that have an *active* channel of *every* platform in ``platforms``.

    One grouped query (``GROUP BY unit_id HAVING COUNT(DISTINCT platform) = n``) usable as a
    subquery: ``Unit.objects.filter(id__in=unit_ids_with_platforms([...]))``. An empty list
    matches no unit.
    """
    wanted = sorted({str(p) for p in platforms})
    if not wanted:
        return Channel.objects.none().values_list("unit_id", flat=True)
    return (
        Channel.objects.filter(is_active=True, platform__in=wanted)
        .order_by()
        .values("unit_id")
        .annotate(platforms_present=Count("platform", distinct=True))
        .filter(platforms_present=len(wanted))
        .values_list("unit_id", flat=True)
    )


def channels_of_unit(unit: Unit, *, include_inactive: bool = False) -> QuerySet:
    qs = Channel.objects.filter(unit=unit).prefetch_related("admins").select_related("unit__level", "credential")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("-is_active", "platform", "name", "id")


def channels_in_subtree(
    user,
    unit: Unit,
    *,
    level: Level | None = None,
    platform: str = "",
    query: str = "",
    include_inactive: bool = False,
) -> QuerySet:
    """The channels of ``unit`` and everything below it that ``user`` may see, filtered."""
    qs = Channel.objects.restrict(user, "view").filter(subtree_q([unit.path], "unit__path"))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if level is not None:
        qs = qs.filter(unit__level=level)
    if platform:
        qs = qs.filter(platform=platform)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(link__icontains=query))
    return qs.select_related("unit__level").order_by("unit__path", "platform", "name", "id")


@dataclass
class PlatformCount:
    platform: str
    label: str | Promise  # the platform's translated name, evaluated when shown
    channels: int
    units: int


def platform_counts(unit: Unit, *, level: Level | None = None) -> list[PlatformCount]:
    """Per platform: active channels and distinct units having one, in ``unit``'s subtree (one query)."""
    qs = Channel.objects.filter(is_active=True).filter(subtree_q([unit.path], "unit__path"))
    if level is not None:
        qs = qs.filter(unit__level=level)
    rows = {
        row["platform"]: row
        for row in qs.order_by()
        .values("platform")
        .annotate(channels=Count("id"), units=Count("unit_id", distinct=True))
    }
    none = {"channels": 0, "units": 0}
    return [
        PlatformCount(
            platform=value,
            label=label,
            channels=rows.get(value, none)["channels"],
            units=rows.get(value, none)["units"],
        )
        for value, label in Platform.choices
    ]


def units_missing_platforms(unit: Unit, level: Level, platforms: Iterable[str] = BOOTH_ESSENTIALS) -> QuerySet:
    """Units of ``level`` in ``unit``'s subtree lacking an active channel of any of ``platforms``,
    each annotated with ``has_<platform>`` booleans (one query with EXISTS subqueries)."""
    annotations = {
        f"has_{p}": Exists(Channel.objects.filter(unit_id=OuterRef("pk"), platform=p, is_active=True))
        for p in platforms
    }
    missing = Q()
    for p in platforms:
        missing |= Q(**{f"has_{p}": False})
    return (
        Unit.objects.subtree(unit)
        .filter(level=level)
        .annotate(**annotations)
        .filter(missing)
        .select_related("level", "parent")
        .order_by("path")
    )


def booth_essentials(unit: Unit, level: Level) -> dict:
    """For the units of ``level`` under ``unit``: how many in all, with a WhatsApp group, with a broadcast
    list, with both, and missing one or both, with percentages.

    Counted from the channel side (proportional to the channels registered, not to the booths), and the
    total from the coverage counters the org services keep: three small queries at any scale."""
    group, broadcast = BOOTH_ESSENTIALS
    channels = Channel.objects.filter(
        subtree_q([unit.path], "unit__path"), is_active=True, platform__in=BOOTH_ESSENTIALS, unit__level=level
    ).order_by()
    row = channels.aggregate(
        with_group=Count("unit_id", distinct=True, filter=Q(platform=group)),
        with_broadcast=Count("unit_id", distinct=True, filter=Q(platform=broadcast)),
    )
    row["with_both"] = (
        channels.values("unit_id").annotate(n=Count("platform", distinct=True)).filter(n=len(BOOTH_ESSENTIALS)).count()
    )
    counter = CoverageCounter.objects.filter(unit=unit, level=level).values_list("units_total", flat=True).first()
    row["total"] = counter if counter is not None else Unit.objects.subtree(unit).filter(level=level).count()
    total = row["total"]
    row["missing"] = max(total - row["with_both"], 0)
    for key in ("with_group", "with_broadcast", "with_both"):
        row[f"{key}_percent"] = min(round(100 * row[key] / total), 100) if total else 0
    return row


# ---------------------------------------------------------------- official accounts' numbers


def snapshots_of_channel(channel: Channel, *, days: int = 30, today: datetime.date | None = None) -> list:
    """The channel's snapshots of the last ``days`` days, oldest first (for its chart)."""
    today = today or timezone.localdate()
    return list(
        ChannelSnapshot.objects.filter(channel=channel, day__gt=today - datetime.timedelta(days=days)).order_by("day")
    )


@dataclass
class FollowerBar:
    day: datetime.date
    followers: int
    percent: int  # of the chart's height: the largest number is 100
    x: int = 0  # the bar's place in the chart's SVG (10 units a day, the bar 8 wide)

    @property
    def y(self) -> int:
        return 100 - self.percent


def follower_bars(snapshots: list) -> list[FollowerBar]:
    """Bars for the days with a follower total, scaled between a floor under the smallest and the largest, so a
    change of a few percent shows (a chart from zero would draw every day the same)."""
    known = [s for s in snapshots if s.followers is not None]
    if not known:
        return []
    low, high = min(s.followers for s in known), max(s.followers for s in known)
    floor = max(low - max((high - low) // 4, 1), 0)
    span = max(high - floor, 1)
    return [
        FollowerBar(s.day, s.followers, max(round(100 * (s.followers - floor) / span), 4), x=10 * i)
        for i, s in enumerate(known)
    ]


@dataclass
class FollowerDrop:
    channel_id: int
    unit_id: int
    unit_path: str
    name: str
    before: int
    after: int
    before_day: datetime.date
    after_day: datetime.date

    @property
    def percent_lost(self) -> float:
        return round(100 * (self.before - self.after) / self.before, 1) if self.before else 0.0


def follower_drops(
    *, today: datetime.date | None = None, days: int = 7, percent: float = 10, user=None, unit: Unit | None = None
) -> list[FollowerDrop]:
    """Official accounts that lost more than ``percent`` per cent of their followers in the last ``days`` days: the
    latest follower total of the last two days against the earliest of the window's first two days (a day missed
    by the daily run does not hide a drop). Scoped to ``user`` and to ``unit``'s subtree when given.

    Two grouped queries over the window's snapshots (one row per channel and day), then a comparison per
    channel: the window holds a week of one row per official account, a few thousand rows for a state."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=days)
    qs = ChannelSnapshot.objects.all() if user is None else ChannelSnapshot.objects.restrict(user, VIEW)
    qs = qs.filter(day__gte=start, day__lte=today, followers__isnull=False, channel__is_active=True)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "channel__unit__path"))
    first_days = (
        qs.filter(day__lte=start + datetime.timedelta(days=1))
        .order_by("channel_id", "day")
        .values_list("channel_id", "day", "followers", "channel__unit_id", "channel__unit__path", "channel__name")
    )
    last_days = (
        qs.filter(day__gte=today - datetime.timedelta(days=1))
        .order_by("channel_id", "-day")
        .values_list("channel_id", "day", "followers")
    )
    earliest: dict[int, tuple] = {}
    for channel_id, day, followers, unit_id, path, name in first_days:
        earliest.setdefault(channel_id, (day, followers, unit_id, path, name))
    latest: dict[int, tuple] = {}
    for channel_id, day, followers in last_days:
        latest.setdefault(channel_id, (day, followers))
    drops = []
    for channel_id, (after_day, after) in latest.items():
        if channel_id not in earliest:
            continue
        before_day, before, unit_id, path, name = earliest[channel_id]
        if before and (before - after) * 100 > percent * before:  # exact: 100 of 1,000 is not over 10%
            drops.append(FollowerDrop(channel_id, unit_id, path, name, before, after, before_day, after_day))
    return sorted(drops, key=lambda d: -d.percent_lost)


def credentials_needing_attention(user, unit: Unit) -> QuerySet:
    """The API access in ``unit``'s subtree that a platform refused (for the channels pages)."""
    return (
        ChannelCredential.objects.restrict(user, VIEW)
        .filter(subtree_q([unit.path], "channel__unit__path"), status=ChannelCredential.Status.ATTENTION)
        .select_related("channel__unit")
    )


def channels_to_fetch() -> QuerySet:
    """Ids of the active channels whose numbers the daily run reads from an API (working API access)."""
    return (
        ChannelCredential.objects.filter(channel__is_active=True, status=ChannelCredential.Status.OK)
        .order_by("channel_id")
        .values_list("channel_id", flat=True)
    )
