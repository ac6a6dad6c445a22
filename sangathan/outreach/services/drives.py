"""Trend drives: a hashtag campaign over a message of the cascade (issue 13).

``trend_drive_create`` writes, in one transaction, the drive's message (a draft, through ``message_create``:
the same rules, the same four eyes and send steps afterwards) with the hashtag among its hashtags, the
drive with its window, and one target per level. Nothing of the drive is written when any part is refused.
"""

import datetime
import unicodedata
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.org.models import Level, Unit
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import TrendDrive, TrendDriveTarget
from sangathan.outreach.services.drafting import message_create

# After "#": letters of any script with their vowel signs and viramas (Unicode categories L*, Mn, Mc: Python's
# \w misses the marks, so "#भारत" would fail it), digits, "_" and the zero-width joiners Indic spelling uses;
# not digits only (X and Instagram do not link "#2026"). Punctuation such as the danda (।) ends a hashtag on
# the platforms, so it is refused here.
HASHTAG_CATEGORIES = ("L", "Mn", "Mc", "Nd")
HASHTAG_EXTRA = {"_", "\u200c", "\u200d"}
HASHTAG_MAX = 60  # characters after "#"
WINDOW_MAX = datetime.timedelta(days=31)
POSTS_PER_UNIT_MAX = 100


def _hashtag_char(char: str) -> bool:
    category = unicodedata.category(char)
    return char in HASHTAG_EXTRA or category.startswith("L") or category in HASHTAG_CATEGORIES


def hashtag_clean(text: str) -> str:
    """``"#संगठन_सृजन"`` stays; a missing "#" is added; anything else (spaces, punctuation, digits only,
    too long) is refused with a translated message."""
    tag = unicodedata.normalize("NFC", (text or "").strip())
    if tag and not tag.startswith("#"):
        tag = f"#{tag}"
    body = tag[1:]
    if not body:
        raise OutreachError(_("Give the drive a hashtag, such as #संगठन_सृजन."), code="hashtag")
    if len(body) > HASHTAG_MAX:
        raise OutreachError(
            _("The hashtag is too long: at most %(n)d characters after #.") % {"n": HASHTAG_MAX}, code="hashtag"
        )
    if not all(_hashtag_char(c) for c in body) or body.replace("_", "").isdigit():
        raise OutreachError(
            _("%(tag)s is not a hashtag: use letters (Hindi or English), digits and _ only, after one #.")
            % {"tag": tag},
            code="hashtag",
        )
    return tag


def drive_levels(unit: Unit, target_level: Level) -> list[Level]:
    """The levels a drive from ``unit`` down to ``target_level`` may set targets for (those its message goes to)."""
    return list(Level.objects.filter(order__gt=unit.level.order, order__lte=target_level.order).order_by("order"))


def _check_window(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise OutreachError(_("The drive must end after it starts."), code="window")
    if ends_at <= timezone.now():
        raise OutreachError(_("The drive's end must be in the future."), code="window")
    if ends_at - starts_at > WINDOW_MAX:
        raise OutreachError(_("A drive lasts at most %(days)d days.") % {"days": WINDOW_MAX.days}, code="window")


def _clean_targets(targets: Mapping[str, int | None], levels: list[Level]) -> dict[Level, int]:
    """{level code: posts per unit} → {level: n}, for levels the message goes to; empty or 0 means no target."""
    by_code = {level.code: level for level in levels}
    clean: dict[Level, int] = {}
    for code, value in targets.items():
        if value in (None, "", 0):
            continue
        level = by_code.get(code)
        if level is None:
            raise OutreachError(
                _("A target can only be set for a level the drive's message goes to (%(code)s is not one).")
                % {"code": code},
                code="target_level",
            )
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if not 1 <= number <= POSTS_PER_UNIT_MAX:
            raise OutreachError(
                _("Posts per unit must be a whole number from 1 to %(max)d.") % {"max": POSTS_PER_UNIT_MAX},
                code="target",
            )
        clean[level] = number
    if not clean:
        raise OutreachError(_("Set a target of posts per unit for at least one level."), code="target")
    return clean


@transaction.atomic
def trend_drive_create(
    *,
    unit: Unit,
    target_level: Level,
    hashtag: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    targets: Mapping[str, int | None],
    title: str,
    body_hi: str = "",
    body_en: str = "",
    by,
) -> TrendDrive:
    """A drive from ``unit`` down to ``target_level``: its message is a draft, sent by the usual steps."""
    if not can(by, SEND_MESSAGES, unit):
        raise OutreachError(_("You may not send messages to this unit."), code="not_allowed")
    tag = hashtag_clean(hashtag)
    _check_window(starts_at, ends_at)
    if target_level.order <= unit.level.order:
        raise OutreachError(_("Choose a level below the unit the message goes to."), code="target_level")
    clean_targets = _clean_targets(targets, drive_levels(unit, target_level))
    message = message_create(
        unit=unit,
        target_level=target_level,
        by=by,
        title=title,
        body_hi=body_hi,
        body_en=body_en,
        hashtags=tag,
        expires_at=ends_at,
    )
    drive = TrendDrive.objects.create(
        message=message, unit=unit, hashtag=tag, starts_at=starts_at, ends_at=ends_at, created_by=by
    )
    for level, number in clean_targets.items():
        TrendDriveTarget.objects.create(drive=drive, level=level, posts_per_unit=number)
    return drive
