"""The daily report page's write path: take a sent report in one INSERT, write it in a worker.

The application form's design (docs/adr/0005-application-intake.md). At 20:00 the booth office-bearers of
a state send their day's report within minutes; the request does the least that keeps the promise
"nothing submitted is ever lost, sending twice updates": it checks the link and the form, stores the report
as a ``ReportSubmission`` row and answers. ``submissions_process`` then writes the ``ActivityReport`` with
the services' own rules (``services.report_write``: the post links, the audit entry, the roll-up rows),
oldest first, in a worker; at once in the embedded mode (no broker), and for one office-bearer before their
page shows their report, so nobody sees an older report than the one they sent.

Order: two submissions for one office-bearer and day are written in the order they came. A batch locks its
appointments first, and a submission whose later one was written already changes nothing, so two workers
taking them the other way round still leave the later one.
"""

import datetime
import logging

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from sangathan.audit.context import from_address
from sangathan.controlroom import services, tasks  # tasks calls this module too: by module, either loads first
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import COUNTERS, ReportSubmission
from sangathan.core.drains import Drain, drain_all

logger = logging.getLogger(__name__)

BATCH = 200
DRAIN = Drain("controlroom:report-submissions-drain")


def submission_receive(
    *,
    appointment_id: int,
    day: datetime.date,
    counts: dict[str, int],
    note: str,
    urls: list[str],
    remote_addr: str | None = None,
    at: datetime.datetime | None = None,
) -> ReportSubmission:
    """Store one sent report, checked by the form already (one INSERT), and see that it is written."""
    submission = ReportSubmission.objects.create(
        appointment_id=appointment_id,
        day=day,
        payload={"counts": {name: counts[name] for name in COUNTERS}, "note": note, "urls": urls},
        remote_addr=remote_addr or None,
        at=at or timezone.now(),
    )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        submissions_process(appointment_id=appointment_id)
    else:
        DRAIN.ask_after_commit(tasks.drain_report_submissions)
    return submission


def submissions_process(*, appointment_id: int | None = None, limit: int = BATCH) -> int:
    """Write up to ``limit`` pending submissions (those of one office-bearer if ``appointment_id``), oldest
    first, in one transaction; returns how many it took. Safe in several workers at once (rows claimed with
    SKIP LOCKED where the database has it) and after a crash (a row is marked done with its report). A
    submission the rules refuse now (the appointment ended) or the database refuses is kept with its problem."""
    with transaction.atomic():
        pending = ReportSubmission.objects.filter(processed_at__isnull=True, problem="")
        if appointment_id is not None:
            pending = pending.filter(appointment_id=appointment_id)
        batch = list(pending.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:limit])
        if not batch:
            return 0
        # The batch's appointments locked at once, in id order (two workers never wait on each other crosswise),
        # then which reports of a day a later submission has written already: two reads for the batch.
        appointments = services.appointments_locked({submission.appointment_id for submission in batch})
        latest = _latest_written(batch)
        written, problems = [], {}
        for submission in batch:
            if latest.get((submission.appointment_id, submission.day), 0) > submission.pk:
                written.append(submission.pk)  # a later report of this day was written (by another worker)
                continue
            try:
                with transaction.atomic():
                    _write(submission, appointments.get(submission.appointment_id))
            except ControlRoomError as error:
                problems[submission.pk] = f"{error.code}: {' '.join(error.messages)}"[:300]
            except (IntegrityError, DataError, ValueError, KeyError, TypeError) as error:
                logger.exception("Report submission %s could not be written.", submission.pk)
                problems[submission.pk] = (str(error) or repr(error))[:300]
            else:
                written.append(submission.pk)
        ReportSubmission.objects.filter(pk__in=written).update(processed_at=timezone.now())
        for pk, problem in problems.items():
            ReportSubmission.objects.filter(pk=pk).update(problem=problem)
    return len(batch)


def submissions_drain(*, limit: int = BATCH) -> int:
    """Process batches until nothing is pending. Returns the total."""
    return drain_all(submissions_process, limit=limit)


def _latest_written(batch: list[ReportSubmission]) -> dict[tuple[int, datetime.date], int]:
    """(appointment, day) -> the newest submission of it written already, for the batch's reports."""
    rows = (
        ReportSubmission.objects.filter(
            appointment_id__in={submission.appointment_id for submission in batch},
            day__in={submission.day for submission in batch},
            processed_at__isnull=False,
        )
        .order_by()
        .values_list("appointment_id", "day")
        .annotate(newest=Max("pk"))
    )
    return {(appointment_id, day): newest for appointment_id, day, newest in rows}


def _write(submission: ReportSubmission, appointment) -> None:
    payload = submission.payload
    with from_address(submission.remote_addr):
        services.report_write(
            appointment=appointment,
            day=submission.day,
            counts=payload["counts"],
            note=payload["note"],
            urls=payload["urls"],
            today=timezone.localdate(submission.at),  # the day it was sent: "today" at 23:59 stays that day
        )
