"""The control room on the seeded tree, each row against a baseline in the same run.

- ``controlroom-rollup``: ``services.rollup_refresh`` of one day for the whole tree after **one report from
  every booth** (booths without a key office-bearer are given one first; setup, not timed: on the national
  tree that is about 1.06 million reports). Wall time, median of ``REPEAT`` runs. Baseline: a plain
  ``INSERT … SELECT … GROUP BY`` of the same day's reports per unit into a scratch table. Target: < 60 s on
  PostgreSQL (DESIGN.md), the roll-up checked against the naive count for the root.
- ``controlroom-wall``: ``selectors.wall`` of the root unit (the country on the national tree) as a
  national admin sees it, p95 over ``--repeat`` calls, against ``sql.naive_day`` of the same subtree (one
  GROUP BY over its path range) in the same run. Targets: p95 < 50 ms and ≥ 20× the naive read.

- ``controlroom-report``: ``controlroom.reports.report_make`` for the largest state's daily report (the
  ``state`` shape: 41 districts, 52,000 booths), after one report from every key office-bearer of the state
  for the day and the day's roll-up (setup, not timed): the numbers, the Hindi PDF, the XLSX, both saved to
  storage, in one transaction. Wall time, median of ``REPEAT`` runs (the same row each time: the report is
  made again). Baseline: ``core.pdf.html_to_pdf`` of a one-line Hindi page, the fixed cost of any PDF.
  Target: < 10 s.
"""

import datetime
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from sangathan.access.models import Role, RoleAssignment
from sangathan.benchmarks.org import Row, percentile, time_calls
from sangathan.controlroom import reports, selectors, services, sql
from sangathan.controlroom.models import ActivityReport, ActivityRollup, StateReport
from sangathan.core.pdf import html_to_pdf
from sangathan.core.sql import insert_rows, next_id, reset_sequence
from sangathan.org import seeding
from sangathan.org.models import Appointment, Level, Person, Position, Unit
from sangathan.org.paths import path_upper_bound

ROW_NAMES = ("controlroom-rollup", "controlroom-wall", "controlroom-report")
ROLLUP_TARGET_S = 60.0
WALL_P95_MS = 50.0
WALL_MIN_RATIO = 20.0
TARGET_S = 10.0
REPEAT = 3


def _day() -> datetime.date:
    """The day reported and rolled up: today, so that the seeded appointments (which start today) count."""
    return timezone.localdate()


MINIMAL = '<html lang="hi"><body style="font-family: \'Noto Sans Devanagari\'">नियंत्रण कक्ष</body></html>'


# The seeder's column lists: the generated booth office-bearers are rows of the same shape.
PERSON_COLUMNS = seeding._Seeder.PERSON_COLUMNS
APPOINTMENT_COLUMNS = seeding._Seeder.APPOINTMENT_COLUMNS
PLAIN_TABLE = "bench_controlroom_plain"
PLAIN_CREATE = f"CREATE TABLE {PLAIN_TABLE} (unit_id integer, reports integer, posts integer, shares integer)"
PLAIN_INSERT = f"""INSERT INTO {PLAIN_TABLE} (unit_id, reports, posts, shares)
SELECT unit_id, COUNT(*), SUM(posts), SUM(shares) FROM {{report}} WHERE day = %s GROUP BY unit_id"""


def _staff_every_booth(show_progress: bool) -> int:
    """Give every booth without an active key office-bearer one (generated people, COPY/batched inserts);
    returns how many were added."""
    booth = Level.objects.filter(state=None).order_by("-order").first()  # the lowest level: booths
    key = Position.objects.filter(level=booth, is_key=True).order_by("pk").first()
    staffed = Appointment.objects.filter(
        status=Appointment.Status.ACTIVE, position__is_key=True, unit__level=booth
    ).values("unit_id")
    bare = list(Unit.objects.filter(level=booth).exclude(pk__in=staffed).values_list("pk", flat=True))
    person_id, appointment_id = next_id(Person._meta.db_table), next_id(Appointment._meta.db_table)
    now, today = timezone.now(), _day() - datetime.timedelta(days=30)
    people, appointments = [], []
    for offset, unit_id in enumerate(tqdm(bare, desc="staff booths", unit=" booths", disable=not show_progress)):
        pid, aid = person_id + offset, appointment_id + offset
        people.append(
            (
                pid,
                "बूथ प्रतिनिधि",
                "Booth representative",
                f"+91{8000000000 + pid}",
                "",
                unit_id,
                '["hi"]',
                "[]",
                now,
                now,
            )
        )
        appointments.append((aid, pid, unit_id, key.pk, 1, "active", today, f"BENCH/{aid}", "", now))
    with transaction.atomic():
        insert_rows(Person._meta.db_table, PERSON_COLUMNS, people)
        insert_rows(Appointment._meta.db_table, APPOINTMENT_COLUMNS, appointments)
        for model in (Person, Appointment):
            reset_sequence(model._meta.db_table)
    return len(bare)


