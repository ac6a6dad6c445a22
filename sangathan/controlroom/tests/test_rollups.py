"""The daily roll-up, set-based for the whole tree, against a unit-by-unit count; its statements on the test
database (CI runs this on SQLite and PostgreSQL); the daily job, the task and the refresh after a report."""

import datetime
from collections import defaultdict

import pytest

from sangathan.controlroom import services, sql, tasks
from sangathan.controlroom.models import ActivityReport, ActivityRollup, RollupRun
from sangathan.core.daily import jobs
from sangathan.core.paths import path_upper_bound
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Unit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def report(appointment, day, posts=1, shares=0):
    return services.activity_report_submit(
        appointment_id=appointment.pk,
        day=day,
        counts={"posts": posts, "shares": shares},
        today=TODAY,
    )


def unit_by_unit(day: datetime.date, silent_days: int = 7) -> dict[tuple[str, int], tuple]:
    """The roll-up the slow way: for every unit and every level in its subtree, walk the key appointments."""
    since = day - datetime.timedelta(days=silent_days - 1)
    keyed = [
        a
        for a in Appointment.objects.select_related("unit", "position")
        if a.position.is_key and a.start_date <= day and (a.end_date is None or a.end_date >= day)
    ]
    reports = {(r.appointment_id, r.day): r for r in ActivityReport.objects.all()}
    result = {}
    for unit in Unit.objects.all():
        by_level = defaultdict(lambda: [0, 0, set(), 0, 0, 0])
        for a in keyed:
            if not a.unit.path.startswith(unit.path):
                continue
            row = by_level[a.unit.level_id]
            row[0] += 1
            today_report = reports.get((a.pk, day))
            if today_report:
                row[1] += 1
                row[2].add(a.unit_id)
                row[4] += today_report.posts
                row[5] += today_report.shares
            if any(since <= d <= day for (pk, d) in reports if pk == a.pk):
                row[3] += 1
        for level_id, (n, reported, units, recent, posts, shares) in by_level.items():
            result[(unit.path, level_id)] = (n, reported, len(units), recent, posts, shares)
    return result


def rolled_up(day: datetime.date) -> dict[tuple[str, int], tuple]:
    return {
        (r.path, r.level_id): (r.bearers, r.reported, r.units_reported, r.recent, r.posts, r.shares)
        for r in ActivityRollup.objects.filter(day=day)
    }


def test_rollup_equals_a_unit_by_unit_count(tree, bearers):
    yesterday = TODAY - datetime.timedelta(days=1)
    report(bearers.booth1, TODAY, posts=3, shares=2)
    report(bearers.booth2, yesterday, posts=5)  # recent, not today
    report(bearers.amer, TODAY, posts=1)
    report(bearers.ajmer_booth, TODAY, posts=4, shares=1)
    report(bearers.jaipur, TODAY, posts=2)
    # A second key seat at booth 1 would be a second office-bearer of the same unit: the block's key post
    # has one seat, so a relieved one (ended before the day) shows it is left out instead.
    org_services.appointment_relieve(appointment=bearers.kishangarh, reason="moved", end_date=yesterday)
    run = services.rollup_refresh(day=TODAY)
    expected = unit_by_unit(TODAY)
    assert rolled_up(TODAY) == expected
    assert run.rows == len(expected) and run.reports == 4
    # Spot checks in words: Jaipur district has 2 booths with an in-charge each, one reported today.
    booth = tree.booth1.level_id
    assert expected[(tree.jaipur.path, booth)] == (2, 1, 1, 2, 3, 2)
    assert expected[(tree.rajasthan.path, booth)] == (3, 2, 2, 3, 7, 3)
    assert (tree.kishangarh.path, tree.kishangarh.level_id) not in expected  # relieved before the day
    assert rolled_up(yesterday) == {}  # only the day asked for


def test_refresh_is_safe_to_run_twice_and_follows_changes(tree, bearers):
    report(bearers.booth1, TODAY)
    services.rollup_refresh(day=TODAY)
    services.rollup_refresh(day=TODAY)
    assert rolled_up(TODAY) == unit_by_unit(TODAY)
    report(bearers.booth2, TODAY, posts=9)
    services.rollup_refresh(day=TODAY)
    assert rolled_up(TODAY) == unit_by_unit(TODAY)
    assert RollupRun.objects.filter(day=TODAY).count() == 1


def test_naive_statement_agrees(tree, bearers):
    report(bearers.booth1, TODAY, posts=3, shares=2)
    report(bearers.ajmer_booth, TODAY, posts=4)
    services.rollup_refresh(day=TODAY)
    for unit in (tree.rajasthan, tree.jaipur, tree.amer):
        naive = {
            level_id: (n, reported, units, posts, shares)
            for level_id, n, reported, units, posts, shares in sql.naive_day(
                path=unit.path, upper=path_upper_bound(unit.path), day=TODAY
            )
        }
        rolled = {
            r.level_id: (r.bearers, r.reported, r.units_reported, r.posts, r.shares)
            for r in ActivityRollup.objects.filter(day=TODAY, path=unit.path)
        }
        assert rolled == naive


def test_an_empty_day_writes_no_rows(tree):
    assert sql.rollup_delete(day=TODAY) == 0
    assert sql.rollup_insert(day=TODAY, since=TODAY) == 0
    assert services.rollup_refresh(day=TODAY).rows == 0


def test_a_report_refreshes_the_day_after_the_commit(tree, bearers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(bearers.booth1, TODAY)
    assert ActivityRollup.objects.get(day=TODAY, path=tree.booth1.path).reported == 1
    assert RollupRun.objects.get(day=TODAY).reports == 1


def test_with_a_worker_reports_share_one_delayed_refresh(tree, bearers, monkeypatch, settings):
    queued = []
    monkeypatch.setitem(tasks.refresh_day.app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.refresh_day, "apply_async", lambda args, countdown: queued.append((args, countdown)))
    settings.CONTROLROOM_REFRESH_DELAY_SECONDS = 45
    day = datetime.date(2026, 12, 1)  # a day of its own: the cache outlives the test
    services.rollup_refresh_soon(day=day)
    services.rollup_refresh_soon(day=day)
    assert queued == [(["2026-12-01"], 45)]


def test_the_daily_job_and_the_task(tree, bearers):
    assert "controlroom-rollups" in [job.name for job in jobs()]
    report(bearers.booth1, TODAY - datetime.timedelta(days=1))
    summary = services.rollups_daily(today=TODAY)
    assert "2026-12-06" in summary and "2026-12-07" in summary
    assert ActivityRollup.objects.filter(day=TODAY - datetime.timedelta(days=1), reported__gt=0).exists()
    assert tasks.refresh_day("2026-12-07") == ActivityRollup.objects.filter(day=TODAY).count()
