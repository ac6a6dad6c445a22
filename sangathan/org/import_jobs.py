"""Web imports of the unit tree as background jobs: queued on confirm, run by a Celery task,
followed by the browser through a progress bar. The import itself is ``importing.import_units``."""

import contextlib

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.org.importing import import_units
from sangathan.org.models import UnitImportJob

PROGRESS_TTL = 3600


def _progress_key(job_id: int) -> str:
    return f"unit-import-progress:{job_id}"


def job_progress(job: UnitImportJob) -> dict:
    """{"stage": "read|check|write|count", "done": int, "total": int} while the job runs."""
    return cache.get(_progress_key(job.pk)) or {"stage": "", "done": 0, "total": 0}


@transaction.atomic
def unit_import_job_create(*, root, file_name: str, original_name: str, by) -> UnitImportJob:
    """Record the job and queue its task once this transaction has committed."""
    from sangathan.org.tasks import run_unit_import

    job = UnitImportJob.objects.create(
        root=root, file_name=file_name, original_name=(original_name or "")[:200], created_by=by
    )
    transaction.on_commit(lambda: run_unit_import.delay(job.pk))
    return job


def unit_import_job_run(*, job_id: int) -> None:
    """Run one queued job. Safe to run twice: a finished job is left alone, and the import itself
    adds only what is not there yet."""
    claimed = UnitImportJob.objects.filter(pk=job_id).exclude(status__in=["done", "failed"]).update(status="running")
    if not claimed:
        return
    job = UnitImportJob.objects.select_related("root", "created_by").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        cache.set(_progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)

    try:
        with default_storage.open(job.file_name, "rb") as stored:
            report = import_units(file=stored, root=job.root, by=job.created_by, dry_run=False, progress=progress)
    except FileNotFoundError:
        job.status, job.errors = (
            UnitImportJob.Status.FAILED,
            [[None, "", _("The uploaded file is no longer available. Please upload it again.")]],
        )
    else:
        job.summary = report.summary()
        job.errors = [[error.row, error.column, error.message] for error in report.errors]
        job.status = UnitImportJob.Status.DONE if report.ok else UnitImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "errors", "finished_at"])
    cache.delete(_progress_key(job_id))
    if job.finished:
        with contextlib.suppress(OSError):
            default_storage.delete(job.file_name)
