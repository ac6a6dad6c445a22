"""Leases: "a live worker is doing this right now", kept in the shared cache (Redis in production).

A task that runs long work it cannot claim with one row lock (an import, a day's run) takes a lease on it
first. While the work runs, a thread of the worker renews the lease every third of its length; a worker
killed outright (``kill -9``, a machine lost) renews nothing, so its lease lapses after at most
``SANGATHAN_LEASE_SECONDS``. The sweeps queue again only work whose lease has lapsed, and a second task
given the same work while the lease is held does nothing: never two runs of one import at once, and a dead
worker's import is taken up again within a minute or two.

``requeue_once`` is the sweeps' own claim: of several sweeps (beat on two machines, a sweep that overlaps
the previous one) exactly one queues a given piece of work again per idle period.
"""

import datetime
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def lease_seconds() -> int:
    return int(settings.SANGATHAN_LEASE_SECONDS)


def idle_seconds() -> int:
    return int(settings.SANGATHAN_IDLE_SECONDS)


def _key(name: str) -> str:
    return f"lease:{name}"


@contextmanager
def lease(name: str, *, seconds: int | None = None) -> Iterator[bool]:
    """Hold the lease ``name`` while the block runs; yields False (and holds nothing) when a live worker
    holds it already."""
    seconds = seconds or lease_seconds()
    token = uuid.uuid4().hex
    if not cache.add(_key(name), token, timeout=seconds):
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(seconds / 3):
            try:
                if cache.get(_key(name)) == token:
                    cache.touch(_key(name), timeout=seconds)
                else:  # lapsed (the worker was stopped for longer than the lease) and taken: say so
                    logger.warning("Lease %s was lost while its work ran.", name)
                    return
            except Exception:  # a cache that is briefly away: try again at the next renewal
                logger.warning("Could not renew lease %s.", name, exc_info=True)

    renewer = threading.Thread(target=renew, name=f"lease:{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        if cache.get(_key(name)) == token:
            cache.delete(_key(name))


def leased(name: str) -> bool:
    """Whether a live worker holds the lease ``name``."""
    return cache.get(_key(name)) is not None


TOUCH_SECONDS = 2 * 24 * 3600


def touch(name: str) -> None:
    """Note that the work ``name`` moved just now (queued, started, progressed)."""
    cache.set(f"touched:{name}", time.time(), timeout=TOUCH_SECONDS)


def is_idle(name: str, *, since: datetime.datetime | None = None, seconds: int | None = None) -> bool:
    """No live worker holds the lease of ``name``, and it has not moved (``touch``; ``since``, e.g. when the
    job was made, counts as a move) for ``seconds`` (``SANGATHAN_IDLE_SECONDS`` unless given)."""
    if leased(name):
        return False
    moved = [cache.get(f"touched:{name}") or 0.0, since.timestamp() if since else 0.0]
    return time.time() - max(moved) > (seconds or idle_seconds())


def requeue_once(name: str, *, seconds: int | None = None) -> bool:
    """True for exactly one caller per ``seconds`` (the idle period) and piece of work ``name``."""
    return bool(cache.add(f"requeued:{name}", 1, timeout=seconds or idle_seconds()))
