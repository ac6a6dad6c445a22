"""Celery tasks of the org app: thin wrappers that take ids and call a service."""

from celery import shared_task

from sangathan.org.import_jobs import unit_import_job_run


@shared_task(acks_late=True)
def run_unit_import(job_id: int) -> None:
    unit_import_job_run(job_id=job_id)
