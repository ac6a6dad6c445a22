"""The recipient's answers: opened the link, received (acknowledged), shared (with proof), or cannot share
(with a reason). Repeats change nothing; each counter moves once, through a ``RollupDelta``."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.outreach import sql
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Delivery, RollupDelta
from sangathan.outreach.sql import DELIVERY_STATE, deltas_by_trigger


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
    assert message.sent_at is not None  # a delivery exists only once its message is sent
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


def _open_or_acknowledge(*, delivery_id: int, acknowledge: bool, now: datetime.datetime) -> Delivery:
    """The hot path of the recipient's page: "opened" (GET) and "received" (POST), without reading first.

    One UPDATE … RETURNING (``sql.delivery_open``) sets ``opened_at`` (and ``acknowledged_at``/``ack_seconds``)
    where they are still empty, refuses an expired message in its WHERE clause, and returns the delivery's
    state and whether each stamp is new; only if one is, one ``RollupDelta`` row is appended in the same
    statement: no explicit transaction. A repeat changes nothing and counts nothing. No roll-up row is
    written here: concurrent answers from one state would all wait for its row."""
    row = sql.delivery_open(delivery_id=delivery_id, acknowledge=acknowledge, now=now)
    if row is None:
        if Delivery.objects.filter(pk=delivery_id).exists():
            raise OutreachError(_("This message has expired."), code="expired")
        raise OutreachError(_("This link is not valid."), code="not_found")
    message_id, unit_id, path, level_id = row[:4]
    result = Delivery(pk=delivery_id, message_id=message_id, unit_id=unit_id, path=path, level_id=level_id)
    for name, value in zip(DELIVERY_STATE, row[6:], strict=True):
        setattr(result, name, value)
    return result