REPORTS_INSERT = """INSERT INTO {report} (appointment_id, person_id, unit_id, day, posts, shares, groups_messaged,
    people_added, events, note, revisions, created_at, updated_at)
SELECT ap.id, ap.person_id, ap.unit_id, %(day)s, ap.id %% 4, ap.id %% 7, ap.id %% 3, ap.id %% 5, ap.id %% 2, '', 0,
       %(now)s, %(now)s
FROM {appointment} ap JOIN {position} p ON p.id = ap.position_id JOIN {unit} u ON u.id = ap.unit_id
WHERE p.is_key AND ap.status = 'active' AND u.path >= %(path)s AND u.path < %(upper)s"""


def _every_bearer_reports(root: Unit) -> int:
    """One report for today from every active key office-bearer in ``root``'s subtree (one INSERT … SELECT);
    returns how many. Nothing if the day has reports already."""
    day = _day()
    if not ActivityReport.objects.filter(day=day).exists():
        tables = {
            "report": ActivityReport._meta.db_table,
            "appointment": Appointment._meta.db_table,
            "position": Position._meta.db_table,
            "unit": Unit._meta.db_table,
        }
        params = {
            "day": connection.ops.adapt_datefield_value(day),
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
            "path": root.path,
            "upper": path_upper_bound(root.path),
        }
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(REPORTS_INSERT.format(**tables), params)
    return ActivityReport.objects.filter(day=day).count()


