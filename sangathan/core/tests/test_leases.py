"""Leases (a live worker is on it), the sweeps' once-per-period claim, and the day's run that resumes after its
worker died (issue 17)."""

import datetime
import time

import pytest
from django.core.cache import cache

from sangathan.core import daily
from sangathan.core.leases import is_idle, lease, leased, requeue_once, touch

DAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_a_lease_is_held_by_one_worker_at_a_time():
    with lease("job:1") as first:
        assert first and leased("job:1")
        with lease("job:1") as second:
            assert second is False
        assert leased("job:1")  # the refused second leaves the first's lease
    assert not leased("job:1")
    with lease("job:1") as again:
        assert again


def test_a_lease_is_renewed_while_its_work_runs(settings):
    settings.SANGATHAN_LEASE_SECONDS = 1
    with lease("job:2") as held:
        assert held
        deadline = time.monotonic() + 2.5  # more than twice the lease: only renewals keep it
        while time.monotonic() < deadline:
            assert leased("job:2")
            time.sleep(0.1)


def test_work_is_idle_when_no_lease_is_held_and_nothing_moved(settings):
    settings.SANGATHAN_IDLE_SECONDS = 45
    long_ago = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=5)
    assert is_idle("job:3", since=long_ago)
    touch("job:3")
    assert not is_idle("job:3", since=long_ago)
    assert is_idle("job:3", since=long_ago, seconds=-1)
    with lease("job:3"):
        assert not is_idle("job:3", since=long_ago, seconds=-1)


def test_of_two_sweeps_one_queues_the_work():
    assert requeue_once("job:4") is True
    assert requeue_once("job:4") is False


@pytest.fixture
def jobs(monkeypatch):
    """Two daily jobs that record their runs; the second raises ``die`` while it is set (a killed worker)."""
    monkeypatch.setattr(daily, "_JOBS", {})
    runs: list[str] = []
    state = {"die": False}

    def first(*, today):
        runs.append("first")

    def second(*, today):
        if state["die"]:
            raise SystemExit("killed")  # not an Exception: run_daily does not catch it, as a kill
        runs.append("second")

    daily.register("first", first, order=1)
    daily.register("second", second, order=2)
    return runs, state


def test_a_days_run_that_died_is_stalled_and_resumes_with_the_jobs_left(jobs, settings):
    runs, state = jobs
    settings.SANGATHAN_IDLE_SECONDS = -1  # idle at once: the test does not wait
    state["die"] = True
    with pytest.raises(SystemExit):
        daily.day_run(today=DAY)
    assert runs == ["first"]
    assert daily.day_run_stalled(today=DAY)

    state["die"] = False
    daily.day_run(today=DAY)
    assert runs == ["first", "second"]  # the first job is not run twice
    assert not daily.day_run_stalled(today=DAY)
    assert daily.day_run(today=DAY) == []  # the day is done


def test_a_day_that_never_started_is_not_stalled(jobs, settings):
    settings.SANGATHAN_IDLE_SECONDS = -1
    assert not daily.day_run_stalled(today=DAY)


def test_a_day_run_by_a_live_worker_is_left_alone(jobs, settings):
    runs, _state = jobs
    settings.SANGATHAN_IDLE_SECONDS = -1
    with lease(f"daily:{DAY.isoformat()}"):
        assert daily.day_run(today=DAY) is None
    assert runs == []
