"""Celery tasks of the membership app: thin wrappers that take ids and call a service, safe to run twice."""

from celery import shared_task

from sangathan.membership import import_jobs  # the module, not its names: it queues these tasks in turn


@shared_task(acks_late=True)
def run_member_import(job_id: int) -> None:
    import_jobs.member_import_run(job_id=job_id)
