"""Terms of office: the daily run's reminders before a term ends and the relief when it has ended.

An appointment's term (``Appointment.term_ends_on``, its last day) is set when it is made, from the post's
``term_months`` or else the level's (``services.default_term_end``). Every day (``core.daily``, registered
in ``OrgConfig.ready``):

* ``terms_remind``: an appointment whose term ends within one of ``ORG_TERM_REMINDER_DAYS`` (30 and 7 by
  default) is reminded once for the nearest of them: a ``TermReminder`` row is written (unique per
  appointment and number of days) and the hooks told (``logins`` queues the messages to the person and to
  the parent unit's admins through the outbox, with idempotency keys). A run twice on one day, or two runs
  at once, remind once; an appointment made five days before its end gets the 7-day reminder only.
* ``terms_end``: an appointment whose last day is past is relieved on that day (``services.
  appointment_term_end``), so the hooks take the role away and end the sessions (``logins``).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from sangathan.org import hooks, services
from sangathan.org.models import Appointment, Level, TermReminder, Unit
from sangathan.org.paths import subtree_q

DEFAULT_REMINDER_DAYS = (30, 7)


def reminder_days() -> list[int]:
    """The days before a term's end that reminders go out, largest first."""
    days = getattr(settings, "ORG_TERM_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    return sorted({int(day) for day in days if int(day) > 0}, reverse=True)


def _due_threshold(days_left: int, thresholds: list[int]) -> int | None:
    """The nearest reminder a term ``days_left`` from its end is due for (7 for 5 days left, 30 for 20)."""
    due = [day for day in thresholds if days_left <= day]
    return min(due) if due else None


def terms_remind(*, today: datetime.date) -> int:
    """Send each due reminder once; returns how many were sent."""
    thresholds = reminder_days()
    if not thresholds:
        return 0
    ending = (
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE,
            term_ends_on__gte=today,
            term_ends_on__lte=today + datetime.timedelta(days=thresholds[0]),
        )
        .select_related("person", "unit", "unit__parent", "position")
        .order_by("term_ends_on", "pk")
    )
    sent = 0
    for appointment in ending.iterator(chunk_size=500):
        if appointment.term_ends_on is None:  # not after the filter above; for the type checker
            continue
        days = _due_threshold((appointment.term_ends_on - today).days, thresholds)
        if days is not None and _remind(appointment=appointment, days_before=days):
            sent += 1
    return sent


@transaction.atomic
def _remind(*, appointment: Appointment, days_before: int) -> bool:
    """One reminder, recorded and sent in one transaction: not again if this or a nearer one was sent."""
    if TermReminder.objects.filter(appointment=appointment, days_before__lte=days_before).exists():
        return False
    try:
        with transaction.atomic():
            TermReminder.objects.create(appointment=appointment, days_before=days_before)
    except IntegrityError:  # a concurrent run recorded it first
        return False
    hooks.term_ending(appointment=appointment, days_before=days_before)
    return True


def terms_end(*, today: datetime.date) -> int:
    """Relieve every active appointment whose term ended before ``today``; returns how many."""
    due = Appointment.objects.filter(status=Appointment.Status.ACTIVE, term_ends_on__lt=today).select_related("unit")
    return sum(services.appointment_term_end(appointment=appointment, today=today) for appointment in due.iterator())


def terms_daily(*, today: datetime.date) -> dict:
    """The daily job: the terms that ended are relieved first, then the reminders go out."""
    return {"relieved": terms_end(today=today), "reminded": terms_remind(today=today)}


# ---------------------------------------------------------------- the list of terms ending


@dataclass
class LevelTerms:
    level: Level
    appointments: list[Appointment]


def terms_ending(appointments, *, unit: Unit, until, level: Level | None = None, limit: int = 500) -> list[LevelTerms]:
    """The active appointments in ``unit``'s subtree whose term ends by ``until``, soonest first, by level
    (the top level first); at most ``limit`` in all. ``appointments`` is already restricted to the user."""
    rows = (
        appointments.filter(
            subtree_q([unit.path], "unit__path"),
            status=Appointment.Status.ACTIVE,
            term_ends_on__isnull=False,
            term_ends_on__lte=until,
        )
        .select_related("person", "position", "unit", "unit__level")
        .order_by("term_ends_on", "unit__path", "pk")
    )
    if level is not None:
        rows = rows.filter(unit__level=level)
    by_level: dict[int, LevelTerms] = {}
    for appointment in rows[:limit]:
        unit_level = appointment.unit.level
        by_level.setdefault(unit_level.pk, LevelTerms(unit_level, [])).appointments.append(appointment)
    return sorted(by_level.values(), key=lambda group: group.level.order)
