"""The membership drive at scale, on the seeded tree, each row against a baseline in the same run.

- ``membership-seed``: ``membership.seeding.members_seed`` of ``--members`` members (by default ten per
  booth: 10 million on the national tree, the DESIGN.md target) over the booths — COPY on PostgreSQL — and the set-based rebuild of the counters.
  Wall time. Target: < 10 minutes on PostgreSQL. The seed's rate is compared with a plain COPY of the same
  number of narrow rows into a scratch table in the same run (the floor any loader of this machine meets).
- ``membership-country``: ``selectors.counts_for_unit`` of the root (the country: one counter row) p95 over
  ``--repeat`` calls, against ``counters.naive_counts`` (two COUNTs over the subtree's members) in the same
  run; both answers must be equal. Targets: p95 < 50 ms and ≥ 20× the naive count.
"""

import time

from django.db import connection, transaction
from tqdm import tqdm

from sangathan.benchmarks.org import Row, percentile, time_calls
from sangathan.core.sql import insert_rows
from sangathan.membership import counters, selectors
from sangathan.membership.seeding import members_seed
from sangathan.org.models import Unit

ROW_NAMES = ("membership-seed", "membership-country")
# Members seeded by default, by the tree's scale: about ten per booth, 10 million for the country (DESIGN.md).
MEMBERS_BY_SCALE = {"national": 10_000_000, "state": 520_000, "demo": 2_400}
SEED_TARGET_S = 600.0
COUNTRY_P95_MS = 50.0
COUNTRY_MIN_RATIO = 20.0
SCRATCH = "bench_membership_plain"


def _plain_copy(count: int) -> float:
    """Seconds to write ``count`` narrow rows (id, unit) into a scratch table with ``insert_rows``."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cursor.execute(f"CREATE TABLE {SCRATCH} (id bigint, unit_id integer)")
    start = time.perf_counter()
    with transaction.atomic():
        insert_rows(SCRATCH, ("id", "unit_id"), ((i, i % 1000) for i in range(count)))
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SCRATCH}")
    return seconds


def _seed_row(members: int, show_progress: bool, log) -> Row:
    log(f"Membership: {members:,} members over the booths (COPY), then the counters ...")
    with tqdm(total=members, desc="members", unit=" members", disable=not show_progress) as bar:
        start = time.perf_counter()
        members_seed(count=members, progress=bar.update)
        wall = time.perf_counter() - start
    plain = _plain_copy(members)
    row = Row(
        name="membership-seed",
        what=f"{members:,} members seeded (COPY) and counted",
        target=f"< {SEED_TARGET_S / 60:.0f} min",
        wall_s=wall,
        baseline_p50_ms=plain * 1000,
        ratio=wall / plain if plain else None,
    )
    if members >= MEMBERS_BY_SCALE["national"]:  # the target is for 10 million
        row.judge([(wall < SEED_TARGET_S, f"{wall:.0f} s, target < {SEED_TARGET_S:.0f} s")])
    else:
        row.target = "n/a"
        row.passed = True
    return row


def _country_row(repeat: int, baseline_repeat: int, show_progress: bool) -> Row:
    root = Unit.objects.filter(depth=1).first()

    def fast():
        return selectors.counts_for_unit(root)

    fast_ms = time_calls(fast, repeat, desc="members, country", show_progress=show_progress)
    naive_ms = time_calls(
        lambda: counters.naive_counts(root), baseline_repeat, desc="members, naive", show_progress=show_progress
    )
    answer = fast()
    row = Row(
        name="membership-country",
        what=f"members of {root.name_en} (verified, pending, youth, women, target)",
        target=f"p95 < {COUNTRY_P95_MS:.0f} ms, ≥ {COUNTRY_MIN_RATIO:.0f}× naive",
        p50_ms=percentile(fast_ms, 50),
        p95_ms=percentile(fast_ms, 95),
        baseline_p50_ms=percentile(naive_ms, 50),
        baseline_p95_ms=percentile(naive_ms, 95),
        samples=fast_ms,
        baseline_samples=naive_ms,
        correct=(answer.verified, answer.pending) == counters.naive_counts(root),
    )
    row.ratio = row.baseline_p50_ms / row.p50_ms
    row.judge(
        [
            (row.p95_ms < COUNTRY_P95_MS, f"p95 {row.p95_ms:.1f} ms, target < {COUNTRY_P95_MS:.0f} ms"),
            (row.ratio >= COUNTRY_MIN_RATIO, f"{row.ratio:.0f}× naive, target ≥ {COUNTRY_MIN_RATIO:.0f}×"),
        ]
    )
    return row


def run(*, only, log, members: int, repeat: int, baseline_repeat: int, show_progress: bool):
    """The rows of ``only`` that are this module's; returns (rows, notes)."""
    rows, notes = [], []
    if not any(name in only for name in ROW_NAMES):
        return rows, notes
    seed_row = _seed_row(members, show_progress, log)
    if "membership-seed" in only:
        rows.append(seed_row)
        notes.append(
            f"membership-seed: {seed_row.wall_s:.0f} s for {members:,} members and the counters; baseline = COPY of "
            f"as many two-column rows into a scratch table ({seed_row.baseline_p50_ms / 1000:.0f} s)."
        )
    if "membership-country" in only:
        rows.append(_country_row(repeat, baseline_repeat, show_progress))
        notes.append("membership-country: baseline = counters.naive_counts (COUNTs over the subtree's members).")
    return rows, notes
