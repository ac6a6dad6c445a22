"""Thin Celery tasks of the planning app."""

from celery import shared_task

from sangathan.core.daily import run_daily
from sangathan.org.models import Unit
from sangathan.planning.progress import refresh


@shared_task(name="sangathan.planning.tasks.run_daily_jobs")
def run_daily_jobs() -> None:
    """Celery beat's daily entry (CELERY_BEAT_SCHEDULE["plan-daily"])."""
    run_daily()


@shared_task(name="sangathan.planning.tasks.refresh_progress")
def refresh_progress(unit_id: int) -> int:
    """Recompute one subtree's plan progress (the dashboard's "count again" button)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    return refresh(unit) if unit is not None else 0
