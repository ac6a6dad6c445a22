"""Celery tasks of the org app: thin wrappers that take ids and call a service, safe to run twice (each claims
its job under a lease: see import_jobs). Late acknowledgement and reject_on_worker_lost come from the
settings (CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST) for every task."""

from celery import shared_task

from sangathan.org import import_jobs, officebearers_jobs  # the modules, not their names: they queue these tasks


@shared_task(acks_late=True)
def check_unit_import(job_id: int) -> None:
    import_jobs.unit_import_job_check(job_id=job_id)


@shared_task(acks_late=True)
def run_unit_import(job_id: int) -> None:
    import_jobs.unit_import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def sweep_unit_imports() -> int:
    """Every minute (beat): queue again the checks and imports whose worker died."""
    return import_jobs.unit_import_jobs_sweep()


@shared_task(acks_late=True)
def check_officebearer_import(job_id: int) -> None:
    officebearers_jobs.officebearer_import_check(job_id=job_id)


@shared_task(acks_late=True)
def run_officebearer_import(job_id: int) -> None:
    officebearers_jobs.officebearer_import_run(job_id=job_id)
