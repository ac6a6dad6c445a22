"""Writing a message: a draft to a unit's subtree down to a level, and its edits until it goes out."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.org.models import Level, Unit
from sangathan.outreach import media
from sangathan.outreach.choices import EDITABLE_FIELDS
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Message

Status = Message.Status


def _clean_fields(fields: dict, *, unit: Unit, target_level: Level) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown message fields: {sorted(unknown)}")
    clean: dict[str, Any] = {
        name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()
    }
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
