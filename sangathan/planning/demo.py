"""The demo state's plan for ``sangathan demo``: the template copied to the state, dates shifted so that
today falls in early May of the schedule (state and district deadlines passed, booths still due), some
appointees trained and some booths with their WhatsApp group and broadcast list, and two weeks of daily
snapshots so the progress chart has a history. The completions are bulk-inserted (no service, no counter kept),
so the state's trained-post counters (``training.counters``) are rebuilt at the end."""

import datetime

from django.db import transaction
from django.utils import timezone

from sangathan.channels.models import Channel
from sangathan.org.coverage import lock_chain
from sangathan.org.models import Appointment, Unit
from sangathan.planning import progress, services
from sangathan.planning.models import Plan
from sangathan.planning.snapshots import snapshot_write
from sangathan.training import counters as training_counters
from sangathan.training.models import Completion, Programme

DAYS = 14


def demo_plan(*, state: Unit, stdout=None) -> Plan | None:
    """Copy the template to ``state`` and make a fortnight of history. Does nothing if it has a plan."""
    if Plan.objects.filter(scope=state).exists():
        return None
    today = timezone.localdate()
    with transaction.atomic():
        plan = services.plan_create(scope=state, year=today.year)
        # Shift the schedule so that today is 5 May of it.
        offset = today - datetime.date(today.year, 5, 5)
        for milestone in plan.milestones.all():
            milestone.due_date = milestone.due_date + offset
            milestone.save(update_fields=["due_date"])
    programme = Programme.objects.filter(code="digital-wing-basics").first()
    appointees = list(
        Appointment.objects.filter(unit__path__startswith=state.path, status="active")
        .exclude(unit__level__code="booth")
        .order_by("id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    booths = list(Unit.objects.subtree(state).filter(level__code="booth").order_by("path").values_list("id", flat=True))
    for day in range(DAYS):
        date = today - datetime.timedelta(days=DAYS - 1 - day)
        with transaction.atomic():
            if programme is not None:
                share = appointees[: len(appointees) * (day + 1) // (DAYS + 6)]
                done = set(Completion.objects.filter(programme=programme).values_list("person_id", flat=True))
                Completion.objects.bulk_create(
                    [Completion(person_id=pid, programme=programme) for pid in share if pid not in done],
                    ignore_conflicts=True,
                )
            start, end = len(booths) * day // (DAYS * 4), len(booths) * (day + 1) // (DAYS * 4)
            for booth_id in booths[start:end]:
                for platform in ("whatsapp_group", "whatsapp_broadcast"):
                    link = f"https://chat.whatsapp.com/Demo{booth_id:06d}" if platform == "whatsapp_group" else ""
                    Channel.objects.get_or_create(
                        unit_id=booth_id,
                        platform=platform,
                        name="बूथ व्हाट्सऐप समूह" if platform == "whatsapp_group" else "बूथ प्रसारण सूची",
                        defaults={"link": link, "created_on": date},
                    )
        progress.refresh(state, today=date)
        snapshot_write(today=date, units=Unit.objects.subtree(state))
    with transaction.atomic():  # the completions above went in without the services: recount the state's
        lock_chain(state)
        training_counters.rebuild(state)
    if stdout is not None:
        stdout.write(f"Plan for {state.name_en}: {plan.milestones.count()} deadlines, {DAYS} days of progress.")
    return plan
