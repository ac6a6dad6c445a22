"""Writes of the message cascade. Each public function is one transaction (``chunk_process`` two: the
deliveries, then the notifications) and takes the acting user as ``by``.

How a send works and why nothing is lost or doubled (docs/adr/0004-message-cascade.md):

1. ``message_send`` marks the message sending, stamps ``sent_at`` (time zero for time-to-acknowledge) and
   writes one ``SendChunk`` per child of the message's unit; a task per chunk is queued after the commit.
2. ``chunk_process`` claims its chunk (pending → written) in the same transaction as one INSERT … SELECT of
   the chunk's deliveries from the unit table and the set-based INSERT of its roll-up rows: all or nothing.
   Then, in a second transaction, it writes the notifications to the key office-bearers into the outbox
   in bulk, each with an idempotency key (message, unit, person, channel), and marks the chunk done.
3. A worker that dies leaves its chunk pending (its transaction rolled back) or written (the outbox insert
   skips keys already there). ``message_send`` on a sending message, or the periodic ``outreach_sweep``,
   queues again every chunk that is not done.
"""

import datetime
import itertools
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import APPROVE_MESSAGES, SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.notifications.errors import NotificationError
from sangathan.notifications.services import messages_queue_bulk, person_address
from sangathan.org.models import Appointment, Level, Unit
from sangathan.org.paths import path_upper_bound
from sangathan.outreach import media
from sangathan.outreach.choices import EDITABLE_FIELDS
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import ApprovalRule, Delivery, Message, Rollup, RollupDelta, SendChunk

logger = logging.getLogger(__name__)

TOKEN_SALT = "sangathan.outreach.delivery"  # noqa: S105 - a signing salt, not a password
Status = Message.Status


# ---------------------------------------------------------------- settings


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "OUTREACH_LINK_MAX_AGE_DAYS", 30))


def remind_after() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "OUTREACH_REMIND_AFTER_HOURS", 6))


def escalate_after() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "OUTREACH_ESCALATE_AFTER_HOURS", 12))


