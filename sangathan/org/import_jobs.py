"""Web imports of the unit tree as jobs: uploaded → checked (a dry run shown as a preview) →
confirmed → run by a Celery task, followed in the browser through a progress bar. The import
itself is ``importing.import_units``; the uploaded bytes live in the job row, so any web server
or worker machine can read them."""

import datetime
import io

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.org.errors import OrgError
from sangathan.org.importing import ImportReport, import_units
from sangathan.org.models import UnitImportJob

PROGRESS_TTL = 3600
ABANDONED_AFTER = datetime.timedelta(days=1)


def _progress_key(job_id: int) -> str:
    return f"unit-import-progress:{job_id}"


def job_progress(job: UnitImportJob) -> dict:
    """{"stage": "read|check|write|count", "done": int, "total": int} while the job runs."""
    return cache.get(_progress_key(job.pk)) or {"stage": "", "done": 0, "total": 0}


@transaction.atomic
def unit_import_job_upload(*, root, content: bytes, original_name: str, by) -> UnitImportJob:
    """Keep an uploaded file for checking; uploads of ``by`` left unconfirmed for a day are dropped."""
    UnitImportJob.objects.filter(
        created_by=by, status=UnitImportJob.Status.UPLOADED, created_at__lt=timezone.now() - ABANDONED_AFTER
    ).delete()
    return UnitImportJob.objects.create(
        root=root, content=content, original_name=(original_name or "")[:200], created_by=by
    )


def unit_import_job_check(*, job: UnitImportJob, by) -> ImportReport:
    """A dry run over the uploaded file: what would be added, and every problem by row."""
    report = import_units(file=io.BytesIO(bytes(job.content)), root=job.root, by=by, dry_run=True)
    UnitImportJob.objects.filter(pk=job.pk).update(checked_ok=report.ok)
    return report


@transaction.atomic
def unit_import_job_confirm(*, job: UnitImportJob, by) -> UnitImportJob:
    """Queue a checked file for import; its task starts once this transaction has committed."""
    from sangathan.org.tasks import run_unit_import

    confirmed = UnitImportJob.objects.filter(pk=job.pk, status=UnitImportJob.Status.UPLOADED, checked_ok=True).update(
        status=UnitImportJob.Status.QUEUED
    )
    if not confirmed:
        raise OrgError(_("This file has problems. Correct them and upload it again."), code="not_checked")
    transaction.on_commit(lambda: run_unit_import.delay(job.pk))
    job.refresh_from_db()
    return job


def unit_import_job_cancel(*, job: UnitImportJob) -> None:
    UnitImportJob.objects.filter(pk=job.pk, status=UnitImportJob.Status.UPLOADED).delete()


def unit_import_job_run(*, job_id: int) -> None:
    """Run one confirmed job. Safe to run twice (a redelivered task after a worker died): a finished
    job is left alone, and the import itself adds only what is not there yet."""
    claimed = UnitImportJob.objects.filter(
        pk=job_id, status__in=[UnitImportJob.Status.QUEUED, UnitImportJob.Status.RUNNING]
    ).update(status=UnitImportJob.Status.RUNNING)
    if not claimed:
        return
    job = UnitImportJob.objects.select_related("root", "created_by").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        cache.set(_progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)

    report = import_units(
        file=io.BytesIO(bytes(job.content)), root=job.root, by=job.created_by, dry_run=False, progress=progress
    )
    job.summary = report.summary()
    job.errors = [[error.row, error.column, error.message] for error in report.errors]
    job.status = UnitImportJob.Status.DONE if report.ok else UnitImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.content = b""  # the file has served its purpose
    job.save(update_fields=["status", "summary", "errors", "finished_at", "content"])
    cache.delete(_progress_key(job_id))
