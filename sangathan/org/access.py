"""``get_<x>_for_user``: fetch one object the user may see, or 404. Views never use bare ``.get(pk=)``."""

from django.shortcuts import get_object_or_404

from sangathan.org.models import Appointment, Person, Unit


def get_unit_for_user(user, pk) -> Unit:
    return get_object_or_404(Unit.objects.restrict(user, "view").select_related("level", "parent"), pk=pk)


def get_person_for_user(user, pk) -> Person:
    return get_object_or_404(Person.objects.restrict(user, "view").select_related("home_unit"), pk=pk)


def get_appointment_for_user(user, pk) -> Appointment:
    return get_object_or_404(
        Appointment.objects.restrict(user, "view").select_related("unit", "unit__level", "person", "position"), pk=pk
    )
