"""Asking a worker to drain an intake table soon, cheaply, from a public form's hot path.

A public POST stores its row and answers (docs/adr/0005-application-intake.md); a drain task then works
through the pending rows. A burst of forms must queue one drain task a second, not one a form: each web
process asks the shared cache at most once a second (no round trip otherwise), and the cache lets one ask a
second through for the whole installation. A broker or cache that is down loses nothing: beat's periodic
drain finds the rows. A drain that found rows looks once more a second later (``again``), so a row taken
while it ran, whose process had just asked and so did not ask again, does not wait for the periodic drain.
"""

import logging
import time
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


class Drain:
    """The asks for one drain task (``key``: its cache key; ``delay``: seconds between asks and before the task)."""

    def __init__(self, key: str, delay: int = 1):
        self.key, self.delay = key, delay
        self.asked_at = float("-inf")  # when this process last asked

    def ask(self, task) -> None:
        now = time.monotonic()
        if now - self.asked_at < self.delay:
            return  # this process asked within the last second: that drain (or its look after) takes the row
        self.asked_at = now
        try:
            if cache.add(self.key, 1, timeout=self.delay):
                task.apply_async(countdown=self.delay)
        except Exception:  # noqa: BLE001 - broker or cache down: the periodic drain picks the rows up
            logger.exception("Could not queue the drain %s; the periodic drain will do it.", self.key)

    def ask_after_commit(self, task) -> None:
        transaction.on_commit(partial(self.ask, task))

    def again(self, task, done: int) -> None:
        """After a drain: when it found rows, look once more in ``delay`` seconds."""
        if done:
            task.apply_async(countdown=self.delay)


def drain_all(process: Callable[..., int], *, limit: int) -> int:
    """Call ``process(limit=limit)`` (it takes up to ``limit`` pending rows and returns how many) until a call
    finds fewer than ``limit``. Returns the total."""
    total = 0
    while True:
        done = process(limit=limit)
        total += done
        if done < limit:
            return total
