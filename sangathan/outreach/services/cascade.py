"""Sending: ``message_send`` makes one ``SendChunk`` per child of the message's unit and queues a task per
chunk; ``chunk_process`` writes a chunk's deliveries and roll-up rows (``chunk_write``, one transaction) and
then its notifications (``chunk_notify``, another); the last chunk marks the message sent. See the package's
docstring for why nothing is lost or doubled."""

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_action
from sangathan.core.leases import requeue_once
from sangathan.org.models import Unit
from sangathan.outreach import sql, tasks  # tasks call the services back: by module, either loads first
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Delivery, Message, RollupDelta, SendChunk
from sangathan.outreach.rollups import rollups_fold
from sangathan.outreach.selectors import key_office_bearers, subtree_range, target_level_ids
from sangathan.outreach.services.approval import four_eyes_required
from sangathan.outreach.services.notify import message_context, notify_bulk
from sangathan.outreach.services.tokens import delivery_link

logger = logging.getLogger("sangathan.outreach.services")

Status = Message.Status


def message_send(*, message: Message, by, queue: bool = True) -> Message:
    """Send (or resume sending) a message: make its chunks and queue a task for each one not done.

    ``queue=False`` leaves the chunks for the caller to run in-process (``sangathan send-message``)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("unit__level", "target_level").get(pk=message.pk)
        if not can(by, SEND_MESSAGES, message.unit):
            raise OutreachError(_("You may not send messages to this unit."), code="not_allowed")
        if message.status == Status.SENT:
            raise OutreachError(_("This message has already been sent."), code="sent")
        if message.status != Status.SENDING:
            if message.status == Status.AWAITING_APPROVAL or (
                message.status == Status.DRAFT and four_eyes_required(message.unit)
            ):
                raise OutreachError(_("A second person must approve this message before it goes out."), code="approval")
            if message.expires_at and message.expires_at <= timezone.now():
                raise OutreachError(_("This message has expired."), code="expired")
            roots = list(
                Unit.objects.filter(parent=message.unit, level__order__lte=message.target_level.order).values_list(
                    "pk", flat=True
                )
            )
            if not roots:
                raise OutreachError(_("There are no units below this one to send to."), code="no_units")
            SendChunk.objects.bulk_create(
                [SendChunk(message=message, root_id=root) for root in roots], ignore_conflicts=True
            )
            message.status, message.sent_by, message.sent_at = Status.SENDING, by, timezone.now()
            message.chunks_total = len(roots)
            message.save(update_fields=["status", "sent_by", "sent_at", "chunks_total", "updated_at"])
        pending = list(message.chunks.exclude(status=SendChunk.Status.DONE).values_list("pk", flat=True))
        if queue:
            transaction.on_commit(lambda: _queue_chunks(pending), robust=True)
    return message


def _queue_chunks(chunk_ids: Iterable[int]) -> None:
    for chunk_id in chunk_ids:
        try:
            tasks.send_chunk.delay(chunk_id)
        except Exception:
            logger.exception("Could not queue send chunk %s; the outreach sweep will queue it again.", chunk_id)


def message_run_inline(*, message: Message, progress: Callable[[int], None] | None = None) -> int:
    """Run every chunk that is not done in this process (the embedded mode); returns deliveries written."""
    written = 0
    for chunk_id in message.chunks.exclude(status=SendChunk.Status.DONE).order_by("pk").values_list("pk", flat=True):
        written += chunk_process(chunk_id=chunk_id)
        if progress:
            progress(1)
    return written


def chunk_process(*, chunk_id: int) -> int:
    """Write the chunk's deliveries and roll-ups (once), then its notifications (once). Returns how many
    deliveries this call wrote (0 when another run already had). ``OUTREACH_NOTIFY = False`` (the benchmark's
    server) finishes chunks without notifying anybody."""
    written = chunk_write(chunk_id=chunk_id)
    chunk_notify(chunk_id=chunk_id, queue_messages=getattr(settings, "OUTREACH_NOTIFY", True))
    return written


def chunk_write(*, chunk_id: int) -> int:
    with transaction.atomic():
        chunk = (
            SendChunk.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
            )
            .filter(pk=chunk_id, status=SendChunk.Status.PENDING)
            .select_related("root", "message__unit__level", "message__target_level")
            .first()
        )
        if chunk is None:
            return 0
        message = chunk.message
        assert message.sent_at is not None  # chunks are made when the message is sent
        written = materialise(
            message_id=message.pk,
            root_path=chunk.root.path,
            level_ids=target_level_ids(message),
            at=message.sent_at,
        )
        SendChunk.objects.filter(pk=chunk.pk).update(
            status=SendChunk.Status.WRITTEN, deliveries=written, updated_at=timezone.now()
        )
    return written


def materialise(*, message_id: int, root_path: str, level_ids: list[int], at: datetime.datetime) -> int:
    """One INSERT … SELECT of the deliveries of the subtree at ``root_path``, then one INSERT … SELECT of all
    its roll-up rows (``sql.deliveries_insert``, ``sql.rollups_insert``). Call inside the transaction that
    claims the chunk."""
    if not level_ids:
        return 0
    low, high = subtree_range(root_path)
    written = sql.deliveries_insert(message_id=message_id, low=low, high=high, level_ids=level_ids, at=at)
    sql.rollups_insert(message_id=message_id, low=low, high=high, top=len(root_path) // Unit.steplen)
    return written


def chunk_notify(*, chunk_id: int, queue_messages: bool = True) -> int:
    """Queue the message to the key office-bearer of every unit of a written chunk; mark it done."""
    with transaction.atomic():
        chunk = (
            SendChunk.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
            )
            .filter(pk=chunk_id, status=SendChunk.Status.WRITTEN)
            .select_related("root", "message")
            .first()
        )
        if chunk is None:
            return 0
        message = chunk.message
        low, high = subtree_range(chunk.root.path)
        if not queue_messages:
            SendChunk.objects.filter(pk=chunk.pk).update(status=SendChunk.Status.DONE, updated_at=timezone.now())
            transaction.on_commit(lambda: message_finish_if_done(message_id=message.pk))
            return 0
        deliveries = dict(
            Delivery.objects.filter(message=message, path__gte=low, path__lt=high).values_list("unit_id", "pk")
        )
        recipients = key_office_bearers(deliveries.keys(), low=low, high=high)
        items = [
            (
                f"outreach:{message.pk}:{unit_id}:{person.pk}",
                person,
                {"link": delivery_link(deliveries[unit_id]), "unit": unit_name},
            )
            for unit_id, unit_name, person in recipients
        ]
        count = notify_bulk(template="outreach_message", context=message_context(message), items=items)
        SendChunk.objects.filter(pk=chunk.pk).update(
            status=SendChunk.Status.DONE, notifications=count, updated_at=timezone.now()
        )
    message_finish_if_done(message_id=message.pk)
    return count


def message_finish_if_done(*, message_id: int) -> bool:
    """The last chunk to finish marks the message sent (called after each chunk's commit)."""
    if SendChunk.objects.filter(message_id=message_id).exclude(status=SendChunk.Status.DONE).exists():
        return False
    total = SendChunk.objects.filter(message_id=message_id).aggregate(n=Sum("deliveries"))["n"] or 0
    return bool(
        Message.objects.filter(pk=message_id, status=Status.SENDING).update(
            status=Status.SENT, completed_at=timezone.now(), deliveries_total=total
        )
    )


def idle_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SANGATHAN_IDLE_SECONDS)