def public_base_url() -> str:
    return getattr(settings, "SANGATHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


# ---------------------------------------------------------------- tokens


def delivery_token(delivery_id: int) -> str:
    """A signed, timestamped token naming one delivery: the recipient's link needs no login."""
    return signing.dumps(delivery_id, salt=TOKEN_SALT, compress=False)


def delivery_from_token(token: str) -> tuple[int | None, str]:
    """(delivery id, "") for a good token; (None, "expired") or (None, "bad") otherwise."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "bad"
    if not isinstance(value, int) or isinstance(value, bool):
        return None, "bad"
    return value, ""


def delivery_link(delivery_id: int) -> str:
    return public_base_url() + reverse("outreach_public:open", args=[delivery_token(delivery_id)])


# ---------------------------------------------------------------- four-eyes


def four_eyes_required(unit: Unit) -> bool:
    """The nearest approval rule at or above ``unit`` decides; no rule means no second approval."""
    rule = (
        ApprovalRule.objects.filter(unit__path__in=unit.ancestor_paths())
        .order_by("-unit__depth")
        .values_list("four_eyes", flat=True)
        .first()
    )
    return bool(rule)


@transaction.atomic
def approval_rule_set(*, unit: Unit, four_eyes: bool, by) -> ApprovalRule:
    if not can(by, APPROVE_MESSAGES, unit):
        raise OutreachError(_("You may not change the approval rule of this unit."), code="not_allowed")
    rule, _created = ApprovalRule.objects.update_or_create(
        unit=unit, defaults={"four_eyes": bool(four_eyes), "updated_by": by}
    )
    return rule


# ---------------------------------------------------------------- drafting


def _clean_fields(fields: dict, *, unit: Unit, target_level: Level) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown message fields: {sorted(unknown)}")
    clean = {name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()}
    if target_level.order <= unit.level.order:
        raise OutreachError(_("Choose a level below the unit the message goes to."), code="target_level")
    if "title" in clean and not clean["title"]:
        raise OutreachError(_("Give the message a title."), code="title")
    if "text_x" in clean and clean["text_x"]:
        media.check_x_text(clean["text_x"])
    if "hashtags" in clean:
        clean["hashtags"] = media.normalise_hashtags(clean["hashtags"])
    if "media_url" in clean:
        clean["media_url"] = media.check_media_url(clean["media_url"])
    if clean.get("priority", Message.Priority.NORMAL) not in Message.Priority.values:
        raise OutreachError(_("Choose normal or urgent."), code="priority")
    hours = clean.get("ack_within_hours")
    if hours is not None and not (1 <= int(hours) <= 24 * 14):
        raise OutreachError(_("The time to acknowledge must be between 1 hour and 14 days."), code="ack_hours")
    expires = clean.get("expires_at")
    if expires is not None and expires <= timezone.now():
        raise OutreachError(_("The expiry must be in the future."), code="expires")
    return clean


def _check_body(message: Message) -> None:
    if not (message.body_hi.strip() or message.body_en.strip()):
        raise OutreachError(_("Write the message in Hindi or English."), code="body")


@transaction.atomic
def message_create(*, unit: Unit, target_level: Level, by, image=None, **fields) -> Message:
    """A draft message to ``unit``'s subtree down to ``target_level``."""
    if not can(by, SEND_MESSAGES, unit):
        raise OutreachError(_("You may not send messages to this unit."), code="not_allowed")
    clean = _clean_fields(fields, unit=unit, target_level=target_level)
    message = Message(unit=unit, target_level=target_level, created_by=by, **clean)
    _check_body(message)
    if image is not None:
        message.image.save("message", media.prepare_image(image), save=False)
    message.save()
    return message


@transaction.atomic
def message_update(
    *,
    message: Message,
    by,
    unit: Unit | None = None,
    target_level: Level | None = None,
    image=None,
    remove_image: bool = False,
    **fields,
) -> Message:
    """Edit a message that has not gone out; an approved or submitted message goes back to draft."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.is_sent:
        raise OutreachError(_("This message has been sent and can no longer be changed."), code="sent")
    unit = unit or message.unit
    target_level = target_level or message.target_level
    if not can(by, SEND_MESSAGES, unit):
        raise OutreachError(_("You may not send messages to this unit."), code="not_allowed")
    clean = _clean_fields(fields, unit=unit, target_level=target_level)
    for name, value in clean.items():
        setattr(message, name, value)
    message.unit, message.target_level = unit, target_level
    _check_body(message)
    if remove_image:
        message.image = ""
    if image is not None:
        message.image.save("message", media.prepare_image(image), save=False)
    message.status, message.approved_by, message.approved_at = Status.DRAFT, None, None
    message.save()
    return message


@transaction.atomic
def message_submit(*, message: Message, by) -> Message:
    """Ask for the second pair of eyes."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != Status.DRAFT:
        raise OutreachError(_("Only a draft can be submitted for approval."), code="not_draft")
    if not can(by, SEND_MESSAGES, message.unit):
        raise OutreachError(_("You may not send messages to this unit."), code="not_allowed")
    message.status = Status.AWAITING_APPROVAL
    message.save(update_fields=["status", "updated_at"])
    return message


@transaction.atomic
def message_approve(*, message: Message, by) -> Message:
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != Status.AWAITING_APPROVAL:
        raise OutreachError(_("This message is not waiting for approval."), code="not_awaiting")
    if message.created_by_id == by.pk:
        raise OutreachError(_("Somebody other than the author must approve the message."), code="own_message")
    if not can(by, APPROVE_MESSAGES, message.unit):
        raise OutreachError(_("You may not approve messages of this unit."), code="not_allowed")
    message.status, message.approved_by, message.approved_at = Status.APPROVED, by, timezone.now()
    message.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return message


@transaction.atomic
def message_return(*, message: Message, by) -> Message:
    """The approver sends the message back to draft."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status not in (Status.AWAITING_APPROVAL, Status.APPROVED):
        raise OutreachError(_("This message is not waiting for approval."), code="not_awaiting")
    if not can(by, APPROVE_MESSAGES, message.unit):
        raise OutreachError(_("You may not approve messages of this unit."), code="not_allowed")
    message.status, message.approved_by, message.approved_at = Status.DRAFT, None, None
    message.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return message


# ---------------------------------------------------------------- sending


def target_level_ids(message: Message) -> list[int]:
    return list(
        Level.objects.filter(order__gt=message.unit.level.order, order__lte=message.target_level.order).values_list(
            "pk", flat=True
        )
    )


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
    from sangathan.outreach.tasks import send_chunk

    for chunk_id in chunk_ids:
        try:
            send_chunk.delay(chunk_id)
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


def _range(path: str) -> tuple[str, str]:
    return path, path_upper_bound(path) or "~"


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
    its roll-up rows. Call inside the transaction that claims the chunk."""
    if not level_ids:
        return 0
    low, high = _range(root_path)
    stamp = connection.ops.adapt_datetimefield_value(at)
    levels = ", ".join(str(int(pk)) for pk in level_ids)
    delivery, unit = Delivery._meta.db_table, Unit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {delivery} (message_id, unit_id, path, depth, level_id, created_at, share_url, share_note,"  # noqa: S608
            f" cannot_reason, reminders) SELECT %s, u.id, u.path, u.depth, u.level_id, %s, '', '', '', 0 FROM {unit} u"
            f" WHERE u.path >= %s AND u.path < %s AND u.level_id IN ({levels})"
            " ON CONFLICT (unit_id, message_id) DO NOTHING",
            [message_id, stamp, low, high],
        )
        written = cursor.rowcount
        cursor.execute(
            _ROLLUP_SQL.format(rollup=Rollup._meta.db_table, delivery=delivery, step=Unit.steplen),
            {
                "message": message_id,
                "low": low,
                "high": high,
                "top": len(root_path) // Unit.steplen,
            },
        )
    return written


# The chunk's roll-up rows in one statement, reading its deliveries once. A row (message, ancestor path, level)
# counts the deliveries of that level in the ancestor's subtree, the ancestor included; rows exist for the
# chunk's root and every unit below it that is not at the chunk's deepest depth. Each delivery is first
# counted under its parent ("below": a few thousand groups for tens of thousands of booths), and each such
# group then adds to the parent and the parent's ancestors up to the chunk's root; a delivery above the
# deepest depth adds 1 to its own row ("self"). Plain SQL that PostgreSQL and SQLite both run.
_ROLLUP_SQL = """
WITH RECURSIVE chunk AS (
    SELECT path, depth, level_id FROM {delivery}
    WHERE message_id = %(message)s AND path >= %(low)s AND path < %(high)s
),
deepest AS (SELECT MAX(depth) AS depth FROM chunk),
part (path, level_id, n, from_depth) AS (
    SELECT SUBSTR(path, 1, (depth - 1) * {step}), level_id, COUNT(*), %(top)s FROM chunk
    WHERE depth > %(top)s GROUP BY SUBSTR(path, 1, (depth - 1) * {step}), level_id
    UNION ALL
    SELECT path, level_id, 1, depth FROM chunk WHERE depth < (SELECT depth FROM deepest)
),
depths (depth) AS (
    SELECT %(top)s UNION ALL SELECT depth + 1 FROM depths WHERE depth + 1 < (SELECT depth FROM deepest)
)
INSERT INTO {rollup} (message_id, path, level_id, total, opened, acknowledged, shared, cannot)
SELECT %(message)s, SUBSTR(part.path, 1, depths.depth * {step}), part.level_id, SUM(part.n), 0, 0, 0, 0
FROM part JOIN depths ON depths.depth >= part.from_depth AND depths.depth * {step} <= LENGTH(part.path)
GROUP BY SUBSTR(part.path, 1, depths.depth * {step}), part.level_id
ON CONFLICT (message_id, path, level_id) DO NOTHING
"""


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
        low, high = _range(chunk.root.path)
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


def key_office_bearers(unit_ids, *, low: str, high: str):
    """(unit id, unit name, person) of the active appointments in the key post of each unit."""
    wanted = set(unit_ids)
    rows = (
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE, position__is_key=True, unit__path__gte=low, unit__path__lt=high
        )
        .select_related("person", "unit")
        .only("unit_id", "unit__name_hi", "unit__name_en", "unit__number", "person")
        .order_by("unit_id", "seat")
    )
    return [(a.unit_id, a.unit.display_name, a.person) for a in rows if a.unit_id in wanted]


