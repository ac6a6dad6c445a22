"""The daily run: a small registry of jobs that ``sangathan run-daily`` and the Celery beat task
(``sangathan.planning.tasks.run_daily_jobs``) run in order.

Any app adds a job from its ``AppConfig.ready``::

    from sangathan.core.daily import register
    register("outreach-reminders", remind, order=50)

A job is called with ``today`` (a date, Asia/Kolkata) and returns something printable (a count, a
summary). A job that fails is reported and the others still run.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

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
