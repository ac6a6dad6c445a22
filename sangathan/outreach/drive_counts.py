"""Who counts a trend drive's posts, without outreach importing the app that counts them best.

``outreach`` counts a drive from the cascade alone (one share proof per unit). The control room knows more
(the post links of the daily reports, every distinct post a unit proved) but sits above outreach in the
layers, so it registers its count here from its ``AppConfig.ready``; ``outreach.drives.drive_progress``
(the drive pages, their panel, the API and the live card) asks the registered counter, and falls back to
its own count only when none is registered. One counter at a time: two pages never disagree (issue 13).

A counter is a callable ``(drive, unit) -> DriveProgress`` with a ``key`` (said by the API: which count
this is) and a ``definition`` (the sentence the pages show under the numbers).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class DriveCounter:
    key: str  # "share_proofs", "distinct_posts": what the API says it counted
    definition: str | Promise  # a translatable sentence, shown under the numbers
    progress: Callable  # (drive, unit) -> outreach.drives.DriveProgress


_registered: list[DriveCounter] = []


def register(counter: DriveCounter) -> DriveCounter:
    """Make ``counter`` the count of every drive page (registering the same key again replaces it)."""
    _registered[:] = [c for c in _registered if c.key != counter.key]
    if _registered:
        raise RuntimeError(f"A trend drive counter is already registered: {_registered[0].key}")
    _registered.append(counter)
    return counter


def unregister(key: str) -> None:
    """Take the counter ``key`` away (tests; outreach then counts share proofs itself)."""
    _registered[:] = [c for c in _registered if c.key != key]


def registered() -> DriveCounter | None:
    return _registered[0] if _registered else None
