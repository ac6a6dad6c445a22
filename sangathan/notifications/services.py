"""Writes to the outbox and its delivery. Other apps call ``message_queue`` or ``notify_person`` inside
their own transaction; the message is delivered by a task once that transaction commits.

How a message travels, and why nothing is lost:

1. ``message_queue`` renders the text and inserts the row in the caller's transaction. If the caller
   rolls back, there is no message; if it commits, the message is in the database before anybody tries
   to send it. The delivery task is queued with ``transaction.on_commit``; if the broker is down at
   that moment the row simply stays pending.
2. ``message_deliver`` claims the row with one conditional UPDATE (pending/failed and due → sending).
   Only one worker can win that UPDATE, so a task that runs twice, or two workers given the same id,
   send once. The claim commits before the provider is called; no transaction is held open over the
   network.
3. The provider's answer is written back: sent (with the provider's id), failed (retried later with
   exponential backoff) or dead (a permanent refusal, or ``NOTIFY_MAX_ATTEMPTS`` attempts used).
4. ``outbox_sweep`` (the ``sweep_outbox`` task, or ``sangathan deliver-outbox [--loop N]``) queues
   what is due again: pending messages whose task was lost with a broker, failed messages whose retry
   time has come, and messages "sending" for more than ``stuck_after()`` (their worker died mid-send).

The trade-off is at-least-once, not exactly-once: if a worker dies after the provider accepted the
message but before "sent" was written, the sweep cannot tell this from a worker that died before
calling the provider, and sends it again after ``stuck_after()``. The same holds for a provider that
times out after it received the request: the retry may be a second copy. We accept a rare duplicate
over a lost appointment letter; the idempotency key (and the provider id, when written) identify such
duplicates. A gateway that takes an idempotency key of its own would close that gap; the generic ones
do not.

Retries are not scheduled on the broker (no ETA tasks held in worker memory): the sweep picks them up,
so the sweep must run periodically — Celery beat with ``sweep_outbox`` every minute, or
``sangathan deliver-outbox --loop 60`` (the embedded mode).
"""

import logging
import random
import re
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.notifications import tasks  # tasks call this module too: by module, either loads first
from sangathan.notifications.channels import HTTP_TIMEOUT, ChannelError, PermanentChannelError, get_channel
from sangathan.notifications.errors import NotificationError
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Person

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Channel = OutboxMessage.Channel

RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)
RETRY_JITTER = 0.1


def stuck_after() -> timedelta:
    """A message "sending" this long lost its worker (a live one answers within ``HTTP_TIMEOUT``, 10 s):
    ``SANGATHAN_IDLE_SECONDS``, so that a dead worker's messages go out within two minutes."""
    return timedelta(seconds=settings.SANGATHAN_IDLE_SECONDS)


def pending_grace() -> timedelta:
    """A pending message's own task normally runs within seconds of the commit (the outbox has a queue of
    its own); the sweep leaves it the idle time so that a slow queue does not get every message twice."""
    return timedelta(seconds=settings.SANGATHAN_IDLE_SECONDS)


TEMPLATE_RE = re.compile(r"[a-z0-9_]+(?:/[a-z0-9_]+)*")
SUBJECT_PREFIX = "Subject:"
MOBILE_RE = re.compile(r"\+[1-9]\d{7,14}")
# Who can be reached on which channel: the person's field that holds the address.
PERSON_ADDRESS: dict[str, str] = {
    Channel.SMS: "mobile",
    Channel.WHATSAPP: "mobile",
    Channel.EMAIL: "email",
}


# ---------------------------------------------------------------- queueing