def message_context(message: Message) -> dict:
    return {
        "title": message.title,
        "urgent": message.priority == Message.Priority.URGENT,
        "call_to_action": message.call_to_action,
    }


NOTIFY_BATCH = 500  # messages per call of messages_queue_bulk: bounded IN lists and memory


def notify_bulk(*, template: str, context: dict, items: list[tuple[str, object, dict]], language: str = "hi") -> int:
    """Put many messages in the outbox at once: (idempotency key prefix, person, per-person values) each,
    on every default channel the person can be reached on, through
    ``notifications.services.messages_queue_bulk`` in batches (one INSERT per batch; keys already in the
    outbox are skipped, so a re-run queues nothing twice; deliveries are queued after the commit). Returns
    how many rows were new."""
    channels = list(dict.fromkeys(settings.NOTIFY_DEFAULT_CHANNELS))
    messages = (
        {
            "channel": channel,
            "recipient": recipient,
            "person": person,
            "template": template,
            "context": {**context, **values},
            "language": language,
            "idempotency_key": f"{key}:{channel}"[:200],
        }
        for key, person, values in items
        for channel in channels
        if (recipient := person_address(person, channel))
    )
    new = 0
    while batch := list(itertools.islice(messages, NOTIFY_BATCH)):
        try:
            new += messages_queue_bulk(batch)
        except NotificationError:
            # One unusable address refuses the whole batch (before anything is written): queue the rest one
            # by one, so a bad mobile number does not hold back the notifications of a whole chunk.
            for item in batch:
                try:
                    new += messages_queue_bulk([item])
                except NotificationError as exc:
                    logger.warning("Outreach notification to %s not queued: %s", item["idempotency_key"], exc)
    return new


