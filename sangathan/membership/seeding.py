"""Generated members for benchmarks and load tests: ``count`` members spread over the booths of the tree,
written with COPY on PostgreSQL (``core.sql.insert_rows``), then the counters rebuilt set-based.

Not for real data: real members join through ``services.member_join`` or the sheet import, which verify and
audit each one. The rows follow the model's rules (one member per mobile, ages 18–75, an EPIC in the right
format for some), about nine in ten verified and the rest pending, two in five women, so the roll-ups have
something to add up. Mobiles are +91 9XXXXXXXXX from a fixed start, so a second run adds new numbers.
"""

import datetime
import random
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sangathan.core.sql import insert_rows, next_id, reset_sequence
from sangathan.membership import counters
from sangathan.membership.models import Member
from sangathan.membership.services import notice_current
from sangathan.org.models import Level, Unit

GIVEN = (
    "id",
    "unit_id",
    "name",
    "mobile",
    "epic",
    "age",
    "gender",
    "status",
    "notice_id",
    "consent_at",
    "joined_at",
    "verified_at",
)
FIRST_MOBILE = 9_000_000_000
NAMES = ("राम कुमार", "सीता देवी", "मोहन लाल", "गीता शर्मा", "अर्जुन सिंह", "पूजा मीणा", "रवि जाट", "सुनीता गुर्जर")
BATCH = 100_000


def _booth_ids() -> list[int]:
    """The units of the lowest national level (booths)."""
    booth = Level.objects.filter(state=None).order_by("-order").first()
    return list(Unit.objects.filter(level=booth).values_list("pk", flat=True))


def _columns() -> tuple[tuple[str, ...], tuple]:
    """Every column of the member table: the ``GIVEN`` ones first, then the rest with their model default (so
    a field added later needs nothing here)."""
    rest = [field for field in Member._meta.concrete_fields if field.attname not in GIVEN]
    return (*GIVEN, *(field.column for field in rest)), tuple(_default(field) for field in rest)


def _default(field):
    if field.has_db_default() and not field.has_default():
        return field.db_default.value  # a Value(): what the database would write
    return field.get_default()


def _rows(count: int, booths: list[int], start_id: int, first_mobile: int, rng: random.Random) -> Iterator[tuple]:
    """The rows, lazily. What they need from the database is read here, before the first row: the rows are
    consumed inside a COPY, when the connection can run nothing else."""
    notice = notice_current().pk
    _names, defaults = _columns()
    return _generate(count, booths, start_id, first_mobile, rng, notice, defaults)


def _generate(count, booths, start_id, first_mobile, rng, notice, defaults) -> Iterator[tuple]:
    """Members booth after booth (not round the booths): the (unit, …) indexes then grow at their ends instead
    of taking every row at a random place in a B-tree of millions of entries."""
    now = timezone.now()
    for offset in range(count):
        verified = rng.random() < 0.9
        joined = now - datetime.timedelta(minutes=offset % 50_000)
        yield (
            start_id + offset,
            booths[offset * len(booths) // count],  # a booth's members together: its index entries are adjacent
            NAMES[offset % len(NAMES)],
            f"+91{first_mobile + offset}",
            f"ABC{start_id + offset:07d}" if offset % 5 == 0 and start_id + offset < 10_000_000 else "",
            18 + offset % 58,
            "female" if offset % 5 < 2 else "male",
            "verified" if verified else "pending",
            notice,
            joined,
            joined,
            joined if verified else None,
            *defaults,
        )


def members_seed(*, count: int, progress: Callable[[int], None] | None = None, seed_value: int = 2026) -> int:
    """Add ``count`` generated members over the booths and rebuild the counters; returns the members added.
    ``progress`` is called with the number of rows written since the last call."""
    booths = _booth_ids()
    if not booths:
        raise ValueError("The tree has no booths: seed the tree first (sangathan seed).")
    rng = random.Random(seed_value)
    start_id = next_id(Member._meta.db_table)
    highest = Member.objects.filter(mobile__startswith="+919").aggregate(Max("mobile"))["mobile__max"]
    first_mobile = max(FIRST_MOBILE, int(highest[3:]) + 1 if highest else 0)
    written = 0
    rows = _rows(count, booths, start_id, first_mobile, rng)
    while written < count:
        size = min(BATCH, count - written)
        with transaction.atomic():
            insert_rows(Member._meta.db_table, _columns()[0], (next(rows) for _ in range(size)))
        written += size
        if progress:
            progress(size)
    reset_sequence(Member._meta.db_table)
    with transaction.atomic():
        counters.rebuild()
    return written