def message_render(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """Render ``notifications/<template>.txt`` in ``language`` and return (subject, body).

    The text is plain text: variables are not HTML-escaped. An optional first line ``Subject: ...``
    becomes the subject (used by email).
    """
    if not TEMPLATE_RE.fullmatch(template or ""):
        raise NotificationError(_("%(template)s is not a valid template name.") % {"template": template})
    # The Django engine's own template (the project has only that engine): rendered without the request's
    # context processors.
    compiled = Engine.get_default().get_template(f"notifications/{template}.txt")
    with translation.override(language):
        text = compiled.render(Context(context, autoescape=False))
    return split_subject(text)


def split_subject(text: str) -> tuple[str, str]:
    """ "Subject: Hello\\n\\nBody" → ("Hello", "Body"); text without a subject line → ("", text)."""
    text = text.strip()
    first, _newline, rest = text.partition("\n")
    if first.startswith(SUBJECT_PREFIX):
        return first[len(SUBJECT_PREFIX) :].strip(), rest.strip()
    return "", text


def _check_recipient(channel: str, recipient: str) -> str:
    recipient = (recipient or "").strip()
    if not recipient:
        raise NotificationError(_("The message has no recipient."))
    if channel in (Channel.SMS, Channel.WHATSAPP) and not MOBILE_RE.fullmatch(recipient):
        raise NotificationError(
            _("%(recipient)s is not a mobile number in the form +91XXXXXXXXXX.") % {"recipient": recipient}
        )
    if channel == Channel.EMAIL and "@" not in recipient:
        raise NotificationError(_("%(recipient)s is not an email address.") % {"recipient": recipient})
    return recipient


def message_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    language: str = "hi",
    idempotency_key: str,
    person: Person | None = None,
) -> OutboxMessage:
    """Put one message in the outbox, in the caller's transaction, and deliver it after the commit.

    The same ``idempotency_key`` gives back the message already queued and queues nothing, so the same
    event never produces two messages, even when two requests race.
    """
    key = _idempotency_key(idempotency_key)
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if channel not in Channel.values:
        raise NotificationError(_("There is no channel called %(name)s.") % {"name": channel})
    if language not in OutboxMessage.Language.values:
        raise NotificationError(_("Messages can be written in Hindi (hi) or English (en) only."))
    recipient = _check_recipient(channel, recipient)
    subject, body = message_render(template=template, context=context, language=language)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                recipient=recipient,
                person=person,
                template=template,
                language=language,
                subject=subject[:255],
                body=body,
                idempotency_key=key,
            )
    except IntegrityError:
        # Another transaction queued the same key between our look-up and our insert.
        existing = OutboxMessage.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue([message_id]), robust=True)
    return message


def _idempotency_key(value: str | None) -> str:
    """The key stripped; NotificationError when it is empty or longer than its column."""
    key = (value or "").strip()
    limit = OutboxMessage._meta.get_field("idempotency_key").max_length
    if not key or (limit is not None and len(key) > limit):
        raise NotificationError(_("A message needs an idempotency key of at most 200 characters."))
    return key