def outreach_sweep(*, stale_after: datetime.timedelta = datetime.timedelta(minutes=10)) -> int:
    """Queue again the chunks of sends that stopped (a worker or the broker died), and fold the answers of
    messages nobody has looked at lately into their roll-ups; returns how many chunks were queued."""
    stale = SendChunk.objects.filter(
        message__status=Status.SENDING, updated_at__lt=timezone.now() - stale_after
    ).exclude(status=SendChunk.Status.DONE)
    ids = list(stale.values_list("pk", flat=True))
    _queue_chunks(ids)
    rollups_fold(message_ids=RollupDelta.objects.values_list("message_id", flat=True).distinct())
    return len(ids)


# ---------------------------------------------------------------- the recipient's answers


class Action:
    OPEN = "open"
    RECEIVED = "received"
    SHARED = "shared"
    CANNOT = "cannot"


def delivery_respond(
    *, delivery_id: int, action: str, share_url: str = "", note: str = "", reason: str = ""
) -> Delivery:
    """Record what a unit did with a message: opened the link, received (acknowledged), shared (with the
    post's URL or a note), or cannot share (with a reason). Repeats change nothing; the roll-up counters
    move in the same transaction as the delivery, only on a real change."""
    share_url, note, reason = (share_url or "").strip(), (note or "").strip(), (reason or "").strip()
    if action not in (Action.OPEN, Action.RECEIVED, Action.SHARED, Action.CANNOT):
        raise OutreachError(_("Choose what you did with the message."), code="action")
    if action == Action.SHARED:
        if not share_url and not note:
            raise OutreachError(_("Give the link of your post or a short note where you shared it."), code="proof")
        if share_url:
            try:
                URLValidator(schemes=["http", "https"])(share_url)
            except ValidationError:
                raise OutreachError(_("The link must start with https:// or http://."), code="share_url") from None
        if len(share_url) > 500 or len(note) > 300:
            raise OutreachError(_("The link or note is too long."), code="too_long")
    if action == Action.CANNOT:
        if not reason:
            raise OutreachError(_("Say why you cannot share the message."), code="reason")
        if len(reason) > 300:
            raise OutreachError(_("The reason can be at most 300 characters long."), code="too_long")
    now = timezone.now()
    if action in (Action.OPEN, Action.RECEIVED):
        return _open_or_acknowledge(delivery_id=delivery_id, acknowledge=action == Action.RECEIVED, now=now)
    # Read without a lock and write with conditional UPDATEs: the write transaction stays short (SQLite
    # serialises writers), and each counter moves only if its own UPDATE changed the row.
    delivery = Delivery.objects.select_related("message").filter(pk=delivery_id).first()
    if delivery is None:
        raise OutreachError(_("This link is not valid."), code="not_found")
    message = delivery.message
    if action != Action.OPEN and message.expires_at and message.expires_at <= now:
        raise OutreachError(_("This message has expired."), code="expired")
    if action == Action.CANNOT and delivery.shared_at is not None:
        raise OutreachError(_("You have already marked this message shared."), code="already_shared")
    elapsed = max(int((now - message.sent_at).total_seconds()), 0)
    steps: list[tuple[dict, dict, dict]] = []  # (condition, fields, counters when it changed a row)
    if delivery.opened_at is None:
        steps.append(({"opened_at__isnull": True}, {"opened_at": now}, {"opened": 1}))
    if action != Action.OPEN and delivery.acknowledged_at is None:
        steps.append(
            ({"acknowledged_at__isnull": True}, {"acknowledged_at": now, "ack_seconds": elapsed}, {"acknowledged": 1})
        )
    if action == Action.SHARED:
        if delivery.cannot_at is not None:
            steps.append(({"cannot_at__isnull": False}, {"cannot_at": None, "cannot_reason": ""}, {"cannot": -1}))
        if delivery.shared_at is None:
            steps.append(
                (
                    {"shared_at__isnull": True},
                    {"shared_at": now, "share_seconds": elapsed, "share_url": share_url, "share_note": note},
                    {"shared": 1},
                )
            )
        else:
            steps.append(({}, {"share_url": share_url, "share_note": note}, {}))
    elif action == Action.CANNOT:
        if delivery.cannot_at is None:
            steps.append(
                (
                    {"cannot_at__isnull": True, "shared_at__isnull": True},
                    {"cannot_at": now, "cannot_reason": reason},
                    {"cannot": 1},
                )
            )
        else:
            steps.append(({"shared_at__isnull": True}, {"cannot_reason": reason}, {}))
    if not steps:
        return delivery
    counters: dict[str, int] = {}
    with transaction.atomic():
        for condition, fields, moves in steps:
            if Delivery.objects.filter(pk=delivery.pk, **condition).update(**fields):
                for name, value in fields.items():
                    setattr(delivery, name, value)
                for name, value in moves.items():
                    counters[name] = counters.get(name, 0) + value
        if any(counters.values()) and not deltas_by_trigger():
            RollupDelta.objects.create(
                message_id=message.pk, path=delivery.path, level_id=delivery.level_id, **counters
            )
    return delivery


