"""``get_<x>_for_user``: fetch one object the user may see, or 404. Views never use bare ``.get(pk=)``.
And ``start_page``, where a section's pages begin: at the user's own units."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from sangathan.access.scope import top_units
from sangathan.org.models import Appointment, Person, Unit


def get_unit_for_user(user, pk) -> Unit:
    return get_object_or_404(Unit.objects.restrict(user, "view").select_related("level", "parent"), pk=pk)


def get_person_for_user(user, pk) -> Person:
    return get_object_or_404(Person.objects.restrict(user, "view").select_related("home_unit"), pk=pk)


def get_appointment_for_user(user, pk) -> Appointment:
    return get_object_or_404(
        Appointment.objects.restrict(user, "view").select_related("unit", "unit__level", "person", "position", "wing"),
        pk=pk,
    )


def start_page(request, *, unit_route: str, template: str, units: list[Unit] | None = None) -> HttpResponse:
    """A section's start page: straight to ``unit_route`` for the user's one unit when they hold roles at one
    only, else ``template`` listing their top units (``units``, if the view has them already)."""
    units = top_units(request.user) if units is None else units
    if len(units) == 1:
        return redirect(unit_route, pk=units[0].pk)
    return render(request, template, {"units": units})
