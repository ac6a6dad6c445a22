"""Channel imports from the web as jobs for the worker: uploaded → checked (a dry run) → confirmed →
imported. The web request only keeps the bytes and queues a task; the sheet is read (with the limits of
``core.spreadsheets``) only in the worker, so a huge or hostile file can cost a worker some seconds but
never a web process its memory or the database's write lock. In the embedded mode (tasks run eagerly)
each task runs as soon as the request's transaction commits.

Tasks take the job's id and are safe to run twice: each step claims the job by its status first, and
runs under a lease (``core.leases``), so a second task while a live worker has the job does nothing. A job
whose worker died (lease lapsed, nothing moved for ``SANGATHAN_IDLE_SECONDS``) is queued again by
``channel_imports_sweep`` (beat, every minute); the import is one transaction, all rows or none.
"""

import datetime
import io

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.channels import tasks
from sangathan.channels.importing import ImportReport, import_channels
from sangathan.channels.models import ChannelImport
from sangathan.core.leases import is_idle, lease, requeue_once, touch
from sangathan.org.errors import OrgError

Status = ChannelImport.Status
IN_WORK = (Status.CHECKING, Status.IMPORTING)
SWEPT_FOR = datetime.timedelta(days=1)  # an older job that never finished is left alone


def _work(job_id: int) -> str:
    return f"channel-import:{job_id}"


def _queue(task, job_id: int) -> None:
    """Queue ``task`` for the job after the commit, noting the time: the job is idle for the sweeps only
    from then."""

    def queue() -> None:
        touch(_work(job_id))
        task.delay(job_id)

    transaction.on_commit(queue)


@transaction.atomic
def channel_import_upload(*, root, content: bytes, original_name: str, by, language: str = "") -> ChannelImport:
    """Keep an uploaded sheet and queue its check; nothing of it is read here."""
    job = ChannelImport.objects.create(
        root=root,
        created_by=by,
        content=content,
        original_name=(original_name or "")[:200],
        status=Status.CHECKING,
        language=(language or "")[:10],
    )
    _queue(tasks.check_channel_import, job.pk)
    return job


def _report_of(job: ChannelImport, *, dry_run: bool) -> ImportReport:
    with translation.override(job.language or None):
        return import_channels(file=io.BytesIO(bytes(job.content)), root=job.root, by=job.created_by, dry_run=dry_run)


def channel_import_check(*, job_id: int) -> None:
    """The dry run of an uploaded sheet (the task's body). A job already checked is left alone."""
    job = ChannelImport.objects.select_related("root", "created_by").filter(pk=job_id, status=Status.CHECKING).first()
    if job is None:
        return
    with lease(_work(job_id)) as held:
        if not held:  # a live worker is checking it
            return
        touch(_work(job_id))
        report = _report_of(job, dry_run=True)
        ChannelImport.objects.filter(pk=job_id, status=Status.CHECKING).update(
            status=Status.CHECKED, checked_ok=report.ok, report=report.digest()
        )


def channel_import_confirm(*, job: ChannelImport, by) -> ChannelImport:
    """Queue a checked sheet for import; its task starts once this transaction has committed (in the
    embedded mode it has run by the time this returns). Returns the job as it is then."""
    _confirm(job=job)
    job.refresh_from_db()
    return job


@transaction.atomic
def _confirm(*, job: ChannelImport) -> None:
    # A save of the locked row, not a conditional UPDATE, so who confirmed is in the audit trail.
    claimed = (
        ChannelImport.objects.select_for_update().filter(pk=job.pk, status=Status.CHECKED, checked_ok=True).first()
    )
    if claimed is None:
        raise OrgError(_("This file has problems. Correct them and upload it again."), code="not_checked")
    claimed.status = Status.IMPORTING
    claimed.save(update_fields=["status"])
    _queue(tasks.run_channel_import, job.pk)


def channel_import_run(*, job_id: int) -> None:
    """Import a confirmed sheet (the task's body). Safe to run twice: a job a live worker has or that is
    finished is left alone, and the import itself changes nothing the second time."""
    with lease(_work(job_id)) as held:
        if held:
            _run(job_id)


def _run(job_id: int) -> None:
    job = ChannelImport.objects.select_related("root", "created_by").filter(pk=job_id, status=Status.IMPORTING).first()
    if job is None:
        return
    touch(_work(job_id))
    report = _report_of(job, dry_run=False)
    job.report = report.digest()
    job.finished_at = timezone.now()
    if report.imported:
        job.status, job.summary, job.content = Status.IMPORTED, report.summary(), b""
    else:
        job.status = Status.FAILED
    job.save(update_fields=["status", "report", "summary", "finished_at", "content"])


def channel_imports_sweep() -> int:
    """Queue again every check or import whose worker died (beat, every minute); returns how many."""
    jobs = ChannelImport.objects.filter(status__in=IN_WORK, created_at__gt=timezone.now() - SWEPT_FOR).only(
        "pk", "status", "created_at"
    )
    queued = 0
    for job in jobs:
        if is_idle(_work(job.pk), since=job.created_at) and requeue_once(_work(job.pk)):
            (tasks.check_channel_import if job.status == Status.CHECKING else tasks.run_channel_import).delay(job.pk)
            queued += 1
    return queued