def deltas_by_trigger() -> bool:
    """On SQLite a trigger appends the ``RollupDelta`` of every change of a delivery's stamps (migration
    0002), so an answer is one statement in autocommit; on PostgreSQL the services append it themselves."""
    return connection.vendor == "sqlite"


def _seconds_since_sent_sql(placeholder: str) -> str:
    """SQL for whole seconds from the delivery's ``created_at`` (= the message's ``sent_at``) to the time in
    ``placeholder``, never negative."""
    if connection.vendor == "postgresql":
        return f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({placeholder} - created_at)))::integer)"
    return f"MAX(0, CAST((julianday({placeholder}) - julianday(created_at)) * 86400 AS INTEGER))"


DELIVERY_STATE = ("opened_at", "acknowledged_at", "shared_at", "cannot_at", "share_url", "share_note", "cannot_reason")


def _open_or_acknowledge(*, delivery_id: int, acknowledge: bool, now: datetime.datetime) -> Delivery:
    """The hot path of the recipient's page: "opened" (GET) and "received" (POST), without reading first.

    One UPDATE … RETURNING sets ``opened_at`` (and ``acknowledged_at``/``ack_seconds``) where they are still
    empty, refuses an expired message in its WHERE clause, and returns the delivery's state and whether each
    stamp is new (it equals this call's ``now``); only if one is, one ``RollupDelta`` row is appended in the
    same statement (a data-modifying CTE on PostgreSQL, the trigger on SQLite): no explicit transaction.
    A repeat changes nothing and counts nothing. No roll-up row is written here: concurrent answers from one
    state would all wait for its row."""
    delivery, message, deltas = Delivery._meta.db_table, Message._meta.db_table, RollupDelta._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    if acknowledge:
        sets = (
            f"opened_at = COALESCE(opened_at, %s), acknowledged_at = COALESCE(acknowledged_at, %s),"
            f" ack_seconds = CASE WHEN acknowledged_at IS NULL THEN {_seconds_since_sent_sql('%s')} ELSE ack_seconds END"
        )
        params = [stamp, stamp, stamp]
        where = (
            f" AND NOT EXISTS (SELECT 1 FROM {message} m WHERE m.id = {delivery}.message_id"
            " AND m.expires_at IS NOT NULL AND m.expires_at <= %s)"
        )
        where_params = [stamp]
    else:
        sets, params, where, where_params = "opened_at = COALESCE(opened_at, %s)", [stamp], "", []
    returning = ", ".join(DELIVERY_STATE)
    update = (
        f"UPDATE {delivery} SET {sets} WHERE id = %s{where} RETURNING message_id, unit_id, path, level_id,"  # noqa: S608
        f" opened_at IS NOT DISTINCT FROM %s AS opened_new, acknowledged_at IS NOT DISTINCT FROM %s AS ack_new,"
        f" {returning}"
    )
    update_params = [*params, delivery_id, *where_params, stamp, stamp]
    if connection.vendor == "postgresql":
        # One statement, so one round trip and no BEGIN/COMMIT: the delta row is made from the delivery
        # UPDATE's RETURNING row, and PostgreSQL runs both atomically.
        update = (
            f"WITH d AS ({update}), j AS (INSERT INTO {deltas} (message_id, path, level_id, opened, acknowledged,"  # noqa: S608
            " shared, cannot) SELECT message_id, path, level_id, opened_new::integer, (ack_new AND %s)::integer, 0, 0"
            " FROM d WHERE opened_new OR (ack_new AND %s)) SELECT * FROM d"
        )
        update_params += [acknowledge, acknowledge]
    elif connection.vendor == "sqlite":
        update = update.replace("IS NOT DISTINCT FROM", "IS")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            row = _execute_prepared(cursor, update, update_params)
        else:
            cursor.execute(update, update_params)
            row = cursor.fetchone()
        if row is None:
            if Delivery.objects.filter(pk=delivery_id).exists():
                raise OutreachError(_("This message has expired."), code="expired")
            raise OutreachError(_("This link is not valid."), code="not_found")
        message_id, unit_id, path, level_id = row[:4]
    result = Delivery(pk=delivery_id, message_id=message_id, unit_id=unit_id, path=path, level_id=level_id)
    for name, value in zip(DELIVERY_STATE, row[6:], strict=True):
        setattr(result, name, _aware(value) if name.endswith("_at") else value)
    return result


