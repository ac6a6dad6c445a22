"""The daily run: a small registry of jobs that ``sangathan run-daily`` and the Celery beat task
(``sangathan.planning.tasks.run_daily_jobs``) run in order.

Any app adds a job from its ``AppConfig.ready``::

    from sangathan.core.daily import register
    register("outreach-reminders", remind, order=50)

A job is called with ``today`` (a date, Asia/Kolkata) and returns something printable (a count, a
summary). A job that fails is reported and the others still run. Every job is safe to run twice on the
same day (a recount, a snapshot per day, messages with dated idempotency keys).

The day's run from beat (``day_run``) holds a lease (``core.leases``) and notes in the shared cache that
it started, each job it finished and its end; a worker killed in the middle leaves a run that started and
never finished, which the sweep (``day_run_stalled``, every minute) queues again: the jobs finished that
day are skipped, the rest run. The notes live two days in the cache; a cache emptied in the middle of a
run (Redis restarted without persistence) forgets that it started, and the next day's run covers it.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from sangathan.core.leases import is_idle, lease, touch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyJob:
    name: str
    func: Callable[..., object]
    order: int


_JOBS: dict[str, DailyJob] = {}


def register(name: str, func: Callable[..., object], *, order: int = 100) -> None:
    """Add (or replace) the daily job ``name``; lower ``order`` runs first."""
    _JOBS[name] = DailyJob(name=name, func=func, order=order)


def jobs() -> list[DailyJob]:
    return sorted(_JOBS.values(), key=lambda job: (job.order, job.name))


@dataclass
class JobOutcome:
    name: str
    result: object = None
    error: str = ""
    seconds: float = 0.0


def run_daily(*, today: datetime.date | None = None, only: list[str] | None = None, log=None) -> list[JobOutcome]:
    today = today or timezone.localdate()
    outcomes = []
    for job in jobs():
        if only and job.name not in only:
            continue
        start = time.perf_counter()
        outcome = JobOutcome(name=job.name)
        try:
            outcome.result = job.func(today=today)
        except Exception as error:  # one broken job must not stop the others
            logger.exception("Daily job %s failed", job.name)
            outcome.error = f"{type(error).__name__}: {error}"
        outcome.seconds = time.perf_counter() - start
        outcomes.append(outcome)
        if log:
            log(outcome)
    return outcomes


NOTE_SECONDS = 2 * 24 * 3600


def _day(today: datetime.date) -> str:
    return f"daily:{today.isoformat()}"


def day_run(*, today: datetime.date | None = None, log=None) -> list[JobOutcome] | None:
    """The day's run as beat starts it and the sweep resumes it: the jobs not yet finished ``today``, one
    worker at a time. None when another live worker is running it."""
    today = today or timezone.localdate()
    name = _day(today)
    with lease(name) as held:
        if not held:
            return None
        cache.set(f"{name}:started", 1, NOTE_SECONDS)
        touch(name)
        finished = cache.get_many([f"{name}:done:{job.name}" for job in jobs()])
        remaining = [job.name for job in jobs() if f"{name}:done:{job.name}" not in finished]

        def note(outcome: JobOutcome) -> None:
            cache.set(f"{name}:done:{outcome.name}", 1, NOTE_SECONDS)  # a failed job is reported, not retried
            touch(name)
            if log:
                log(outcome)

        outcomes = run_daily(today=today, only=remaining, log=note) if remaining else []
        cache.set(f"{name}:finished", 1, NOTE_SECONDS)
        return outcomes


def day_run_stalled(*, today: datetime.date | None = None) -> bool:
    """Whether ``today``'s run started, never finished, and no live worker is on it for the idle time."""
    name = _day(today or timezone.localdate())
    notes = cache.get_many([f"{name}:started", f"{name}:finished"])
    return f"{name}:started" in notes and f"{name}:finished" not in notes and is_idle(name)
