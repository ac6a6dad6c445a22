"""Sheets of paper forms as jobs for the worker: the web request keeps the bytes and queues a task after
its commit; the worker reads the sheet (``membership.sheets``, within the limits of
``core.spreadsheets``) so a huge or hostile file never costs a web process. In the embedded mode the task
runs as soon as the request's transaction commits.

The task is safe to run twice: it runs under a lease (``core.leases``), only a queued job is read, and
the sheet itself enters nothing twice (a number already entered is skipped).
"""

from django.db import transaction
from django.utils import timezone, translation

from sangathan.core.leases import lease
from sangathan.membership import sheets, tasks
from sangathan.membership.models import MemberImport

Status = MemberImport.Status


def _work(job_id: int) -> str:
    return f"member-import:{job_id}"


@transaction.atomic
def member_import_upload(*, root, content: bytes, original_name: str, by, language: str = "") -> MemberImport:
    """Keep an uploaded sheet and queue its import; nothing of it is read here."""
    job = MemberImport.objects.create(
        root=root, created_by=by, content=content, original_name=(original_name or "")[:200], language=language[:10]
    )
    transaction.on_commit(lambda: tasks.run_member_import.delay(job.pk))
    return job


def member_import_run(*, job_id: int) -> None:
    """The task's body: import a queued sheet; a job another live worker has, or a finished one, is left
    alone."""
    with lease(_work(job_id)) as held:
        if not held:
            return
        job = MemberImport.objects.select_related("root__level", "created_by").filter(pk=job_id).first()
        if job is None or job.status != Status.QUEUED:
            return
        language = job.language or "hi"
        with translation.override(language):
            outcome = sheets.import_sheet(
                root=job.root, content=bytes(job.content), by=job.created_by, language=language[:2]
            )
        job.report = outcome.digest()
        job.finished_at = timezone.now()
        job.status = Status.IMPORTED if outcome.imported else Status.FAILED
        job.content = b""
        job.save(update_fields=["status", "report", "finished_at", "content"])
