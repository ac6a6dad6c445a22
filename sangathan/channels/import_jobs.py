"""Channel imports from the web as jobs for the worker: uploaded → checked (a dry run) → confirmed →
imported. The web request only keeps the bytes and queues a task; the sheet is read (with the limits of
``core.spreadsheets``) only in the worker, so a huge or hostile file can cost a worker some seconds but
never a web process its memory or the database's write lock. In the embedded mode (tasks run eagerly)
each task runs as soon as the request's transaction commits.

Tasks take the job's id and are safe to run twice: each step claims the job by its status first.
"""

import io

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.channels import tasks
from sangathan.channels.importing import ImportReport, import_channels
from sangathan.channels.models import ChannelImport
from sangathan.org.errors import OrgError

Status = ChannelImport.Status


def _queue(task, job_id: int) -> None:
    transaction.on_commit(lambda: task.delay(job_id))


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
    """Import a confirmed sheet (the task's body). Safe to run twice: a finished job is left alone, and
    the import itself changes nothing the second time."""
    job = ChannelImport.objects.select_related("root", "created_by").filter(pk=job_id, status=Status.IMPORTING).first()
    if job is None:
        return
    report = _report_of(job, dry_run=False)
    job.report = report.digest()
    job.finished_at = timezone.now()
    if report.imported:
        job.status, job.summary, job.content = Status.IMPORTED, report.summary(), b""
    else:
        job.status = Status.FAILED
    job.save(update_fields=["status", "report", "summary", "finished_at", "content"])