def _execute_prepared(cursor, sql: str, params: list):
    """Run ``sql`` as a server-side prepared statement on the connection of Django's ``cursor`` and return its
    first row. Django's psycopg cursors bind parameters on the client, so PostgreSQL would plan the
    statement anew on every answer; prepared once per connection (``DB_CONN_MAX_AGE`` keeps it), its plan
    is reused. While queries are being logged (DEBUG, query-count tests) it runs as an ordinary query."""
    if cursor.db.queries_logged:
        cursor.execute(sql, params)
        return cursor.fetchone()
    import psycopg

    def run(sql, params, many, context):
        cursor.db.validate_no_broken_transaction()
        with cursor.db.wrap_database_errors, psycopg.Cursor(cursor.db.connection) as server_side:
            server_side.execute(sql, params, prepare=True)
            return server_side.fetchone()

    return cursor._execute_with_wrappers(sql, params, many=False, executor=run)


def _aware(value):
    """A datetime read back by a raw cursor as the ORM would give it: SQLite's (stored in UTC) come back
    as text or naive datetimes."""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


ROLLUP_COUNTERS = ("opened", "acknowledged", "shared", "cannot")


def rollups_fold(*, message_ids: Iterable[int]) -> int:
    """Add the pending answers (``RollupDelta``) of these messages to their roll-up rows and delete them, in
    one transaction: DELETE … RETURNING claims each delta exactly once even when two folds run at once, and
    one UPDATE … FROM (VALUES …) per 500 (message, path, level) keys moves the counters of every ancestor
    path. Called before every read of the roll-ups; returns how many deltas it folded."""
    ids = [int(pk) for pk in message_ids]
    if not ids:
        return 0
    deltas, rollup = RollupDelta._meta.db_table, Rollup._meta.db_table
    step = Unit.steplen
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {deltas} WHERE message_id IN ({', '.join(['%s'] * len(ids))})"  # noqa: S608
            f" RETURNING message_id, path, level_id, {', '.join(ROLLUP_COUNTERS)}",
            ids,
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        sums: dict[tuple, list[int]] = {}
        for message_id, path, level_id, *counts in rows:
            for end in range(step, len(path) + 1, step):
                total = sums.setdefault((message_id, path[:end], level_id), [0] * len(ROLLUP_COUNTERS))
                for index, value in enumerate(counts):
                    total[index] += value
        items = [(*key, *counts) for key, counts in sums.items() if any(counts)]
        sets = ", ".join(f"{name} = {rollup}.{name} + v.column{4 + i}" for i, name in enumerate(ROLLUP_COUNTERS))
        for start in range(0, len(items), 500):
            batch = items[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"UPDATE {rollup} SET {sets} FROM (VALUES {values}) AS v"  # noqa: S608
                f" WHERE {rollup}.message_id = v.column1 AND {rollup}.path = v.column2"
                f" AND {rollup}.level_id = v.column3",
                [value for item in batch for value in item],
            )
    return len(rows)


