"""Four eyes: whether a unit's messages need a second person's approval, and the approval steps (submit,
approve, return to draft)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import APPROVE_MESSAGES, SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.org.models import Unit
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import ApprovalRule, Message

Status = Message.Status


def _locked(message: Message, statuses: tuple[str, ...], refusal: str, code: str) -> Message:
    """The message read again with its row locked (till the end of the transaction), if its status is one of
    ``statuses``; else the refusal."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status not in statuses:
        raise OutreachError(refusal, code=code)
    return message


def _require(by, action: str, unit: Unit, refusal: str) -> None:
    if not can(by, action, unit):
        raise OutreachError(refusal, code="not_allowed")


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
    _require(by, APPROVE_MESSAGES, unit, _("You may not change the approval rule of this unit."))
    rule, _created = ApprovalRule.objects.update_or_create(
        unit=unit, defaults={"four_eyes": bool(four_eyes), "updated_by": by}
    )
    return rule


@transaction.atomic
def message_submit(*, message: Message, by) -> Message:
    """Ask for the second pair of eyes."""
    message = _locked(message, (Status.DRAFT,), _("Only a draft can be submitted for approval."), "not_draft")
    _require(by, SEND_MESSAGES, message.unit, _("You may not send messages to this unit."))
    message.status = Status.AWAITING_APPROVAL
    message.save(update_fields=["status", "updated_at"])
    return message


@transaction.atomic
def message_approve(*, message: Message, by) -> Message:
    message = _locked(
        message, (Status.AWAITING_APPROVAL,), _("This message is not waiting for approval."), "not_awaiting"
    )
    if message.created_by_id == by.pk:
        raise OutreachError(_("Somebody other than the author must approve the message."), code="own_message")
    _require(by, APPROVE_MESSAGES, message.unit, _("You may not approve messages of this unit."))
    message.status, message.approved_by, message.approved_at = Status.APPROVED, by, timezone.now()
    message.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return message


@transaction.atomic
def message_return(*, message: Message, by) -> Message:
    """The approver sends the message back to draft."""
    message = _locked(
        message,
        (Status.AWAITING_APPROVAL, Status.APPROVED),
        _("This message is not waiting for approval."),
        "not_awaiting",
    )
    _require(by, APPROVE_MESSAGES, message.unit, _("You may not approve messages of this unit."))
    message.status, message.approved_by, message.approved_at = Status.DRAFT, None, None
    message.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return message
