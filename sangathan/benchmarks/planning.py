"""Plan benchmarks on the seeded tree: the dashboard roll-up against a naive aggregate, and the daily run.

Setup (not timed): a plan for the national unit copied from the template; about a third of the
appointees given a training completion and a fifth of the booths given a WhatsApp group and a
broadcast list, both set-based; "today" is 1 June 2026, the day after the booth appointment
deadline, so the state, district and assembly deadlines and the booth appointment deadline have
passed and training of booths is due in two weeks.

Rows:
- ``plan``: ``selectors.dashboard_for_unit`` for the whole country (counters: a handful of indexed
  look-ups) against ``selectors.naive_rollup`` (one aggregate per plan region and level over the
  units, the milestone conditions evaluated on the live data) in the same run; the two answers must
  be equal.
- ``plan-state``: the same for the largest state.
- ``plan-daily``: ``sangathan run-daily`` over the national tree — refresh of the progress tables,
  the day's snapshot and the escalation digests queued in the outbox — wall time. Delivery is not
  part of it (the outbox's workers do that); the tasks that would deliver are not queued here.
"""

import datetime
import time
from unittest import mock

from django.db import connection, transaction
from django.db.models import Count

from sangathan.benchmarks.org import Row, _fill_stats, time_calls
from sangathan.channels.models import Channel
from sangathan.core.daily import run_daily
from sangathan.org.models import Appointment, Unit
from sangathan.planning import selectors, services
from sangathan.planning.models import Kind
from sangathan.training.models import Completion, Programme

ROW_NAMES = ("plan", "plan-state", "plan-daily")
TODAY = datetime.date(2026, 6, 1)
COUNTRY_P95_MS = 50.0
COUNTRY_MIN_RATIO = 20.0
STATE_P95_MS = 20.0
NAIVE_REPEAT_MAX = 5