# ---------------------------------------------------------------- reminders and escalation


def reminders_send(*, now: datetime.datetime | None = None, batch: int = 1000) -> tuple[int, int]:
    """Remind units that have not acknowledged ``OUTREACH_REMIND_AFTER_HOURS`` after sending (at most once a
    day per unit and message), and tell the parent unit's in-charge about units that let an urgent message
    sit ``OUTREACH_ESCALATE_AFTER_HOURS`` (once). Returns (reminders, escalations) queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    live = Message.objects.filter(status__in=[Status.SENDING, Status.SENT]).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    reminded = escalated = 0
    for message in live.filter(sent_at__lte=now - remind_after()).select_related("unit"):
        silent = Delivery.objects.filter(message=message, acknowledged_at__isnull=True, cannot_at__isnull=True)
        due = silent.filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        while True:
            with transaction.atomic():
                rows = list(due.order_by("pk").values_list("pk", "unit_id", "path")[:batch])
                if not rows:
                    break
                Delivery.objects.filter(pk__in=[r[0] for r in rows]).filter(
                    Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
                ).update(reminded_on=today, reminders=F("reminders") + 1)
                reminded += _notify_units(
                    message=message,
                    rows=rows,
                    template="outreach_reminder",
                    key=f"outreach-remind:{message.pk}:{{unit}}:{today.isoformat()}",
                )
        if message.priority != Message.Priority.URGENT or message.sent_at > now - escalate_after():
            continue
        late = silent.filter(escalated_at__isnull=True)
        while True:
            with transaction.atomic():
                rows = list(late.order_by("pk").values_list("pk", "unit_id", "path")[:batch])
                if not rows:
                    break
                Delivery.objects.filter(pk__in=[r[0] for r in rows], escalated_at__isnull=True).update(escalated_at=now)
                escalated += _escalate(message=message, rows=rows)
    return reminded, escalated


def _notify_units(*, message: Message, rows, template: str, key: str) -> int:
    by_unit = {unit_id: pk for pk, unit_id, _path in rows}
    people = key_office_bearers_of(by_unit.keys())
    items = [
        (key.format(unit=unit_id) + f":{person.pk}", person, {"link": delivery_link(by_unit[unit_id]), "unit": name})
        for unit_id, name, person in people
    ]
    return notify_bulk(template=template, context=message_context(message), items=items)


def key_office_bearers_of(unit_ids):
    rows = (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, position__is_key=True, unit_id__in=list(unit_ids))
        .select_related("person", "unit")
        .order_by("unit_id", "seat")
    )
    return [(a.unit_id, a.unit.display_name, a.person) for a in rows]


def _escalate(*, message: Message, rows) -> int:
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=[r[1] for r in rows]).only(
            "pk", "parent_id", "name_hi", "name_en", "number"
        )
    }
    in_charge = {unit_id: person for unit_id, _name, person in key_office_bearers_of(units)}
    parents = {}
    for unit_id, name, person in key_office_bearers_of({u.parent_id for u in units.values() if u.parent_id}):
        parents.setdefault(unit_id, (name, person))
    items = []
    for _pk, unit_id, _path in rows:
        unit = units[unit_id]
        if unit.parent_id not in parents:
            continue
        _parent_name, parent_person = parents[unit.parent_id]
        silent_person = in_charge.get(unit_id)
        items.append(
            (
                f"outreach-escalate:{message.pk}:{unit_id}:{parent_person.pk}",
                parent_person,
                {
                    "unit": unit.display_name,
                    "in_charge": f"{silent_person.name} {silent_person.mobile}" if silent_person else "—",
                },
            )
        )
    return notify_bulk(template="outreach_escalation", context=message_context(message), items=items)


# ---------------------------------------------------------------- reads used by services and pages


def deliveries_in(message: Message, path: str):
    low, high = _range(path)
    return Delivery.objects.filter(message=message, path__gte=low, path__lt=high)


def max_depth(message: Message) -> int | None:
    return Delivery.objects.filter(message=message).aggregate(d=Max("depth"))["d"]
