"""Celery tasks of the org app: thin wrappers that take ids and call a service."""

from celery import shared_task

from sangathan.org import import_jobs  # the module, not its names: it queues these tasks in turn


@shared_task(acks_late=True)
def check_unit_import(job_id: int) -> None:
    import_jobs.unit_import_job_check(job_id=job_id)


@shared_task(acks_late=True)
def run_unit_import(job_id: int) -> None:
    import_jobs.unit_import_job_run(job_id=job_id)
