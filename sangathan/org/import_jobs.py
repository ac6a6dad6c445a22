"""Web imports of the unit tree as jobs: uploaded → checked (a dry run by a Celery task, shown as a
preview) → confirmed → run by a Celery task, followed in the browser through a progress bar. The
web request never reads the file: a huge or hostile sheet (a zip bomb) costs a worker some seconds,
never a web process its memory. The import itself is ``importing.import_units``; the uploaded bytes
live in the job row, so any web server or worker machine can read them. Tasks take the job's id and
claim it by its status, so a task delivered twice does its work once."""

import datetime
import io

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.org import tasks
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


PENDING = (UnitImportJob.Status.CHECKING, UnitImportJob.Status.UPLOADED)


@transaction.atomic
def unit_import_job_upload(*, root, content: bytes, original_name: str, by, language: str = "") -> UnitImportJob:
    """Keep an uploaded file and queue its check; uploads of ``by`` left unconfirmed for a day are dropped."""
    UnitImportJob.objects.filter(
        created_by=by, status__in=PENDING, created_at__lt=timezone.now() - ABANDONED_AFTER
    ).delete()
    job = UnitImportJob.objects.create(
        root=root,
        content=content,
        original_name=(original_name or "")[:200],
        created_by=by,
        status=UnitImportJob.Status.CHECKING,
        language=(language or "")[:10],
    )
    transaction.on_commit(lambda: tasks.check_unit_import.delay(job.pk))
    return job


def unit_import_job_check(*, job_id: int) -> None:
    """The dry run over an uploaded file (the check task's body): what would be added, and every problem
    by row, kept on the job for the preview. A job already checked is left alone."""
    job = (
        UnitImportJob.objects.select_related("root", "root__level", "created_by")
        .filter(pk=job_id, status=UnitImportJob.Status.CHECKING)
        .first()
    )
    if job is None:
        return
    with translation.override(job.language or None):
        report = import_units(file=io.BytesIO(bytes(job.content)), root=job.root, by=job.created_by, dry_run=True)
    UnitImportJob.objects.filter(pk=job_id, status=UnitImportJob.Status.CHECKING).update(
        status=UnitImportJob.Status.UPLOADED, checked_ok=report.ok, report=report.digest()
    )


def job_report(job: UnitImportJob) -> ImportReport | None:
    """The check's findings as a report for the preview page; None while the worker checks."""
    if job.status == UnitImportJob.Status.CHECKING or not job.report:
        return None
    return ImportReport.from_digest(root=job.root, data=job.report)


@transaction.atomic
def unit_import_job_confirm(*, job: UnitImportJob, by) -> UnitImportJob:
    """Queue a checked file for import; its task starts once this transaction has committed. A save of the
    locked row, not a conditional UPDATE, so who confirmed is in the audit trail."""
    claimed = (
        UnitImportJob.objects.select_for_update()
        .filter(pk=job.pk, status=UnitImportJob.Status.UPLOADED, checked_ok=True)
        .first()
    )
    if claimed is None:
        raise OrgError(_("This file has problems. Correct them and upload it again."), code="not_checked")
    claimed.status = UnitImportJob.Status.QUEUED
    claimed.save(update_fields=["status"])
    transaction.on_commit(lambda: tasks.run_unit_import.delay(job.pk))
    job.refresh_from_db()
    return job


def unit_import_job_cancel(*, job: UnitImportJob) -> None:
    UnitImportJob.objects.filter(pk=job.pk, status__in=PENDING).delete()


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

    with translation.override(job.language or None):
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