def messages_queue_bulk(messages: Iterable[dict]) -> int:
    """``message_queue`` for many messages at once (each dict takes its keyword arguments): one INSERT for
    all, keys already queued skipped, one delivery task per new message after the commit. Returns how many
    were new. A message that cannot be sent (bad recipient, unknown channel) raises before anything is
    written, like ``message_queue``."""
    rows = []
    for item in messages:
        key = _idempotency_key(item["idempotency_key"])
        channel, language = item["channel"], item.get("language", "hi")
        if channel not in Channel.values:
            raise NotificationError(_("There is no channel called %(name)s.") % {"name": channel})
        if language not in OutboxMessage.Language.values:
            raise NotificationError(_("Messages can be written in Hindi (hi) or English (en) only."))
        subject, body = message_render(template=item["template"], context=item["context"], language=language)
        rows.append(
            OutboxMessage(
                channel=channel,
                recipient=_check_recipient(channel, item["recipient"]),
                person=item.get("person"),
                template=item["template"],
                language=language,
                subject=subject[:255],
                body=body,
                idempotency_key=key,
            )
        )
    if not rows:
        return 0
    keys = [row.idempotency_key for row in rows]
    before = set(OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    OutboxMessage.objects.bulk_create([row for row in rows if row.idempotency_key not in before], ignore_conflicts=True)
    new_ids = list(
        OutboxMessage.objects.filter(idempotency_key__in=[key for key in keys if key not in before]).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: _enqueue(new_ids), robust=True)
    return len(new_ids)


def person_address(person: Person, channel: str) -> str:
    """Where ``person`` is reached on ``channel``; "" when they cannot be (no email, or no Telegram chat)."""
    if channel in PERSON_ADDRESS:
        return (getattr(person, PERSON_ADDRESS[channel]) or "").strip()
    if channel in (Channel.CONSOLE, Channel.FILE):
        return person.mobile or person.email or f"person:{person.pk}"
    # Telegram needs the chat id of a chat the person opened with the bot; Person does not hold one yet.
    return ""


def notify_person(
    *,
    person: Person,
    template: str,
    context: dict,
    idempotency_key: str,
    channels: Iterable[str] | None = None,
    language: str = "hi",
) -> list[OutboxMessage]:
    """Queue ``template`` to ``person`` on each channel (``NOTIFY_DEFAULT_CHANNELS`` unless given) they
    can be reached on: SMS and WhatsApp need a mobile number, email an email address; console and file
    always work. Each message's key is ``<idempotency_key>:<channel>``."""
    names = list(dict.fromkeys(settings.NOTIFY_DEFAULT_CHANNELS if channels is None else channels))
    unknown = [name for name in names if name not in Channel.values]
    if unknown:
        raise NotificationError(_("There is no channel called %(name)s.") % {"name": ", ".join(unknown)})
    messages = []
    for channel in names:
        recipient = person_address(person, channel)
        if not recipient:
            continue
        messages.append(
            message_queue(
                channel=channel,
                recipient=recipient,
                template=template,
                context=context,
                language=language,
                idempotency_key=f"{idempotency_key}:{channel}",
                person=person,
            )
        )
    return messages


DELIVERY_BATCH = 50  # messages per delivery task when many are queued at once


def _enqueue(message_ids: Iterable[int]) -> int:
    """Queue delivery: a task for one message, or a task per ``DELIVERY_BATCH`` messages when many come at
    once (a drive's intake, a sweep: Celery moves a few hundred tasks a second per core, not thousands).
    Returns how many messages were queued. A broker that is down loses nothing: the rows are still in the
    outbox and the sweep queues them again."""
    ids = list(message_ids)
    queued = 0
    for start in range(0, len(ids), DELIVERY_BATCH):
        chunk = ids[start : start + DELIVERY_BATCH]
        try:
            if len(chunk) == 1:
                tasks.deliver_message.delay(chunk[0])
            else:
                tasks.deliver_messages.delay(chunk)
        except Exception:
            logger.exception("Could not queue outbox messages %s; the sweep will queue them again.", chunk)
        else:
            queued += len(chunk)
    return queued


# ---------------------------------------------------------------- delivery


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def message_deliver(*, message_id: int) -> str | None:
    """Send one message if it is due and nobody else is sending it. Returns the new status, or None when
    the message was not claimed (already sent, being sent by another worker, dead, or not due yet).

    Never call inside a transaction: the claim must be visible to other workers before the provider is
    called, and no transaction may stay open across a network call.
    """
    message = _claim(message_id)
    if message is None:
        return None
    # Our claim is (status sending, this attempt number): the result is written only if it still holds.
    status, fields = _send(message)
    _write_result(message, status, fields)
    return status


def messages_deliver(*, message_ids: Iterable[int]) -> dict[int, str]:
    """``message_deliver`` for many messages: one statement claims every due one (the same conditional
    UPDATE, so a message claimed by another worker, sent, dead or not due is left alone), then each is sent
    and its result written at once (``_write_result``). Returns {id: new status} of the claimed messages.
    A drive's intake queues one message per applicant, delivered 50 to a
    task (issue 17, docs/benchmarks.md). Same guarantees as one at a time: the claim commits before any
    provider is called; a result is written only while the claim still holds; a worker that dies leaves the
    one message it was sending to go out again (at least once, at most one copy more), and the rest of its
    batch "sending" but unsent, for ``outbox_release_stuck`` to make due again. (Writing the results back
    together would save a statement a message but resend a whole batch after a crash.)"""
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return {}
    claimed = _claim_many(ids)
    if claimed is None:  # a database without UPDATE … RETURNING: one by one
        results = {}
        for message_id in ids:
            status = message_deliver(message_id=message_id)
            if status is not None:
                results[message_id] = status
        return results
    results = {}
    claimed_at = time.monotonic()
    for index, message in enumerate(claimed):
        if index and time.monotonic() - claimed_at > batch_send_budget():
            # The sweep would soon take the batch's unsent tail for lost and make it due again while this
            # worker still holds it (the review's double send): hand it back, not counted as an attempt.
            _hand_back(claimed[index:])
            break
        status, fields = _send(message)
        _write_result(message, status, fields)
        results[message.pk] = status
    return results


def batch_send_budget() -> float:
    """Seconds after its claim that a batch may still start sending: a message "sending" longer than
    ``stuck_after()`` is released by the sweep, and the last send may take up to two ``HTTP_TIMEOUT``s
    (connect and read). 25 s with the defaults (45 s, 10 s); never under one ``HTTP_TIMEOUT``."""
    return max(stuck_after().total_seconds() - 2 * HTTP_TIMEOUT, HTTP_TIMEOUT)


def _hand_back(messages: list[OutboxMessage]) -> None:
    """Return claimed but unsent messages: due again now, the attempt not counted, queued at once (a
    message another delivery took over meanwhile is left to it)."""
    ours = Q()
    for message in messages:
        ours |= Q(pk=message.pk, attempts=message.attempts)
    OutboxMessage.objects.filter(ours, status=Status.SENDING).update(
        status=Status.FAILED, attempts=F("attempts") - 1, claimed_at=None, next_attempt_at=Now()
    )
    ids = [message.pk for message in messages]
    logger.info("Outbox: %d messages of a slow batch handed back for another delivery.", len(ids))
    try:
        tasks.deliver_messages.delay(ids)
    except Exception:
        logger.exception("Could not queue outbox messages %s; the sweep will queue them again.", ids)


def _send(message: OutboxMessage) -> tuple[str, dict[str, Any]]:
    """Hand one claimed message to its channel: (new status, the fields to write)."""
    status: str
    fields: dict[str, Any]
    try:
        provider_id = get_channel(message.channel).send(message)
    except PermanentChannelError as error:
        status, fields = Status.DEAD, {"last_error": str(error)}
    except ChannelError as error:
        status, fields = _failed(message.attempts, str(error))
    except Exception as error:  # a bug in a channel must not leave the message "sending" until the sweep
        logger.exception("Channel %s crashed on outbox message %s", message.channel, message.pk)
        status, fields = _failed(message.attempts, f"{type(error).__name__}: {error}")
    else:
        return Status.SENT, {"sent_at": Now(), "provider_message_id": str(provider_id or "")[:200], "last_error": ""}
    logger.warning("Outbox message %s %s: %s", message.pk, status, fields["last_error"])
    return status, fields


def _claim_many(ids: list[int]) -> list[OutboxMessage] | None:
    """``_claim`` for many ids in one statement, in the ids' order; None where the database has no
    UPDATE … RETURNING."""
    now = DB_NOW.get(connection.vendor)
    if now is None:
        return None
    quote, meta = connection.ops.quote_name, OutboxMessage._meta
    columns = ", ".join(quote(str(field.column)) for field in meta.concrete_fields)
    marks = ", ".join(["%s"] * len(ids))
    # Table and column names from the model, values as parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET status = %s, attempts = attempts + 1, claimed_at = {now} "  # noqa: S608
        f"WHERE {quote(str(meta.pk.column))} IN ({marks}) AND status IN (%s, %s) AND next_attempt_at <= {now} "
        f"RETURNING {columns}"
    )
    rows = list(OutboxMessage.objects.raw(sql, [Status.SENDING, *ids, Status.PENDING, Status.FAILED]))
    order = {message_id: index for index, message_id in enumerate(ids)}
    rows.sort(key=lambda message: order[message.pk])  # RETURNING's order is not the ids' order
    return rows


