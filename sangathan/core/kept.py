"""A web process's short-lived copies of what a public hot path reads on every request.

A public form under load (a drive's QR code at a rally, the booths' evening reports) would otherwise spend
more on reading the same few rows — the campaign, the places, the report link's appointment — than on
storing what was sent. Each copy lives a few seconds (a setting per use; 0 turns it off, as the tests do),
so a change reaches the form within that time, and whatever the copy let through is checked again where it
is written (the intake's worker).
"""

from cachetools import TTLCache

_kept: dict[tuple[str, int], TTLCache] = {}


def kept(name: str, *, size: int, seconds: int) -> TTLCache | None:
    """This process's copy called ``name``: at most ``size`` entries, each for ``seconds`` (None when 0)."""
    if seconds <= 0:
        return None
    cache = _kept.get((name, seconds))
    if cache is None:
        cache = _kept[(name, seconds)] = TTLCache(maxsize=size, ttl=seconds)
    return cache


def forget_all() -> None:
    """Drop every copy (a test that turns them on starts from none)."""
    _kept.clear()
