"""Trend drives counted honestly for the control room: every distinct post, not one proof per unit.

``outreach.drives`` counts a drive from the cascade alone: a unit that answered "shared" with a link inside the
window is one post, whatever else it posted. The control room also knows the post links of the daily reports
(``PostMention`` → ``ReportedPost``, keyed by ``links.normalise_post_url``), and sits above the cascade in the
layers, so the honest count lives here:

- a unit's posts are the distinct post keys among its share proofs given inside the window (the delivery's
  ``share_url``, normalised the same way; a link that is not a post of a platform we count is not a post)
  and the post links of its reports for the days of the window (reports are per day: a report of the
  window's first or last day counts whole);
- a level's posts are the distinct keys over its units under the counted unit (a post two booths both name
  is one post), against the target (units reached × posts per unit);
- the units are those of the level the drive's message reached (as in ``outreach.drives``).

The URLs cannot say whether the post carries the hashtag (``/status/123`` names a post, not its text): a post
counts when it was proved or reported inside the window. Reads: the deliveries of the message in the
unit's range (one grouped query for the units, one for the share links, normalised in Python: a state's
52,000 booths with a link each is about 0.5 s, so the result is kept ``outreach.drives.count_seconds()``),
one query for the reports' links.

This count is registered in ``outreach.drive_counts`` (``COUNTER``, from ``ControlRoomConfig.ready``): the
outreach drive pages, their API and the wall read the same numbers, from the same cache key.
"""

import datetime
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.controlroom.links import PostLinkError, normalise_post_url
from sangathan.controlroom.models import PostMention
from sangathan.core.paths import subtree_q
from sangathan.org.models import Unit
from sangathan.outreach import drives as outreach_drives
from sangathan.outreach.drive_counts import DriveCounter
from sangathan.outreach.drives import DriveProgress, LevelProgress
from sangathan.outreach.models import TrendDrive
from sangathan.outreach.selectors import deliveries_in

COUNT = "distinct_posts"
DEFINITION = _(
    "Trend drives: distinct posts proved or reported during the drive's window — the links units give when "
    "they answer “shared” and the post links of their daily reports, one post counted once however many links "
    "name it — against the posts asked per unit at each level."
)


def post_key(url: str) -> str | None:
    """The key of the post ``url`` links to (the reports' de-duplication key), None if it is not a post link."""
    try:
        return normalise_post_url(url).key
    except PostLinkError:
        return None


def window_days(drive: TrendDrive) -> tuple[datetime.date, datetime.date]:
    return timezone.localdate(drive.starts_at), timezone.localdate(drive.ends_at)


def drive_posts(drive: TrendDrive, unit: Unit, level_ids: list[int] | None = None) -> dict[int, dict[int, set[str]]]:
    """level id -> unit id -> the distinct post keys of that unit (share proofs and report links), for the
    drive's target levels below ``unit`` (or ``level_ids``)."""
    if level_ids is None:
        level_ids = list(drive.targets.filter(level__order__gt=unit.level.order).values_list("level_id", flat=True))
    found: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    if not level_ids or not drive.message.is_sent:
        return found
    in_window = Q(shared_at__gte=drive.starts_at, shared_at__lte=drive.ends_at) & ~Q(share_url="")
    shares = (
        deliveries_in(drive.message, unit.path)
        .filter(in_window, level_id__in=level_ids)
        .values_list("level_id", "unit_id", "share_url")
    )
    for level_id, unit_id, url in shares.iterator(chunk_size=2000):
        key = post_key(url)
        if key is not None:
            found[level_id][unit_id].add(key)
    first, last = window_days(drive)
    mentions = PostMention.objects.filter(
        subtree_q([unit.path], "unit__path"), day__gte=first, day__lte=last, unit__level_id__in=level_ids
    ).values_list("unit__level_id", "unit_id", "post__key")
    for level_id, unit_id, key in mentions.iterator(chunk_size=2000):
        found[level_id][unit_id].add(key)
    return found


def drive_progress(drive: TrendDrive, unit: Unit) -> DriveProgress:
    """The drive's count per target level under ``unit``: distinct posts (``drive_posts``) against units
    reached × posts per unit. Kept ``outreach.drives.count_seconds()`` like the cascade's count."""
    key = f"controlroom:drive:{drive.pk}:{unit.path}"
    seconds = outreach_drives.count_seconds()
    if seconds:
        cached = cache.get(key)
        if cached is not None:
            cached.drive, cached.unit = drive, unit
            return cached
    progress = DriveProgress(drive=drive, unit=unit, counted_at=timezone.now(), counted_by=COUNT)
    targets = {
        t.level_id: LevelProgress(level=t.level, posts_per_unit=t.posts_per_unit)
        for t in drive.targets.select_related("level").order_by("level__order")
        if t.level.order > unit.level.order
    }
    if targets and drive.message.is_sent:
        reached = (
            deliveries_in(drive.message, unit.path)
            .filter(level_id__in=list(targets))
            .values("level_id")
            .annotate(units=Count("pk"))
            .order_by()
        )
        for row in reached:
            targets[row["level_id"]].units = row["units"]
        for level_id, by_unit in drive_posts(drive, unit, list(targets)).items():
            targets[level_id].posts = len(set().union(*by_unit.values()))
    progress.levels = list(targets.values())
    if seconds:
        cache.set(key, progress, seconds)
    return progress


def live_drives(
    user, unit: Unit, *, now: datetime.datetime | None = None, limit: int = outreach_drives.LIVE_SHOWN
) -> list[DriveProgress]:
    """The drives running now that the user sees and that cover ``unit`` (from it or above) or lie below it
    (the selection of ``outreach.drives.live_drives``), counted here, each under the deeper of the two
    units; soonest to end first."""
    now = now or timezone.now()
    around = Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths(include_self=False))
    drives = (
        outreach_drives.drives_for_user(user)
        .filter(around, starts_at__lte=now, ends_at__gte=now, message__status__in=["sending", "sent"])
        .order_by("ends_at", "pk")[:limit]
    )
    return [drive_progress(drive, unit if unit.is_within(drive.unit) else drive.unit) for drive in drives]


COUNTER = DriveCounter(key=COUNT, definition=DEFINITION, progress=drive_progress)
