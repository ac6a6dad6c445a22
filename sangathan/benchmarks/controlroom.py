"""The control room's daily report of a state, on the seeded tree, against a baseline in the same run.

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

from django.db import transaction

from sangathan.benchmarks.org import Row
from sangathan.controlroom import reports, services
from sangathan.controlroom.models import ActivityReport, StateReport
from sangathan.core.paths import subtree_q
from sangathan.core.pdf import html_to_pdf
from sangathan.org.models import Appointment, Unit

ROW_NAMES = ("controlroom-report",)
TARGET_S = 10.0
REPEAT = 3
DAY = datetime.date(2026, 6, 1)
MINIMAL = '<html lang="hi"><body style="font-family: \'Noto Sans Devanagari\'">नियंत्रण कक्ष</body></html>'


def _reports_for_every_bearer(state: Unit) -> int:
    """One activity report for ``DAY`` from every active key office-bearer of the state (bulk, not timed)."""
    rows = (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, position__is_key=True)
        .filter(subtree_q([state.path], "unit__path"))
        .values_list("pk", "person_id", "unit_id")
    )
    batch = [
        ActivityReport(
            appointment_id=pk,
            person_id=person_id,
            unit_id=unit_id,
            day=DAY,
            posts=pk % 4,
            shares=pk % 7,
            groups_messaged=pk % 3,
            people_added=pk % 5,
            events=pk % 2,
        )
        for pk, person_id, unit_id in rows.iterator(chunk_size=5000)
    ]
    with transaction.atomic():
        ActivityReport.objects.bulk_create(batch, batch_size=5000)
    return len(batch)


def run(*, only, log) -> tuple[list[Row], list[str]]:
    if "controlroom-report" not in only:
        return [], []
    states = list(Unit.objects.filter(depth=2))
    state = max(states, key=lambda unit: Unit.objects.filter(parent=unit).count())
    districts = Unit.objects.filter(parent=state).count()
    log(f"Control room: a report from every key office-bearer of {state.name_en} and the day's roll-up ...")
    made = _reports_for_every_bearer(state)
    services.rollup_refresh(day=DAY)
    samples, baseline = [], []
    for _run in range(REPEAT):
        start = time.perf_counter()
        html_to_pdf(MINIMAL)
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = reports.report_make(unit=state, kind=StateReport.Kind.DAILY, day=DAY)
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
    notes = [
        f"controlroom-report: runs {', '.join(f'{s:.2f}' for s in samples)} s; PDF {size} KB; baseline = a one-line "
        f"Hindi PDF ({statistics.median(baseline) * 1000:.0f} ms), ratio = report / baseline."
    ]
    return [row], notes
