"""Web imports of office-bearers as jobs, like the unit import (``import_jobs``): uploaded → checked by a
Celery task (the dry run, shown as the preview) → confirmed → imported by a Celery task, followed through a
progress bar. The web request never reads the file; the bytes live in the job row until the import ran.
Each task claims its job by its status under a lease (``core.leases``), so a task delivered twice does its
work once; the import is all or nothing and idempotent, so a run after a worker died does the work once."""

import datetime
import io

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.core.leases import lease, touch
from sangathan.org import tasks
from sangathan.org.errors import OrgError
from sangathan.org.models import OfficeBearerImportJob
from sangathan.org.officebearers_import import OfficeBearerReport, import_office_bearers

Status = OfficeBearerImportJob.Status
PROGRESS_TTL = 3600
ABANDONED_AFTER = datetime.timedelta(days=1)
PENDING = (Status.CHECKING, Status.UPLOADED)


def _work(job_id: int) -> str:
    return f"officebearer-import:{job_id}"


def _progress_key(job_id: int) -> str:
    return f"officebearer-import-progress:{job_id}"


def job_progress(job: OfficeBearerImportJob) -> dict:
    """{"stage": "read|check|write", "done": int, "total": int} while a task works on the job."""
    return cache.get(_progress_key(job.pk)) or {"stage": "", "done": 0, "total": 0}


def _queue(task, job_id: int) -> None:
    touch(_work(job_id))
    task.delay(job_id)


@transaction.atomic
def officebearer_import_upload(
    *, root, content: bytes, original_name: str, by, language: str = ""
) -> OfficeBearerImportJob:
    """Keep an uploaded file and queue its check; uploads of ``by`` left unconfirmed for a day are dropped."""
    OfficeBearerImportJob.objects.filter(
        created_by=by, status__in=PENDING, created_at__lt=timezone.now() - ABANDONED_AFTER
    ).delete()
    job = OfficeBearerImportJob.objects.create(
        root=root,
        content=content,
        original_name=(original_name or "")[:200],
        created_by=by,
        status=Status.CHECKING,
        language=(language or "")[:10],
    )
    transaction.on_commit(lambda: _queue(tasks.check_officebearer_import, job.pk))
    return job


def _reporter(job_id: int):
    def progress(stage: str, done: int, total: int) -> None:
        cache.set(_progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)

    return progress


def officebearer_import_check(*, job_id: int) -> None:
    """The check task's body: the dry run, its findings kept on the job for the preview."""
    job = OfficeBearerImportJob.objects.select_related("root", "created_by").filter(pk=job_id).first()
    if job is None or job.status != Status.CHECKING:
        return
    with lease(_work(job_id)) as held:
        if not held:
            return
        with translation.override(job.language or None):
            report = import_office_bearers(
                file=io.BytesIO(bytes(job.content)),
                root=job.root,
                by=job.created_by,
                dry_run=True,
                progress=_reporter(job_id),
            )
        OfficeBearerImportJob.objects.filter(pk=job_id, status=Status.CHECKING).update(
            status=Status.UPLOADED, checked_ok=report.ok, report=report.digest()
        )
        cache.delete(_progress_key(job_id))


def job_report(job: OfficeBearerImportJob) -> OfficeBearerReport | None:
    """The check's findings for the preview; None while the worker checks."""
    if job.status == Status.CHECKING or not job.report:
        return None
    return OfficeBearerReport.from_digest(job.report)


@transaction.atomic
def officebearer_import_confirm(*, job: OfficeBearerImportJob, by) -> OfficeBearerImportJob:
    """Queue a checked file without errors for import (the task starts after the commit)."""
    claimed = (
        OfficeBearerImportJob.objects.select_for_update()
        .filter(pk=job.pk, status=Status.UPLOADED, checked_ok=True)
        .first()
    )
    if claimed is None:
        raise OrgError(_("This file has problems. Correct them and upload it again."), code="not_checked")
    claimed.status = Status.QUEUED
    claimed.save(update_fields=["status"])
    transaction.on_commit(lambda: _queue(tasks.run_officebearer_import, job.pk))
    return claimed


def officebearer_import_cancel(*, job: OfficeBearerImportJob) -> None:
    OfficeBearerImportJob.objects.filter(pk=job.pk, status__in=PENDING).delete()


def officebearer_import_run(*, job_id: int) -> None:
    """The import task's body; a job a live worker holds or that is finished is left alone."""
    with lease(_work(job_id)) as held:
        if not held:
            return
        claimed = OfficeBearerImportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.RUNNING
        )
        if not claimed:
            return
        job = OfficeBearerImportJob.objects.select_related("root", "created_by").get(pk=job_id)
        with translation.override(job.language or None):
            report = import_office_bearers(
                file=io.BytesIO(bytes(job.content)),
                root=job.root,
                by=job.created_by,
                dry_run=False,
                progress=_reporter(job_id),
            )
        job.summary = report.summary()
        job.errors = [[error.row, error.column, error.message] for error in report.errors]
        job.status = Status.DONE if report.ok else Status.FAILED
        job.finished_at = timezone.now()
        job.content = b""
        job.save(update_fields=["status", "summary", "errors", "finished_at", "content"])
        cache.delete(_progress_key(job_id))
