"""The rumours being reported in a unit's subtree, for the control-room wall: the clusters with the most tips
from units below it in the last hours, with how many, when and from which districts.

Read at every poll of the wall, so it is bounded whatever the volume: one grouped read of the window's
tips (over the tip's (unit, created_at) index, through the unit's path range), one read of the newest tip of
each top cluster, one read of the claims among them in the reader's scope, and per depth at which the
subtree has districts (one, in the default structure) one read of the distinct (cluster, district path)
pairs — at most the top clusters × the districts below — plus one read of those districts' names.
Only tips the reader may see count (``restrict``); tips without a unit (the public tipline, an unknown
WhatsApp number) lie in no subtree and are not on any wall.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min
from django.db.models.functions import Substr, TruncDay, TruncHour
from django.utils import timezone

from sangathan.access.permissions import VIEW
from sangathan.core.paths import STEPLEN, subtree_q
from sangathan.factcheck.models import Claim, Tip, Verdict
from sangathan.factcheck.tips import DISTRICT_LEVEL
from sangathan.org.models import Unit

WALL_HOURS = 24
WALL_CLUSTERS = 5
DISTRICT_NAMES_SHOWN = 6
TEXT_SHOWN = 220  # characters of the rumour on a wall card


@dataclass
class RumourRow:
    """One rumour on the wall: its cluster, its count in the window and subtree, and a text to show."""

    cluster_id: int
    tips: int
    first_at: datetime.datetime
    last_at: datetime.datetime
    text: str
    link: str
    claim: Claim | None = None
    verdict: str = ""
    districts: list[str] = field(default_factory=list)
    district_count: int = 0


def rumours_for_wall(
    *,
    user,
    unit: Unit,
    hours: int = WALL_HOURS,
    limit: int = WALL_CLUSTERS,
    now: datetime.datetime | None = None,
) -> list[RumourRow]:
    """The top ``limit`` rumours reported from ``unit``'s subtree in the last ``hours``, most tips first."""
    since = (now or timezone.now()) - datetime.timedelta(hours=hours)
    tips = Tip.objects.restrict(user, VIEW).filter(subtree_q([unit.path], "unit__path"), created_at__gte=since)
    rows = _top_rows(user=user, tips=tips, limit=limit)
    _add_districts(rows, tips=tips, unit=unit)
    return rows


def _top_rows(*, user, tips, limit: int) -> list[RumourRow]:
    """The ``limit`` clusters with most of ``tips``, most first, each shown by its newest tip and that tip's
    claim (if ``user`` may see it): three reads (the counts, the newest tips, their claims)."""
    top = list(
        tips.values("cluster_id")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"), newest=Max("id"))
        .order_by("-n", "-last", "cluster_id")[:limit]
    )
    if not top:
        return []
    newest = {
        tip.cluster_id: tip
        for tip in tips.filter(pk__in=[row["newest"] for row in top]).only("cluster_id", "text", "link", "claim_id")
    }
    claim_ids = {tip.claim_id for tip in newest.values() if tip.claim_id is not None}
    claims = {claim.pk: claim for claim in Claim.objects.restrict(user, VIEW).filter(pk__in=claim_ids)}
    rows = []
    for row in top:
        tip = newest[row["cluster_id"]]
        claim = claims.get(tip.claim_id) if tip.claim_id is not None else None
        rows.append(
            RumourRow(
                cluster_id=row["cluster_id"],
                tips=row["n"],
                first_at=row["first"],
                last_at=row["last"],
                text=tip.text[:TEXT_SHOWN],
                link=tip.link,
                claim=claim,
                verdict=str(Verdict(claim.verdict).label) if claim is not None and claim.is_published else "",
            )
        )
    return rows


def _add_districts(rows: list[RumourRow], *, tips, unit: Unit) -> None:
    """Each row's districts in the subtree: the unit's own district when it lies in one, else the distinct
    district-depth prefixes of its tips' unit paths."""
    own = Unit.objects.filter(path__in=unit.ancestor_paths(), level__code=DISTRICT_LEVEL).first()
    if own is not None:
        for row in rows:
            row.districts, row.district_count = [own.display_name], 1
        return
    depths = sorted(
        set(
            Unit.objects.filter(subtree_q([unit.path]), level__code=DISTRICT_LEVEL)
            .values_list("depth", flat=True)
            .distinct()
        )
    )
    _districts_at(rows, tips=tips, depths=depths)


# ---------------------------------------------------------------- the desk's trending rumours, with charts

TREND_DAYS = 7
TREND_CLUSTERS = 10
CHART_WIDTH, CHART_HEIGHT = 280, 56  # the SVG's view box; it scales to the card's width
BY_DAY, BY_HOUR = "day", "hour"