def _write_result(message: OutboxMessage, status: str, fields: dict[str, Any]) -> None:
    """Write a send's result while our claim (sending, this attempt) holds. "Sent", nearly every result, by
    one plain statement (the ORM's compiled update cost about as much CPU as the claim); the rest through
    the ORM."""
    now = DB_NOW.get(connection.vendor)
    if status == Status.SENT and now is not None:
        quote, meta = connection.ops.quote_name, OutboxMessage._meta
        sql = (
            f"UPDATE {quote(meta.db_table)} SET status = %s, claimed_at = NULL, sent_at = {now}, "  # noqa: S608
            f"last_error = '', provider_message_id = %s "
            f"WHERE {quote(str(meta.pk.column))} = %s AND status = %s AND attempts = %s"
        )
        params = [Status.SENT, fields["provider_message_id"], message.pk, Status.SENDING, message.attempts]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.rowcount
    else:
        written = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts).update(
            status=status, claimed_at=None, **fields
        )
    if not written:
        logger.warning("Outbox message %s was taken over by another delivery; its result is not written.", message.pk)


# The claim and the read of the claimed row in one statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35):
# the ORM's conditional update() and get() were two round trips and two compiled queries per message, and the
# outbox delivers one message per applicant of a drive (profiled in the apply benchmark's worker, issue 17:
# 1.9 → 0.9 ms of CPU per message, docs/benchmarks.md). The row's times come from the database clock, as in
# the ORM version (``Now()``: STATEMENT_TIMESTAMP() on PostgreSQL).
DB_NOW = {"postgresql": "STATEMENT_TIMESTAMP()", "sqlite": "STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', 'NOW')"}


