"""Reminders and escalation: units that have not acknowledged are reminded (at most once a day per unit and
message); units that let an urgent message sit are reported to their parent unit's in-charge (once)."""

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sangathan.org.models import Person, Unit
from sangathan.outreach.models import Delivery, Message
from sangathan.outreach.selectors import key_office_bearers_of
from sangathan.outreach.services.notify import message_context, notify_bulk
from sangathan.outreach.services.settings import escalate_after, remind_after
from sangathan.outreach.services.tokens import delivery_link

Status = Message.Status


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
        assert message.sent_at is not None  # filtered on it above
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


def _escalate(*, message: Message, rows) -> int:
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=[r[1] for r in rows]).only(
            "pk", "parent_id", "name_hi", "name_en", "number"
        )
    }
    in_charge = {unit_id: person for unit_id, _name, person in key_office_bearers_of(units)}
    parents: dict[int, tuple[str, Person]] = {}
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
