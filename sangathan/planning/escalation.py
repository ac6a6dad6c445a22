"""The daily escalation: one digest per person per day to the in-charges of late units and of their parents.

Set-based: one query finds every (recipient, unit) pair — the unit's key post holder and the key
post holder of its parent unit, for every unit in ``UnitProgress`` that has missed a deadline or has
one within ``PLAN_ESCALATION_DAYS`` it does not meet yet — grouped per person in SQL; a second
query picks each person's three most urgent units (``ROW_NUMBER() OVER (PARTITION BY person)``) to
name in the message. Messages go through the notification outbox with the key
``plan-digest:<date>:<person>``, so a second run on the same day queues nothing new.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import notify_person
from sangathan.org.models import Person, Unit
from sangathan.planning import kinds, sql
from sangathan.planning.models import Kind, Milestone, UnitKindMet, UnitProgress

CHUNK = 500
EXAMPLES = 3
TEMPLATE = "plan_digest"


@dataclass
class EscalationResult:
    recipients: int = 0
    queued: int = 0
    skipped: int = 0  # already sent today
    units: int = 0


def escalation_days() -> int:
    return int(getattr(settings, "PLAN_ESCALATION_DAYS", 7))


def digest_key(today: datetime.date, person_id: int) -> str:
    return f"plan-digest:{today.isoformat()}:{person_id}"


def escalate(*, today: datetime.date | None = None, days: int | None = None, progress=None) -> EscalationResult:
    """Queue today's digests. Reads ``UnitProgress`` as the last refresh left it (the daily run refreshes
    first). Safe to run twice a day: people already sent today's digest are skipped."""
    today = today or timezone.localdate()
    days = escalation_days() if days is None else days
    horizon = today + datetime.timedelta(days=days)
    result = EscalationResult()
    groups = sql.escalation_groups(horizon=horizon)
    result.recipients = len(groups)
    result.units = sum(g[1] + g[2] + g[3] + g[4] for g in groups)
    prefix = f"plan-digest:{today.isoformat()}:"
    already = {
        int(key[len(prefix) :].split(":")[0])
        for key in OutboxMessage.objects.filter(idempotency_key__startswith=prefix).values_list(
            "idempotency_key", flat=True
        )
    }
    todo = [g for g in groups if g[0] not in already]
    result.skipped = len(groups) - len(todo)
    examples = _examples(horizon) if todo else {}
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        result.queued += _queue_chunk(chunk, examples, today=today, days=days)
        if progress:
            progress(min(start + CHUNK, len(todo)), len(todo))
    return result


def _examples(horizon: datetime.date) -> dict[int, list[tuple]]:
    """Each person's most urgent units (own units first, then the latest, then the soonest due), for every
    recipient in one windowed query."""
    result: dict[int, list[tuple]] = defaultdict(list)
    for person_id, own, unit_id in sql.escalation_examples(horizon=horizon, per_person=EXAMPLES):
        result[person_id].append((bool(own), unit_id))
    return result


def _queue_chunk(chunk: list[tuple], examples: dict[int, list[tuple]], *, today: datetime.date, days: int) -> int:
    person_ids = [g[0] for g in chunk]
    unit_ids = {unit_id for pid in person_ids for _own, unit_id in examples.get(pid, [])}
    units = Unit.objects.select_related("level").in_bulk(unit_ids)
    status = {
        row.unit_id: row
        for row in UnitProgress.objects.filter(unit_id__in=unit_ids).only(
            "unit_id", "plan_id", "level_id", "trained", "channels", "late_since", "next_due"
        )
    }
    milestones: dict[tuple[int, int], list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(plan_id__in={s.plan_id for s in status.values()}).order_by("due_date"):
        milestones[(milestone.plan_id, milestone.level_id)].append(milestone)
    kinds_met: dict[int, set[str]] = defaultdict(set)
    if any(not kinds.is_builtin(m.kind) for rows in milestones.values() for m in rows):
        for unit_id, kind in UnitKindMet.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "kind"):
            kinds_met[unit_id].add(kind)
    people = Person.objects.in_bulk(person_ids)
    horizon = today + datetime.timedelta(days=days)
    queued = 0
    with transaction.atomic():
        for person_id, own_late, own_soon, below_late, below_soon, _late_since, _next_due in chunk:
            person = people.get(person_id)
            if person is None:
                continue
            lines = []
            for own, unit_id in examples.get(person_id, []):
                unit, row = units[unit_id], status.get(unit_id)
                if row is None:
                    continue
                met = {Kind.APPOINTED: unit.key_post_filled, Kind.TRAINED: row.trained, Kind.CHANNELS: row.channels}
                met.update(dict.fromkeys(kinds_met[unit_id], True))
                items = [
                    {
                        "kind": kinds.label(m.kind),
                        "due": m.due_date,
                        "late": m.due_date < today,
                        "days": abs((today - m.due_date).days),
                    }
                    for m in milestones[(row.plan_id, unit.level_id)]
                    if not met.get(m.kind, False) and m.due_date <= horizon
                ]
                lines.append({"unit": unit.display_name, "level": unit.level.name, "own": own, "items": items})
            context = {
                "name": person.name,
                "today": today,
                "own_late": own_late,
                "own_soon": own_soon,
                "below_late": below_late,
                "below_soon": below_soon,
                "days": days,
                "lines": lines,
            }
            messages = notify_person(
                person=person, template=TEMPLATE, context=context, idempotency_key=digest_key(today, person_id)
            )
            queued += len(messages)
    return queued
