"""Organisation-tree benchmarks: seeding, and coverage roll-ups against a naive GROUP BY in the same run.

Every roll-up row times the fast read (counter tables) and its baseline (one GROUP BY over the
subtree's path range, ``selectors.naive_coverage``) on the same data, in the same process, after
one warm-up call each, so the ratio survives a noisy machine. Each row also checks that the fast
answer equals the naive one; a difference is reported as a failure, whatever the timings.
"""

import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import django
from django.db import connection
from django.db.models import Sum
from tqdm import tqdm

from sangathan.org import selectors
from sangathan.org.models import Appointment, CoverageCounter, Person, Unit
from sangathan.org.paths import path_upper_bound
from sangathan.org.seeding import SHAPES, seed

ROW_NAMES = ("seed", "country", "state", "children")

# Targets from DESIGN.md, "Scale and speed". Size-dependent ones hold for the national tree only.
SEED_TARGET_S = 60.0
COUNTRY_P95_MS = 50.0
COUNTRY_MIN_RATIO = 20.0
STATE_P95_MS = 10.0


@dataclass
class Row:
    name: str
    what: str
    target: str = "n/a"
    wall_s: float | None = None  # for one-off work (seeding) instead of percentiles
    p50_ms: float | None = None
    p95_ms: float | None = None
    baseline_p50_ms: float | None = None
    baseline_p95_ms: float | None = None
    ratio: float | None = None
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    correct: bool | None = None  # fast answer == naive answer; None when not checked
    passed: bool | None = None  # None: nothing to check
    misses: list[str] = field(default_factory=list)  # which target or check failed, and by how much

    def judge(self, checks: Iterable[tuple[bool, str]]) -> None:
        """``checks`` are (held, explanation if it did not) pairs; correctness counts as one of them."""
        outcomes = list(checks)
        if self.correct is False:
            outcomes.append((False, "fast roll-up differs from the naive GROUP BY"))
        self.misses += [why for held, why in outcomes if not held]
        if outcomes:
            self.passed = all(held for held, _why in outcomes)
        else:  # no timing target: the row passes if its answer is right
            self.passed = self.correct


@dataclass
class Report:
    scale: str
    database: dict
    machine: dict
    tree: dict
    repeat: int
    baseline_repeat: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return all(row.correct is not False for row in self.rows)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["correct"] = self.correct
        return data


def percentile(samples: list[float], p: int) -> float:
    """The p-th percentile (1..99), linear interpolation between closest ranks."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def load_row(*, latencies_ms: list[float], baseline_ms: list[float], **fields) -> Row:
    """A row for requests timed against a baseline's: the p50 and p95 of both (``fields``: the rest of the row)."""
    return Row(
        p50_ms=percentile(latencies_ms, 50),
        p95_ms=percentile(latencies_ms, 95),
        baseline_p50_ms=percentile(baseline_ms, 50),
        baseline_p95_ms=percentile(baseline_ms, 95),
        **fields,
    )


def time_calls(fn: Callable[[], object], repeat: int, *, desc: str, show_progress: bool) -> list[float]:
    """One warm-up call, then ``repeat`` timed calls; returns milliseconds per call."""
    fn()
    samples = []
    for _ in tqdm(range(repeat), desc=desc, unit=" calls", leave=False, disable=not show_progress):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


# --- answers compared between the fast read and the baseline -------------------------------


def fast_levels(unit: Unit) -> list[tuple[int, int, int]]:
    rows = selectors.coverage_for_unit(unit, with_positions=False)
    return sorted((row.level.id, row.units_total, row.units_key_filled) for row in rows)


def naive_levels(unit: Unit) -> list[tuple[int, int, int]]:
    return sorted((int(level), int(total), int(filled or 0)) for level, total, filled in selectors.naive_coverage(unit))


def fast_seats(unit: Unit) -> dict[int, int]:
    return {
        seat.position.id: seat.filled
        for row in selectors.coverage_for_unit(unit)
        for seat in row.positions
        if seat.filled
    }


