"""Folding the recipients' answers into the roll-up counters: ``rollups_fold``.

An answer appends a ``RollupDelta`` row (in its own statement, see ``sql.delivery_open``) instead of
moving the counters of every ancestor at once: concurrent answers from one state would all wait for its
row. The deltas are added to the ``Rollup`` rows of every ancestor path before each read of them (the
selectors call this) and by the periodic sweep. Like ``org.coverage`` it sits below the services and the
selectors, which both use it.
"""

from collections.abc import Iterable

from django.db import transaction

from sangathan.org.models import Unit
from sangathan.outreach import sql
from sangathan.outreach.sql import ROLLUP_COUNTERS


def rollups_fold(*, message_ids: Iterable[int]) -> int:
    """Add the pending answers (``RollupDelta``) of these messages to their roll-up rows and delete them, in
    one transaction: DELETE … RETURNING claims each delta exactly once even when two folds run at once, and
    one UPDATE … FROM (VALUES …) per 500 (message, path, level) keys moves the counters of every ancestor
    path. Called before every read of the roll-ups; returns how many deltas it folded."""
    ids = [int(pk) for pk in message_ids]
    if not ids:
        return 0
    step = Unit.steplen
    with transaction.atomic():
        rows = sql.deltas_claim(message_ids=ids)
        if not rows:
            return 0
        sums: dict[tuple, list[int]] = {}
        for message_id, path, level_id, *counts in rows:
            for end in range(step, len(path) + 1, step):
                total = sums.setdefault((message_id, path[:end], level_id), [0] * len(ROLLUP_COUNTERS))
                for index, value in enumerate(counts):
                    total[index] += value
        sql.rollups_add(items=[(*key, *counts) for key, counts in sums.items() if any(counts)])
    return len(rows)
