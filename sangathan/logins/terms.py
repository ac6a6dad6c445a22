"""The reminders before a term ends (``org.terms``, through ``org.hooks.term_ending``): to the office-bearer
and to the admins of the parent unit (those with an admin role there who have a login), through the outbox.
The idempotency keys name the appointment and the number of days, so a reminder is queued once."""

from django.conf import settings
from django.urls import reverse

from sangathan.access.models import Role
from sangathan.core.models import Organisation
from sangathan.logins.models import Login
from sangathan.notifications.services import notify_person
from sangathan.org.models import Appointment

ADMIN_ROLES = (Role.UNIT_ADMIN, Role.STATE_ADMIN, Role.NATIONAL_ADMIN)


def _public(path: str) -> str:
    return getattr(settings, "SANGATHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path


def term_ending_notify(*, appointment: Appointment, days_before: int) -> None:
    """``org.hooks``: queue the reminders of one appointment's term ending ``days_before`` days from now."""
    organisation = Organisation.objects.first()
    context = {
        "name": appointment.person.name,
        "position": appointment.position.title,
        "unit": appointment.unit.display_name,
        "ends_on": appointment.term_ends_on,
        "days": days_before,
        "organisation": organisation.name if organisation else "",
    }
    notify_person(
        person=appointment.person,
        template="term_ending",
        context=context,
        idempotency_key=f"term-ending:{appointment.pk}:{days_before}",
    )
    parent = appointment.unit.parent
    if parent is None:
        return
    admins = (
        Login.objects.filter(
            user__role_assignments__unit=parent,
            user__role_assignments__role__in=ADMIN_ROLES,
            suspended_at__isnull=True,
        )
        .exclude(person_id=appointment.person_id)
        .select_related("person")
        .distinct()
    )
    link = _public(reverse("org:terms", args=[parent.pk]))
    for admin in admins:
        notify_person(
            person=admin.person,
            template="term_ending_admin",
            context={**context, "admin_name": admin.person.name, "link": link},
            idempotency_key=f"term-ending-admin:{appointment.pk}:{days_before}:{admin.pk}",
        )
