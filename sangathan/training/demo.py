"""Demo training for `sangathan demo`: the default programme, a camp held three days ago (roll call,
completions), a camp running now in another block (some checked in by QR with their personal codes,
walk-ins allowed, one walk-in request waiting for the trainer) and a bulk plan with one camp in every
block of a second district next week. The output names an invitee's mobile number and personal code,
so the check-in page can be tried at once."""

import datetime

from django.db import transaction
from django.utils import timezone

from sangathan.org.models import Level, Unit
from sangathan.training import services
from sangathan.training.models import Camp, Module, Programme
from sangathan.training.template import load_default_programme


def _districts(state: Unit) -> list[Unit]:
    return list(Unit.objects.subtree(state).filter(level__code="district").order_by("path")[:2])


def _blocks(unit: Unit) -> list[Unit]:
    return list(Unit.objects.subtree(unit).filter(level__code="block").order_by("path"))


@transaction.atomic
def demo_training(*, state: Unit, stdout=None) -> Camp | None:
    """Returns today's camp (its check-in page is /t/<token>/), or None if the state already has camps."""
    programme = load_default_programme(Programme, Module)
    if Camp.objects.filter(host_unit__in=Unit.objects.subtree(state)).exists():
        return None
    districts = _districts(state)
    blocks = _blocks(districts[0]) if districts else []
    if len(blocks) < 2:
        return None
    now = timezone.localtime()

    # Three days ago at the first block: the trainer took the roll call; most came and completed.
    day = now.date() - datetime.timedelta(days=3)
    held = services.camp_create(
        programme=programme,
        host_unit=blocks[0],
        venue=f"ब्लॉक कार्यालय, {blocks[0].name_hi}",
        starts_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=now.tzinfo),
        ends_at=datetime.datetime.combine(day, datetime.time(16), tzinfo=now.tzinfo),
    )
    services.invitations_generate(camp=held)
    invitees = list(held.invitations.select_related("person").order_by("id"))
    for index, invitation in enumerate(invitees):
        if index % 4 != 3:  # one in four did not come
            services.attendance_mark(
                camp=held, person=invitation.person, present=True, at=held.starts_at + datetime.timedelta(minutes=20)
            )

    # Running now at the second block: open for check-in, walk-ins allowed, a few checked in by QR.
    today = services.camp_create(
        programme=programme,
        host_unit=blocks[1],
        venue=f"पंचायत समिति सभागार, {blocks[1].name_hi}",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        capacity=60,
        allow_walk_ins=True,
    )
    services.invitations_generate(camp=today)
    invitations = list(today.invitations.select_related("person").order_by("id"))
    for invitation in invitations[:3]:
        services.attendance_check_in(camp=today, mobile=invitation.person.mobile, code=invitation.check_in_code)
    services.walk_in_request_create(camp=today, mobile="9829099001", name="सुनील कुमार")
    try_it = invitations[3] if len(invitations) > 3 else None

    # Next week: one camp in every block of the second district, in one action.
    planned = 0
    if len(districts) > 1:
        next_monday = now.date() + datetime.timedelta(days=7 - now.weekday())
        result = services.camps_bulk_create(
            programme=programme,
            parent=districts[1],
            level=Level.objects.get(code="block"),
            week_start=next_monday,
            start_time=datetime.time(10),
            duration_minutes=300,
            venue="ब्लॉक कार्यालय",
        )
        planned = len(result.created)
    if stdout is not None:
        stdout.write(
            f"Training: a camp held 3 days ago at {blocks[0].name_en}, one running now at {blocks[1].name_en} "
            f"(check-in page /t/{today.check_in_token}/), {planned} camps planned next week; see /training/."
        )
        if try_it is not None:
            stdout.write(
                f"  Try the check-in page as an invitee: mobile {try_it.person.mobile[-10:]}, "
                f"personal code {try_it.check_in_code} (the trainer's roll call shows every code)."
            )
    return today