def _plain_group_by() -> None:
    """The baseline: the day's reports summed per unit into a scratch table, one statement."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PLAIN_TABLE}")
        cursor.execute(
            PLAIN_INSERT.format(report=ActivityReport._meta.db_table), [connection.ops.adapt_datefield_value(_day())]
        )


def _rollup_row(root: Unit, show_progress: bool, log) -> tuple[Row, str]:
    added = _staff_every_booth(show_progress)
    made = _every_bearer_reports(root)
    log(f"Control room: {made:,} reports for {_day()} ({added:,} booths given a key office-bearer); roll-up ...")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        cursor.execute(PLAIN_CREATE)
    samples, baseline = [], []
    for _run in range(REPEAT):
        start = time.perf_counter()
        _plain_group_by()
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        run = services.rollup_refresh(day=_day())
        samples.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {PLAIN_TABLE}")
    wall = statistics.median(samples)
    fast = ActivityRollup.objects.filter(day=_day(), path=root.path).values_list("level_id", "bearers", "reported")
    naive = sql.naive_day(path=root.path, upper=path_upper_bound(root.path), day=_day())
    correct = sorted(fast) == sorted((level, bearers, reported) for level, bearers, reported, *_rest in naive)
    row = Row(
        name="controlroom-rollup",
        what=f"daily roll-up, whole tree ({made:,} reports, {run.rows:,} rows)",
        target=f"< {ROLLUP_TARGET_S:.0f} s",
        wall_s=wall,
        baseline_p50_ms=statistics.median(baseline) * 1000,
        ratio=wall / statistics.median(baseline),
        samples=[s * 1000 for s in samples],
        baseline_samples=[s * 1000 for s in baseline],
        correct=correct,
    )
    row.judge([(wall < ROLLUP_TARGET_S, f"median {wall:.1f} s, target < {ROLLUP_TARGET_S:.0f} s")])
    note = (
        f"controlroom-rollup: runs {', '.join(f'{s:.1f}' for s in samples)} s; baseline (one INSERT … SELECT … "
        f"GROUP BY unit of the same reports) {', '.join(f'{s:.1f}' for s in baseline)} s."
    )
    return row, note


def _wall_row(root: Unit, repeat: int, baseline_repeat: int, show_progress: bool) -> tuple[Row, str]:
    user = get_user_model().objects.create(username="bench-controlroom")
    RoleAssignment.objects.create(user=user, unit=root, role=Role.NATIONAL_ADMIN)
    upper = path_upper_bound(root.path)
    fast = time_calls(lambda: selectors.wall(user, root, day=_day()), repeat, desc="wall", show_progress=show_progress)
    naive = time_calls(
        lambda: sql.naive_day(path=root.path, upper=upper, day=_day()),
        baseline_repeat,
        desc="wall, naive",
        show_progress=show_progress,
    )
    wall = selectors.wall(user, root, day=_day())
    answer = {row.level.pk: (row.bearers.total, row.bearers.done) for row in wall.levels if row.bearers.total}
    expected = {
        level: (bearers, reported)
        for level, bearers, reported, *_rest in sql.naive_day(path=root.path, upper=upper, day=_day())
        if level != root.level_id
    }
    p95, naive_p50 = percentile(fast, 95), percentile(naive, 50)
    row = Row(
        name="controlroom-wall",
        what=f"the wall of {root.name_en} (its levels, children, silent units, posts, messages)",
        target=f"p95 < {WALL_P95_MS:.0f} ms, ≥ {WALL_MIN_RATIO:.0f}× naive",
        p50_ms=percentile(fast, 50),
        p95_ms=p95,
        baseline_p50_ms=naive_p50,
        baseline_p95_ms=percentile(naive, 95),
        ratio=naive_p50 / percentile(fast, 50),
        samples=fast,
        baseline_samples=naive,
        correct=answer == expected,
    )
    row.judge(
        [
            (p95 < WALL_P95_MS, f"p95 {p95:.1f} ms, target < {WALL_P95_MS:.0f} ms"),
            (row.ratio >= WALL_MIN_RATIO, f"{row.ratio:.1f}× naive, target ≥ {WALL_MIN_RATIO:.0f}×"),
        ]
    )
    return row, f"controlroom-wall: baseline = sql.naive_day over the subtree's path range ({len(naive)} calls)."


def run(*, only, log, repeat: int = 200, baseline_repeat: int = 20, show_progress: bool = False):
    """The rows of ``only`` that are this module's; returns (rows, notes)."""
    rows, notes = [], []
    root = Unit.objects.filter(depth=1).first()
    if root is None:
        return rows, notes
    if "controlroom-rollup" in only or "controlroom-wall" in only:
        row, note = _rollup_row(root, show_progress, log)
        if "controlroom-rollup" in only:
            rows.append(row)
            notes.append(note)
    if "controlroom-wall" in only:
        row, note = _wall_row(root, repeat, baseline_repeat, show_progress)
        rows.append(row)
        notes.append(note)
    if "controlroom-report" in only:
        row, note = _report_row(log)
        rows.append(row)
        notes.append(note)
    return rows, notes


def _report_row(log) -> tuple[Row, str]:
    states = list(Unit.objects.filter(depth=2))
    state = max(states, key=lambda unit: Unit.objects.filter(parent=unit).count())
    districts = Unit.objects.filter(parent=state).count()
    log(f"Control room: a report from every key office-bearer of {state.name_en} and the day's roll-up ...")
    made = _every_bearer_reports(state)
    services.rollup_refresh(day=_day())
    samples, baseline = [], []
    for _run in range(REPEAT):
        start = time.perf_counter()
        html_to_pdf(MINIMAL)
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = reports.report_make(unit=state, kind=StateReport.Kind.DAILY, day=_day())
        samples.append(time.perf_counter() - start)
    wall = statistics.median(samples)
    row = Row(
        name="controlroom-report",
        what=f"daily report PDF+XLSX of {state.name_en} ({districts} districts, {made:,} reports)",
        target=f"< {TARGET_S:.0f} s",
        wall_s=wall,
        baseline_p50_ms=statistics.median(baseline) * 1000,
        ratio=wall / statistics.median(baseline),
        samples=[s * 1000 for s in samples],
        baseline_samples=[s * 1000 for s in baseline],
    )
    row.judge([(wall < TARGET_S, f"median {wall:.1f} s, target < {TARGET_S:.0f} s")])
    size = len(report.pdf.read()) // 1024
    note = (
        f"controlroom-report: runs {', '.join(f'{s:.2f}' for s in samples)} s; PDF {size} KB; baseline = a one-line "
        f"Hindi PDF ({statistics.median(baseline) * 1000:.0f} ms), ratio = report / baseline."
    )
    return row, note
