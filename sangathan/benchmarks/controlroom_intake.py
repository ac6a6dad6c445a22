"""An office-bearer's daily report POST (``/r/<token>/``) under load, beside a minimal ModelForm POST on the
same server in the same run (the apply row's server: gunicorn, two workers, a Celery worker on Redis on
PostgreSQL).

Every request is a different key office-bearer's report for today, with counts, a note and one post link;
then a fifth of them are sent again with other numbers (a second report of the day updates, never adds).
The POST stores the report as it came (``controlroom.intake``) and the worker writes it; the books are read
once the worker has written them all: reports of the day = distinct office-bearers answered 303, each stored once.
"""

import time
import urllib.parse

from django.utils import timezone

from sangathan.benchmarks.apply import Server, _csrf
from sangathan.benchmarks.httpload import drive, merge
from sangathan.benchmarks.org import Row, load_row, percentile
from sangathan.controlroom import services
from sangathan.controlroom.models import ActivityReport, PostMention, ReportSubmission
from sangathan.controlroom.tokens import report_path
from sangathan.org.models import Appointment

ROW_NAMES = ("controlroom-intake",)
MIN_RATIO = 0.5
P99_MS = 150.0
SAVED = 303  # the report page answers a saved report with a redirect to itself


def _bearers(count: int) -> list[int]:
    """Active key appointments that have not reported today, deepest first (booths)."""
    reported = ActivityReport.objects.filter(day=timezone.localdate()).values("appointment_id")
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE, position__is_key=True, start_date__lte=timezone.localdate()
        )
        .exclude(pk__in=reported)
        .order_by("-unit__depth", "pk")
        .values_list("pk", flat=True)[:count]
    )


def _wait_for_drain(log, timeout: float = 300.0) -> float:
    """Seconds until the worker has written every stored report (0 in the embedded mode: written in-request)."""
    started = time.perf_counter()
    pending = ReportSubmission.objects.filter(processed_at__isnull=True, problem="")
    while pending.exists():
        if time.perf_counter() - started > timeout:
            log(f"  {pending.count()} reports still waiting for the worker after {timeout:.0f} s")
            break
        time.sleep(0.2)
    return time.perf_counter() - started


def run(*, only, log, requests: int = 2000, concurrency: int = 8, rounds: int = 2) -> tuple[list[Row], list[str]]:
    if "controlroom-intake" not in only:
        return [], []
    bearers = _bearers(requests)
    if not bearers:
        return [], ["controlroom-intake: skipped, the tree has no key office-bearers."]
    # Today's roll-ups built first, as the daily job does at 06:00 (``services.rollups_daily``): at the evening's
    # rush the day is built, and each report adds its difference to it.
    services.rollup_refresh(day=timezone.localdate())
    today = timezone.localdate().isoformat()
    server = Server(workers=2)
    try:
        secret, token = _csrf(server.port, report_path(bearers[0]))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={secret}; django_language=hi",
            "Referer": f"http://127.0.0.1:{server.port}/",
        }

        def report_body(appointment_id: int, posts: int) -> tuple[str, bytes]:
            fields = {
                "csrfmiddlewaretoken": token,
                "day": today,
                "posts": str(posts),
                "shares": "3",
                "groups_messaged": "2",
                "people_added": "1",
                "events": "0",
                "note": "बूथ पर बैठक हुई।",
                "urls": f"https://x.com/party/status/{1_000_000 + appointment_id}",
            }
            return report_path(appointment_id), urllib.parse.urlencode(fields).encode()

        serial = iter(range(10**6))

        def baseline_body() -> tuple[str, bytes]:
            n = next(serial)
            fields = {"csrfmiddlewaretoken": token, "name": "Load Test", "mobile": f"9{n:09d}", "text": "बैठक हुई।"}
            return "/bench/baseline/", urllib.parse.urlencode(fields).encode()

        warm = bearers[:50]
        drive(server.port, [report_body(pk, 1) for pk in warm], concurrency, headers)
        drive(server.port, [baseline_body() for _ in range(50)], concurrency, headers)
        measured = bearers[50:]
        per_round = max(len(measured) // rounds, 1)
        report_loads, baseline_loads = [], []
        for index in range(rounds):
            chunk = measured[index * per_round : (index + 1) * per_round]
            log(f"  round {index + 1}/{rounds}: baseline, then the daily report ({len(chunk)} POSTs each)")
            baseline_loads.append(drive(server.port, [baseline_body() for _ in chunk], concurrency, headers))
            report_loads.append(drive(server.port, [report_body(pk, 2) for pk in chunk], concurrency, headers))
        again = measured[: len(measured) // 5]
        resent = drive(server.port, [report_body(pk, 5) for pk in again], concurrency, headers)
        drained_s = _wait_for_drain(log)  # the worker writes the reports the POSTs stored
    finally:
        server.stop()

    load, baseline = merge(report_loads), merge(baseline_loads)
    saved = load.statuses.get(SAVED, 0)
    reports = ActivityReport.objects.filter(day=today, appointment_id__in=measured)
    stored, distinct = reports.count(), reports.values("appointment_id").distinct().count()
    updated = reports.filter(appointment_id__in=again, posts=5, revisions__gte=1).count()
    mentions = PostMention.objects.filter(report__in=reports).count()
    ratio = load.per_second / baseline.per_second if baseline.per_second else 0.0
    p99 = percentile(load.latencies_ms, 99)
    row = load_row(
        latencies_ms=load.latencies_ms,
        baseline_ms=baseline.latencies_ms,
        name="controlroom-intake",
        what=(
            f"daily report POST ({load.per_second:,.0f} req/s vs baseline {baseline.per_second:,.0f} req/s; "
            f"p99 {p99:.0f} ms; {stored:,} reports, written {drained_s:.1f} s after the load)"
        ),
        target=f"≥ {MIN_RATIO:.0%} of baseline req/s, p99 < {P99_MS:.0f} ms, each stored once",
        ratio=ratio,
        correct=stored == saved == distinct and updated == len(again) and mentions == stored,
    )
    row.judge(
        [
            (ratio >= MIN_RATIO, f"throughput {ratio:.2f}× the baseline (target ≥ {MIN_RATIO})"),
            (p99 < P99_MS, f"p99 {p99:.0f} ms (target < {P99_MS:.0f} ms)"),
            (stored == saved, f"{saved} answered 303 but {stored} reports stored"),
            (not set(load.statuses) - {SAVED}, f"answers other than 303: {load.statuses}"),
            (resent.statuses.get(SAVED, 0) == len(again), f"second reports answered {resent.statuses}"),
            (updated == len(again), f"{updated} of {len(again)} second reports updated the first"),
        ]
    )
    note = (
        f"controlroom-intake: {len(measured):,} office-bearers' reports in {rounds} rounds beside as many baseline "
        f"POSTs; {len(again):,} sent again (updated, not added); {mentions:,} post links stored."
    )
    return [row], [note]