def naive_seats(unit: Unit) -> dict[int, int]:
    """Active appointments per position in the units strictly below ``unit`` (checked once, not timed)."""
    upper = path_upper_bound(unit.path)
    sql = (
        f"SELECT ap.position_id, COUNT(*) FROM {Appointment._meta.db_table} ap "  # noqa: S608 - our table names
        f"JOIN {Unit._meta.db_table} u ON u.id = ap.unit_id "
        "WHERE ap.status = 'active' AND u.path > %s"
        + (" AND u.path < %s" if upper else "")
        + " GROUP BY ap.position_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.path] + ([upper] if upper else []))
        return {int(position): int(filled) for position, filled in cursor.fetchall() if filled}


def _differences(label: str, fast, naive) -> list[str]:
    if fast == naive:
        return []
    if isinstance(fast, dict):
        keys = sorted(set(fast) | set(naive))
        return [
            f"{label} position {k}: fast {fast.get(k, 0)} ≠ naive {naive.get(k, 0)}"
            for k in keys
            if fast.get(k, 0) != naive.get(k, 0)
        ]
    fast_by_level = {level: (total, filled) for level, total, filled in fast}
    naive_by_level = {level: (total, filled) for level, total, filled in naive}
    return [
        f"{label} level {k}: fast {fast_by_level.get(k)} ≠ naive {naive_by_level.get(k)} (units, key post filled)"
        for k in sorted(set(fast_by_level) | set(naive_by_level))
        if fast_by_level.get(k) != naive_by_level.get(k)
    ]


# --- the rows ---------------------------------------------------------------------------------


def seed_row(scale: str, *, show_progress: bool) -> tuple[Row, Unit, float]:
    shape = SHAPES[scale]
    total = shape.states + sum(n for _code, n in shape.chain)
    with tqdm(total=total, unit=" units", desc=f"seed {scale}", disable=not show_progress) as bar:
        start = time.perf_counter()
        root = seed(scale, progress=bar.update)
        wall = time.perf_counter() - start
    row = Row(name="seed", what=f"seed {scale} tree", wall_s=wall)
    if scale == "national":
        row.target = f"< {SEED_TARGET_S:.0f} s"
        row.judge([(wall < SEED_TARGET_S, f"seeding took {wall:.1f} s, target < {SEED_TARGET_S:.0f} s")])
    return row, root, total


def rollup_row(
    name: str,
    what: str,
    unit: Unit,
    *,
    repeat: int,
    baseline_repeat: int,
    p95_target_ms: float,
    min_ratio: float | None,
    show_progress: bool,
) -> Row:
    row = Row(name=name, what=what)
    row.samples = time_calls(lambda: selectors.coverage_for_unit(unit), repeat, desc=name, show_progress=show_progress)
    row.baseline_samples = time_calls(
        lambda: selectors.naive_coverage(unit), baseline_repeat, desc=f"{name} (naive)", show_progress=show_progress
    )
    _fill_stats(row)
    differences = _differences(unit.name_en, fast_levels(unit), naive_levels(unit))
    differences += _differences(unit.name_en, fast_seats(unit), naive_seats(unit))
    row.correct = not differences
    row.misses += differences
    checks = [(row.p95_ms < p95_target_ms, f"p95 {row.p95_ms:.2f} ms, target < {p95_target_ms:g} ms")]
    row.target = f"p95 < {p95_target_ms:g} ms"
    if min_ratio is not None:
        row.target += f", ≥ {min_ratio:g}×"
        checks.append((row.ratio >= min_ratio, f"only {row.ratio:.1f}× faster than naive, target ≥ {min_ratio:g}×"))
    row.judge(checks)
    return row


def children_row(parent: Unit, children: list[Unit], *, repeat: int, baseline_repeat: int, show_progress: bool) -> Row:
    row = Row(name="children", what=f"children of {parent.name_en} with coverage bars ({len(children)})")
    row.samples = time_calls(
        lambda: selectors.coverage_by_unit(children), repeat, desc="children", show_progress=show_progress
    )
    row.baseline_samples = time_calls(
        lambda: [selectors.naive_coverage(child) for child in children],
        baseline_repeat,
        desc="children (naive)",
        show_progress=show_progress,
    )
    _fill_stats(row)
    fast = selectors.coverage_by_unit(children)
    differences = []
    for child in children:
        fast_child = sorted((r.level.id, r.units_total, r.units_key_filled) for r in fast[child.id])
        differences += _differences(child.name_en, fast_child, naive_levels(child))
    row.correct = not differences
    row.misses += differences
    row.target = "= naive"
    row.judge([])
    return row


def _fill_stats(row: Row) -> None:
    row.p50_ms, row.p95_ms = percentile(row.samples, 50), percentile(row.samples, 95)
    row.baseline_p50_ms = percentile(row.baseline_samples, 50)
    row.baseline_p95_ms = percentile(row.baseline_samples, 95)
    row.ratio = row.baseline_p50_ms / row.p50_ms if row.p50_ms else None


def _database_info() -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    return {"vendor": connection.vendor, "version": version, "name": str(connection.settings_dict["NAME"])}


def run(
    scale: str,
    *,
    repeat: int = 200,
    baseline_repeat: int = 20,
    only: Iterable[str] = ROW_NAMES,
    show_progress: bool = True,
) -> Report:
    """Seed ``scale`` into the current (empty, throw-away) database and measure the rows in ``only``.

    The tree is always seeded, since every other row reads it; the seed row is reported if asked for.
    """
    only = set(only)
    report = Report(
        scale=scale,
        database=_database_info(),
        machine={
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "platform": platform.platform(),
        },
        tree={},
        repeat=repeat,
        baseline_repeat=baseline_repeat,
    )
    row, root, _expected = seed_row(scale, show_progress=show_progress)
    if "seed" in only:
        report.rows.append(row)
    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load; without it the planner works blind.
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report.notes.append(
            f"PostgreSQL: ANALYZE after seeding took {time.perf_counter() - start:.1f} s (not in the seed time)."
        )

    national = Unit.objects.get(pk=root.parent_id) if root.parent_id else root
    children = list(Unit.objects.filter(parent=national).order_by("path"))
    sizes = dict(
        CoverageCounter.objects.filter(unit__in=children)
        .values("unit_id")
        .annotate(n=Sum("units_total"))
        .values_list("unit_id", "n")
    )
    # The largest state (first by path on a tie): the slowest one-state read.
    state = max(children, key=lambda child: sizes.get(child.id, 0))
    report.tree = {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "appointments": Appointment.objects.count(),
        "states": len(children),
        "largest_state": f"{state.name_en} ({state.code}, {sizes.get(state.id, 0) + 1:,} units)",
    }
    if "seed" in only:
        row.what = f"seed {scale} tree ({report.tree['units']:,} units)"

    national_only = scale == "national"
    timing = {"repeat": repeat, "baseline_repeat": baseline_repeat, "show_progress": show_progress}
    if "country" in only:
        what = f"coverage roll-up, whole country ({national.name_en})"
        ratio = COUNTRY_MIN_RATIO if national_only else None
        report.rows.append(
            rollup_row("country", what, national, p95_target_ms=COUNTRY_P95_MS, min_ratio=ratio, **timing)
        )
    if "state" in only:
        what = f"coverage roll-up, one state ({state.name_en})"
        report.rows.append(rollup_row("state", what, state, p95_target_ms=STATE_P95_MS, min_ratio=None, **timing))
    if "children" in only:
        report.rows.append(children_row(national, children, **timing))
    return report
