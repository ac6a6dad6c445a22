"""Reads of trend drives: the drives a user sees, and a drive's live count per level under a unit.

The count, per level with a target: ``units`` = units of that level under the unit the drive's message
reached; ``posts`` = those of them that answered "shared" with a link to their post during the drive's
window (the proof); ``target`` = units × posts per unit. One grouped query over the message's deliveries
in the unit's path range (the (message, path) index), for every level at once: no loop over units. A
state's drive (≈52,000 booth deliveries) is one index range scan; the result is kept for
``OUTREACH_DRIVE_COUNT_SECONDS`` (15 s) so that several walls polling the same drive count it once, and it
says when it was counted.

That is outreach's own count. The control room counts more (every distinct post, the daily reports' post
links too: ``controlroom.drives``) and registers it in ``outreach.drive_counts`` from its ``ready()``;
``drive_progress`` below counts with the registered counter when there is one, so the drive pages, the API
and the wall show one number, and each progress says which count it is (``counted_by``, ``definition``).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.scope import can
from sangathan.org.models import Level, Unit
from sangathan.outreach.drive_counts import DriveCounter, registered
from sangathan.outreach.models import TrendDrive, TrendDriveTarget
from sangathan.outreach.selectors import deliveries_in

COUNT_SECONDS = 15
LIVE_SHOWN = 5


@dataclass
class LevelProgress:
    level: Level
    posts_per_unit: int
    units: int = 0
    posts: int = 0

    @property
    def target(self) -> int:
        return self.units * self.posts_per_unit

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.posts / self.target)) if self.target else 0

    @property
    def band(self) -> str:
        return "good" if self.percent >= 75 else "fair" if self.percent >= 40 else "poor"


@dataclass
class DriveProgress:
    drive: TrendDrive
    unit: Unit
    counted_at: datetime.datetime
    levels: list[LevelProgress] = field(default_factory=list)
    counted_by: str = ""  # the counter's key (drive_counts): which definition these numbers follow
    definition: str = ""

    @property
    def posts(self) -> int:
        return sum(row.posts for row in self.levels)

    @property
    def target(self) -> int:
        return sum(row.target for row in self.levels)


def drives_for_user(user):
    return TrendDrive.objects.restrict(user, "view").select_related(
        "message__target_level", "unit__level", "created_by"
    )


def get_drive_for_user(user, pk: int) -> TrendDrive:
    drive = drives_for_user(user).filter(pk=pk).first()
    if drive is None:
        raise Http404
    return drive


def count_seconds() -> int:
    return int(getattr(settings, "OUTREACH_DRIVE_COUNT_SECONDS", COUNT_SECONDS))


def counting_unit(user, drive: TrendDrive, unit: Unit | None = None) -> Unit:
    """Where a drive is counted for ``user``: ``unit`` if given and inside both the drive's area and the
    user's view (else 404), the drive's unit if the user sees it, else the user's outermost unit inside it."""
    if unit is not None:
        if not unit.is_within(drive.unit) or not can(user, "view", unit):
            raise Http404
        return unit
    if can(user, "view", drive.unit):
        return drive.unit
    from_below = (
        Unit.objects.restrict(user, "view")
        .filter(path__startswith=drive.unit.path)
        .select_related("level")
        .order_by("depth", "path")
        .first()
    )
    if from_below is None:
        raise Http404
    return from_below


OWN_COUNT = "share_proofs"
OWN_DEFINITION = _(
    "A post counts when a unit of that level answered the drive's message with “shared” and a link to its post, "
    "between the drive's start and end. Target: the units of the level that the message reached below this unit, "
    "times the posts asked of each unit. Each unit's link counts once."
)


def counter() -> DriveCounter:
    """The count every drive page shows: the registered one (the control room's), else outreach's own."""
    return registered() or DriveCounter(key=OWN_COUNT, definition=OWN_DEFINITION, progress=proof_progress)


def drive_progress(drive: TrendDrive, unit: Unit) -> DriveProgress:
    """The drive's count per target level under ``unit``, by ``counter()``, saying which count it is."""
    by = counter()
    progress = by.progress(drive, unit)
    progress.counted_by, progress.definition = by.key, by.definition
    return progress


def proof_progress(drive: TrendDrive, unit: Unit) -> DriveProgress:
    """Outreach's own count per target level under ``unit``: share proofs, one a unit (kept ``count_seconds()``)."""
    key = f"outreach:drive:{drive.pk}:{unit.path}"
    seconds = count_seconds()
    if seconds:
        cached = cache.get(key)
        if cached is not None:
            cached.drive, cached.unit = drive, unit
            return cached
    progress = DriveProgress(drive=drive, unit=unit, counted_at=timezone.now())
    targets = {
        t.level_id: LevelProgress(level=t.level, posts_per_unit=t.posts_per_unit)
        for t in drive.targets.select_related("level").order_by("level__order")
        if t.level.order > unit.level.order
    }
    if targets and drive.message.is_sent:
        in_window = Q(shared_at__gte=drive.starts_at, shared_at__lte=drive.ends_at) & ~Q(share_url="")
        rows = (
            deliveries_in(drive.message, unit.path)
            .filter(level_id__in=list(targets))
            .values("level_id")
            .annotate(units=Count("pk"), posts=Count("pk", filter=in_window))
            .order_by()
        )
        for row in rows:
            targets[row["level_id"]].units = row["units"]
            targets[row["level_id"]].posts = row["posts"]
    progress.levels = list(targets.values())
    if seconds:
        cache.set(key, progress, seconds)
    return progress


def live_drives(user, unit: Unit, *, now: datetime.datetime | None = None, limit: int = LIVE_SHOWN):
    """The drives running now that the user sees and that cover ``unit`` (from it or above) or lie below it,
    with their count under the deeper of the two units; soonest to end first."""
    now = now or timezone.now()
    around = Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths(include_self=False))
    drives = list(
        drives_for_user(user)
        .filter(around, starts_at__lte=now, ends_at__gte=now, message__status__in=["sending", "sent"])
        .order_by("ends_at", "pk")[:limit]
    )
    result = []
    for drive in drives:
        where = unit if unit.is_within(drive.unit) else drive.unit
        result.append(drive_progress(drive, where))
    return result


def targets_of(user, drive_ids) -> dict[int, list[TrendDriveTarget]]:
    """The targets of the drives (by id) that the user sees, by drive id, in level order."""
    targets: dict[int, list[TrendDriveTarget]] = {}
    rows = (
        TrendDriveTarget.objects.restrict(user, "view")
        .filter(drive_id__in=list(drive_ids))
        .select_related("level")
        .order_by("level__order")
    )
    for target in rows:
        targets.setdefault(target.drive_id, []).append(target)
    return targets