def _stalled_chunks(*, message_id: int | None = None, stale_after: datetime.timedelta | None = None):
    """Chunks of sending messages that have not moved for the idle time: their task was lost with a worker
    or a broker, or waits behind others (queued again, it finds the chunk claimed and does nothing). A chunk
    moves when it is made, written and done (``updated_at``)."""
    chunks = SendChunk.objects.filter(
        message__status=Status.SENDING, updated_at__lt=timezone.now() - (stale_after or idle_after())
    ).exclude(status=SendChunk.Status.DONE)
    return chunks.filter(message_id=message_id) if message_id is not None else chunks


def _unfinished_messages(*, message_id: int | None = None) -> list[int]:
    """Sending messages whose every chunk is done: the worker died between the last chunk and the message."""
    sending = Message.objects.filter(status=Status.SENDING).exclude(
        pk__in=SendChunk.objects.exclude(status=SendChunk.Status.DONE).values("message_id")
    )
    if message_id is not None:
        sending = sending.filter(pk=message_id)
    return list(sending.values_list("pk", flat=True))


def _requeue_stalled(*, message_id: int | None = None, stale_after: datetime.timedelta | None = None) -> int:
    """Queue again the stalled chunks and finish the messages whose chunks are all done. Of several sweeps
    at once only one queues a given chunk, once per idle period (``requeue_once``); the task claims the
    chunk itself, so a chunk queued twice is written once. Returns how many chunks were queued."""
    stalled = _stalled_chunks(message_id=message_id, stale_after=stale_after).values_list("pk", flat=True)
    queued = [chunk_id for chunk_id in stalled if requeue_once(f"send-chunk:{chunk_id}")]
    _queue_chunks(queued)
    for pk in _unfinished_messages(message_id=message_id):
        message_finish_if_done(message_id=pk)
    return len(queued)