def _claim(message_id: int) -> OutboxMessage | None:
    """Claim one message if it is due and not being sent (pending/failed and due → sending, one more
    attempt): only one worker can win this UPDATE. Returns the claimed row, or None."""
    now = DB_NOW.get(connection.vendor)
    if now is None:  # another database: the ORM's two statements
        claimed = OutboxMessage.objects.filter(
            pk=message_id, status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=Now()
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=Now())
        return OutboxMessage.objects.get(pk=message_id) if claimed else None
    quote, meta = connection.ops.quote_name, OutboxMessage._meta
    columns = ", ".join(quote(str(field.column)) for field in meta.concrete_fields)
    # Table and column names from the model, values as parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET status = %s, attempts = attempts + 1, claimed_at = {now} "  # noqa: S608
        f"WHERE {quote(str(meta.pk.column))} = %s AND status IN (%s, %s) AND next_attempt_at <= {now} RETURNING {columns}"
    )
    rows = list(OutboxMessage.objects.raw(sql, [Status.SENDING, message_id, Status.PENDING, Status.FAILED]))
    return rows[0] if rows else None


def _failed(attempts: int, error: str) -> tuple[str, dict[str, Any]]:
    if attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        return Status.DEAD, {"last_error": error}
    delay = retry_delay(attempts) * (1 + random.uniform(0, RETRY_JITTER))
    return Status.FAILED, {"last_error": error, "next_attempt_at": Now() + delay}


# ---------------------------------------------------------------- sweep


def outbox_release_stuck() -> int:
    """Messages "sending" for more than ``stuck_after()``: their worker died. Make them due again (or dead,
    when that was the last attempt). Returns how many were released."""
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=Now() - stuck_after())
    error = _("The delivery was interrupted (the worker stopped while sending); it will be tried again.")
    dead = stuck.filter(attempts__gte=settings.NOTIFY_MAX_ATTEMPTS).update(
        status=Status.DEAD, claimed_at=None, last_error=error
    )
    released = stuck.update(status=Status.FAILED, claimed_at=None, last_error=error, next_attempt_at=Now())
    if dead or released:
        logger.warning("Outbox: %d stuck messages released for another attempt, %d dead.", released, dead)
    return released + dead


def outbox_due():
    """The messages the sweep queues: failed ones whose retry time has come, pending ones whose task
    should have run by now (``pending_grace()``)."""
    return OutboxMessage.objects.filter(status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=Now()).exclude(
        status=Status.PENDING, next_attempt_at__gt=Now() - pending_grace()
    )


def _claim_for_requeue(ids: list[int]) -> list[int]:
    """Of the due messages ``ids``, those this sweep queues: every failed one, and the pending ones it
    stamps (``next_attempt_at`` = now, by a conditional UPDATE). A stamped message is left by the sweeps
    for another grace period, so a long queue of deliveries (a national send) is not queued a second time
    every minute, and of two sweeps at once only one queues it."""
    stamp = timezone.now()
    OutboxMessage.objects.filter(
        pk__in=ids, status=Status.PENDING, next_attempt_at__lte=stamp - pending_grace()
    ).update(next_attempt_at=stamp)
    claimed = set(
        OutboxMessage.objects.filter(pk__in=ids)
        .filter(Q(status=Status.FAILED) | Q(status=Status.PENDING, next_attempt_at=stamp))
        .values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in claimed]


def outbox_sweep(*, progress: Callable[[int, int], None] | None = None, chunk_size: int = 1000) -> int:
    """Queue delivery of every message that is due (see ``outbox_due``) after releasing stuck ones.
    Safe to run on several machines at once: a message queued twice is sent once. ``progress(done,
    total)`` is called as tasks are queued. Returns how many were queued."""
    outbox_release_stuck()
    due = outbox_due()
    total = due.count()
    if progress:
        progress(0, total)
    done = 0
    last_id = 0
    while True:
        ids = list(due.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        last_id = ids[-1]
        done += _enqueue(_claim_for_requeue(ids))
        if progress:
            progress(done, max(total, done))
    return done