@dataclass(frozen=True)
class Bar:
    """One bar of a trend chart: tips from ``start`` for a day or an hour, and its place in the view box."""

    start: datetime.datetime
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Trend:
    """One rumour on the desk's trending page: its cluster's tips in the window, per day or hour."""

    row: RumourRow
    bars: list[Bar]
    top: int  # the largest bar, the chart's scale


def bar_chart(
    starts: list[datetime.datetime], counts: dict[datetime.datetime, int], *, width=CHART_WIDTH, height=CHART_HEIGHT
) -> tuple[list[Bar], int]:
    """Geometry of a bar chart of ``counts`` at ``starts`` (every period, empty ones too) in a ``width`` ×
    ``height`` view box, scaled to the largest; a non-empty period is at least one unit high."""
    top = max([counts.get(start, 0) for start in starts] + [1])
    step = width / max(len(starts), 1)
    gap = min(2.0, step / 4)
    bars = []
    for n, start in enumerate(starts):
        count = counts.get(start, 0)
        tall = round(max(height * count / top, 1.0 if count else 0.0), 1)
        bars.append(
            Bar(start, count, round(n * step + gap / 2, 2), round(height - tall, 1), round(step - gap, 2), tall)
        )
    return bars, top


def _periods(now: datetime.datetime, by: str, days: int) -> list[datetime.datetime]:
    """The starts of the window's days (local midnight) or hours, oldest first, the current one last."""
    local = timezone.localtime(now)
    if by == BY_HOUR:
        last = local.replace(minute=0, second=0, microsecond=0)
        return [last - datetime.timedelta(hours=n) for n in range(days * 24 - 1, -1, -1)]
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        timezone.make_aware(datetime.datetime.combine(today.date() - datetime.timedelta(days=n), datetime.time()))
        for n in range(days - 1, -1, -1)
    ]


def trending_for_desk(
    *,
    user,
    by: str = BY_DAY,
    days: int = TREND_DAYS,
    limit: int = TREND_CLUSTERS,
    now: datetime.datetime | None = None,
) -> list[Trend]:
    """The ``limit`` rumours with the most tips ``user`` may see in the last ``days`` (from the first
    period's start), each with its tips per day or hour and the districts they came from. A fixed number
    of reads whatever the volume: the top clusters, their newest tips, their claims, the per-period counts,
    and the districts (``_add_districts`` over the user's whole scope)."""
    by = BY_HOUR if by == BY_HOUR else BY_DAY
    now = now or timezone.now()
    periods = _periods(now, by, days)
    tips = Tip.objects.restrict(user, VIEW).filter(created_at__gte=periods[0], created_at__lte=now)
    rows = _top_rows(user=user, tips=tips, limit=limit)
    if not rows:
        return []
    ids = [row.cluster_id for row in rows]
    trunc = TruncHour if by == BY_HOUR else TruncDay
    per_period: dict[int, dict[datetime.datetime, int]] = {}
    for row in (
        tips.filter(cluster_id__in=ids)
        .annotate(period=trunc("created_at"))
        .values("cluster_id", "period")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_period.setdefault(row["cluster_id"], {})[timezone.localtime(row["period"])] = row["n"]
    _scope_districts(rows, tips=tips)
    trends = []
    for row in rows:
        bars, largest = bar_chart(periods, per_period.get(row.cluster_id, {}))
        trends.append(Trend(row=row, bars=bars, top=largest))
    return trends


def _scope_districts(rows: list[RumourRow], *, tips) -> None:
    """Each row's districts among the tips (any district the reader may see), per depth at which districts exist."""
    depths = sorted(set(Unit.objects.filter(level__code=DISTRICT_LEVEL).values_list("depth", flat=True).distinct()))
    _districts_at(rows, tips=tips, depths=depths)


def _districts_at(rows: list[RumourRow], *, tips, depths: list[int]) -> None:
    """Each row's districts: the distinct district-depth prefixes of its tips' unit paths, named."""
    ids = [row.cluster_id for row in rows]
    pairs: set[tuple[int, str]] = set()
    for depth in depths:
        pairs.update(
            tips.filter(cluster_id__in=ids, unit__depth__gte=depth)
            .annotate(district_path=Substr("unit__path", 1, depth * STEPLEN))
            .values_list("cluster_id", "district_path")
            .distinct()
        )
    by_path = {
        district.path: district.display_name
        for district in Unit.objects.filter(path__in={path for _cluster, path in pairs}, level__code=DISTRICT_LEVEL)
    }
    for row in rows:
        found = sorted(by_path[path] for cluster, path in pairs if cluster == row.cluster_id and path in by_path)
        row.district_count = len(found)
        row.districts = found[:DISTRICT_NAMES_SHOWN]
