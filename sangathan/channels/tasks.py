"""Celery tasks of the channels app: thin wrappers that take ids and call a service, safe to run twice (each
claims its job under a lease: see import_jobs)."""

import datetime

from celery import shared_task

from sangathan.channels import import_jobs, services  # the module, not its names: it queues these tasks in turn


@shared_task(acks_late=True)
def check_channel_import(job_id: int) -> None:
    import_jobs.channel_import_check(job_id=job_id)


@shared_task(acks_late=True)
def run_channel_import(job_id: int) -> None:
    import_jobs.channel_import_run(job_id=job_id)


@shared_task(ignore_result=True)
def sweep_channel_imports() -> int:
    """Every minute (beat): queue again the checks and imports whose worker died."""
    return import_jobs.channel_imports_sweep()


@shared_task(acks_late=True, ignore_result=True)
def fetch_channel_numbers(channel_id: int, today: str = "") -> str:
    """One official account's numbers from its API (queued by the daily run, one task per channel)."""
    day = datetime.date.fromisoformat(today) if today else None
    return services.channel_numbers_fetch(channel_id=channel_id, today=day).status
