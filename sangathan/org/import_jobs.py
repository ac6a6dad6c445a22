"""Web imports of the unit tree as jobs: uploaded → checked (a dry run by a Celery task, shown as a
preview) → confirmed → run by a Celery task, followed in the browser through a progress bar. The
web request never reads the file: a huge or hostile sheet (a zip bomb) costs a worker some seconds,
never a web process its memory. The import itself is ``importing.import_units``; the uploaded bytes
live in the job row, so any web server or worker machine can read them. Tasks take the job's id and
claim it by its status, so a task delivered twice does its work once.

A check or an import runs under a lease (``core.leases``): a second task for the same job while a live
worker has it does nothing, and a job whose worker died (its lease lapsed, nothing moved for
``SANGATHAN_IDLE_SECONDS``) is queued again by ``unit_import_jobs_sweep`` (beat, every minute) or by the
operator's "resume" button (``unit_import_job_resume``). The import itself is one transaction that adds
only what is not there yet, so a run after a dead one does the whole work once."""

import datetime
import io

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_action
from sangathan.core.leases import is_idle, lease, requeue_once, touch
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
# What a worker has to do something about: check the file, or import it.
IN_WORK = (UnitImportJob.Status.CHECKING, UnitImportJob.Status.QUEUED, UnitImportJob.Status.RUNNING)


def _work(job_id: int) -> str:
    return f"unit-import:{job_id}"


def _queue(task, job_id: int) -> None:
    """Queue ``task`` for the job, noting the time: the job is idle for the sweeps only from then."""
    touch(_work(job_id))
    task.delay(job_id)


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
    transaction.on_commit(lambda: _queue(tasks.check_unit_import, job.pk))
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
    with lease(_work(job_id)) as held:
        if not held:  # a live worker is checking it
            return
        touch(_work(job_id))
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
    transaction.on_commit(lambda: _queue(tasks.run_unit_import, job.pk))
    job.refresh_from_db()
    return job


def unit_import_job_cancel(*, job: UnitImportJob) -> None:
    UnitImportJob.objects.filter(pk=job.pk, status__in=PENDING).delete()


def unit_import_job_run(*, job_id: int) -> None:
    """Run one confirmed job. Safe to run twice (a redelivered task after a worker died, a sweep): a
    job a live worker holds or that is finished is left alone, and the import itself adds only what is not
    there yet."""
    with lease(_work(job_id)) as held:
        if held:
            _run(job_id)


def _run(job_id: int) -> None:
    claimed = UnitImportJob.objects.filter(
        pk=job_id, status__in=[UnitImportJob.Status.QUEUED, UnitImportJob.Status.RUNNING]
    ).update(status=UnitImportJob.Status.RUNNING)
    if not claimed:
        return
    touch(_work(job_id))
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


# ---------------------------------------------------------------- healing


def unit_import_job_stalled(job: UnitImportJob, *, seconds: int | None = None) -> bool:
    """A check or an import that no live worker has, and that has not moved for ``seconds`` (the idle time
    unless given; the job's page offers "resume" after ``SANGATHAN_RESUME_AFTER_SECONDS``)."""
    return job.status in IN_WORK and is_idle(_work(job.pk), since=job.created_at, seconds=seconds)


def _requeue(job_id: int, status: str) -> None:
    task = tasks.check_unit_import if status == UnitImportJob.Status.CHECKING else tasks.run_unit_import
    task.delay(job_id)


def unit_import_jobs_sweep() -> int:
    """Queue again every check or import whose worker died (beat, every minute); returns how many. Jobs
    older than a day are left (an upload nobody confirmed is dropped with the uploader's next one)."""
    jobs = UnitImportJob.objects.filter(status__in=IN_WORK, created_at__gt=timezone.now() - ABANDONED_AFTER).only(
        "pk", "status", "created_at"
    )
    queued = 0
    for job in jobs:
        if unit_import_job_stalled(job) and requeue_once(_work(job.pk)):
            _requeue(job.pk, job.status)
            queued += 1
    return queued


@transaction.atomic
def unit_import_job_resume(*, job: UnitImportJob, by) -> bool:
    """The operator's "resume" of a stalled job: queue it again (after the commit) and record who did.
    False when the job is not stalled (finished, or a live worker has it)."""
    job = UnitImportJob.objects.select_for_update().get(pk=job.pk)
    if not unit_import_job_stalled(job):
        return False
    audit_bulk_action(obj=job, what="import_resumed", count=1, model=UnitImportJob, ids=[job.pk], by=by)
    status = job.status
    transaction.on_commit(lambda: _requeue(job.pk, status))
    return True