def _setup(national: Unit) -> dict:
    plan = services.plan_create(scope=national, year=2026)
    programme = Programme.objects.get(code="digital-wing-basics")
    completion, channel, appointment, unit = (
        Completion._meta.db_table,
        Channel._meta.db_table,
        Appointment._meta.db_table,
        Unit._meta.db_table,
    )
    now = connection.ops.adapt_datetimefield_value(datetime.datetime.now(tz=datetime.UTC))
    booth = national.level.__class__.objects.get(code="booth").pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {completion} (person_id, programme_id, completed_at, camp_id, certificate_number)
            SELECT p.person_id, %s, %s, NULL, '' FROM (
                SELECT DISTINCT person_id FROM {appointment} WHERE status = 'active' AND person_id %% 3 = 0
            ) p""",
            [programme.pk, now],
        )
        completions = cursor.rowcount
        for platform, link in (
            ("whatsapp_group", "'https://chat.whatsapp.com/B' || u.id"),
            ("whatsapp_broadcast", "''"),
        ):
            cursor.execute(
                f"""INSERT INTO {channel} (unit_id, platform, name, link, owner_mobile, other_admin_mobiles,
                    member_count, is_active, deactivation_reason, created_at, updated_at)
                SELECT u.id, %s, 'Booth ' || u.id, {link}, '', '[]', NULL, %s, '', %s, %s
                FROM {unit} u WHERE u.level_id = %s AND u.id %% 5 = 0""",
                [platform, True, now, now, booth],
            )
        channels = cursor.rowcount
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"plan": plan, "completions": completions, "booths_with_channels": channels}


def _compare(unit: Unit) -> list[str]:
    fast = selectors.fast_rollup(unit, today=TODAY)
    naive = selectors.naive_rollup(unit, today=TODAY)
    if fast == naive:
        return []
    return [
        f"{unit.name_en} level {level} {kind}: fast {fast.get((level, kind))} ≠ naive {naive.get((level, kind))} "
        "(total, done, overdue)"
        for level, kind in sorted(set(fast) | set(naive))
        if fast.get((level, kind)) != naive.get((level, kind))
    ]


def _rollup_row(name, what, unit, *, repeat, baseline_repeat, p95_target, min_ratio, show_progress) -> Row:
    row = Row(name=name, what=what)
    row.samples = time_calls(
        lambda: selectors.dashboard_for_unit(unit, today=TODAY), repeat, desc=name, show_progress=show_progress
    )
    row.baseline_samples = time_calls(
        lambda: selectors.naive_rollup(unit, today=TODAY),
        min(baseline_repeat, NAIVE_REPEAT_MAX),
        desc=f"{name} (naive)",
        show_progress=show_progress,
    )
    _fill_stats(row)
    differences = _compare(unit)
    row.correct = not differences
    row.misses += differences
    row.target = f"p95 < {p95_target:g} ms" + (f", ≥ {min_ratio:g}×" if min_ratio else "")
    checks = [(row.p95_ms < p95_target, f"p95 {row.p95_ms:.2f} ms, target < {p95_target:g} ms")]
    if min_ratio:
        checks.append((row.ratio >= min_ratio, f"only {row.ratio:.1f}× faster than naive, target ≥ {min_ratio:g}×"))
    row.judge(checks)
    return row


def run(
    *, scale: str, only, repeat: int, baseline_repeat: int, show_progress: bool, log
) -> tuple[list[Row], list[str]]:
    """Measure the plan rows in ``only`` on the tree ``org.run`` seeded. Returns (rows, notes)."""
    only = set(only)
    rows: list[Row] = []
    notes: list[str] = []
    national = Unit.objects.select_related("level").get(depth=1)
    log("Plan: copying the template to the national unit, training a third, registering channels for a fifth ...")
    setup = _setup(national)
    # The daily run first: it fills the progress tables the dashboard reads.
    with mock.patch("sangathan.notifications.services._enqueue", return_value=0):
        start = time.perf_counter()
        outcomes = run_daily(today=TODAY, only=["plan-progress", "plan-snapshot", "plan-escalation"])
        wall = time.perf_counter() - start
    parts = ", ".join(f"{o.name} {o.seconds:.1f} s" for o in outcomes)
    results = {o.name: o.result for o in outcomes}
    failed = [f"{o.name}: {o.error}" for o in outcomes if o.error]
    if "plan-daily" in only:
        row = Row(name="plan-daily", what=f"daily run over the {scale} tree ({parts})", wall_s=wall, target="—")
        row.correct = not failed
        row.misses += failed
        row.judge([])
        rows.append(row)
        notes.append(
            f"plan-daily ({TODAY:%d %b %Y}): {results.get('plan-progress')} progress rows, "
            f"{results.get('plan-snapshot')} snapshot rows, digests {results.get('plan-escalation')}; "
            f"setup: {setup['completions']:,} completions, {setup['booths_with_channels']:,} booths with both channels."
        )
    national_scale = scale == "national"
    timing = {"repeat": repeat, "baseline_repeat": baseline_repeat, "show_progress": show_progress}
    if "plan" in only:
        what = f"plan dashboard roll-up, whole country ({national.name_en})"
        ratio = COUNTRY_MIN_RATIO if national_scale else None
        rows.append(_rollup_row("plan", what, national, p95_target=COUNTRY_P95_MS, min_ratio=ratio, **timing))
    if "plan-state" in only:
        states = list(Unit.objects.filter(parent=national).select_related("level"))
        sizes = dict(Unit.objects.filter(parent__in=states).order_by().values_list("parent_id").annotate(n=Count("id")))
        state = max(states, key=lambda s: (sizes.get(s.pk, 0), -s.pk))
        what = f"plan dashboard roll-up, one state ({state.name_en})"
        rows.append(_rollup_row("plan-state", what, state, p95_target=STATE_P95_MS, min_ratio=None, **timing))
    notes.append(
        f"plan rows: naive baseline = selectors.naive_rollup, at most {NAIVE_REPEAT_MAX} timed calls; "
        f"milestones {', '.join(sorted({k.value for k in Kind}))}; today = {TODAY.isoformat()}."
    )
    return rows, notes