def message_stalled(message: Message, *, after: datetime.timedelta | None = None) -> bool:
    """Whether a send has stopped: sending, and a chunk not done has not moved for ``after`` (the idle
    time unless given; the tracking page offers "resume" after ``SANGATHAN_RESUME_AFTER_SECONDS``), or
    every chunk is done and the message was never marked sent."""
    if message.status != Status.SENDING:
        return False
    return _stalled_chunks(message_id=message.pk, stale_after=after).exists() or bool(
        _unfinished_messages(message_id=message.pk)
    )


def message_resume(*, message: Message, by) -> int:
    """The operator's "resume" of a stopped send: queue its stalled chunks again (what the sweep would do
    within a minute), audited on the message. Returns how many chunks were queued."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("unit").get(pk=message.pk)
        if not can(by, SEND_MESSAGES, message.unit):
            raise OutreachError(_("You may not send messages to this unit."), code="not_allowed")
        if not message_stalled(message):
            raise OutreachError(_("This send has not stopped: nothing to resume."), code="not_stalled")
        chunk_ids = list(_stalled_chunks(message_id=message.pk).values_list("pk", flat=True))
        audit_bulk_action(
            obj=message, what="send_resumed", count=max(len(chunk_ids), 1), model=SendChunk, ids=chunk_ids, by=by
        )
        transaction.on_commit(lambda: _resume(message.pk, chunk_ids))
    return len(chunk_ids)


def _resume(message_id: int, chunk_ids: list[int]) -> None:
    _queue_chunks(chunk_ids)  # at once, whether or not a sweep queued them a moment ago
    for pk in _unfinished_messages(message_id=message_id):
        message_finish_if_done(message_id=pk)


def outreach_sweep(*, stale_after: datetime.timedelta | None = None) -> int:
    """Queue again the chunks of sends that stopped (a worker or the broker died), finish the messages
    whose chunks are all done (beat, every minute; idle means ``SANGATHAN_IDLE_SECONDS``), and fold the
    answers of messages nobody has looked at lately into their roll-ups; returns how many chunks were
    queued."""
    queued = _requeue_stalled(stale_after=stale_after)
    rollups_fold(message_ids=RollupDelta.objects.values_list("message_id", flat=True).distinct())
    return queued
