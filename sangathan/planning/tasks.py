"""Thin Celery tasks of the planning app, safe to run twice (the day's run skips the jobs it finished that
day and runs under a lease; a recount is a recount)."""

import datetime

from celery import shared_task
from django.utils import timezone

from sangathan.core.daily import day_run, day_run_stalled
from sangathan.core.leases import requeue_once
from sangathan.org.models import Unit
from sangathan.planning.progress import refresh


@shared_task(name="sangathan.planning.tasks.run_daily_jobs", ignore_result=True)
def run_daily_jobs(day: str | None = None) -> None:
    """Celery beat's daily entry (CELERY_BEAT_SCHEDULE["plan-daily"]); ``day`` (ISO) when the sweep resumes
    a day's run that stopped."""
    day_run(today=datetime.date.fromisoformat(day) if day else None)


@shared_task(name="sangathan.planning.tasks.sweep_daily_run", ignore_result=True)
def sweep_daily_run() -> int:
    """Every minute (beat): queue again today's (or yesterday's, just after midnight) run if it started and
    its worker died; returns how many runs were queued."""
    today = timezone.localdate()
    queued = 0
    for day in (today - datetime.timedelta(days=1), today):
        if day_run_stalled(today=day) and requeue_once(f"daily:{day.isoformat()}"):
            run_daily_jobs.delay(day.isoformat())
            queued += 1
    return queued


@shared_task(name="sangathan.planning.tasks.refresh_progress", ignore_result=True)
def refresh_progress(unit_id: int) -> int:
    """Recompute one subtree's plan progress (the dashboard's "count again" button)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    return refresh(unit) if unit is not None else 0
