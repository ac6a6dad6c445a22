"""Representation and wings: the women's and youth share of each level beside its coverage, office-bearers
per wing; putting an appointment in a wing; a person's gender and age band (with consent). Thin: fetch in
scope, check the action, call ``org.representation``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.access.permissions import APPOINT
from sangathan.access.scope import require
from sangathan.org import representation, selectors
from sangathan.org.access import get_appointment_for_user, get_person_for_user, get_unit_for_user
from sangathan.org.errors import OrgError
from sangathan.org.forms import ProfileForm, WingForm
from sangathan.org.models import Person


@login_required
def representation_page(request, pk):
    unit = get_unit_for_user(request.user, pk)
    coverage = {row.level.pk: row for row in selectors.coverage_for_unit(unit, with_positions=False)}
    shares = [(share, coverage.get(share.level.pk)) for share in representation.shares_for_unit(unit)]
    context = {"unit": unit, "shares": shares, "wings": representation.wings_for_unit(unit)}
    return render(request, "org/representation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_wing(request, pk):
    appointment = get_appointment_for_user(request.user, pk)
    require(request.user, APPOINT, appointment.unit)
    form = WingForm(request.POST or None, initial={"wing": appointment.wing_id})
    if request.method == "POST" and form.is_valid():
        try:
            representation.appointment_wing_set(
                appointment=appointment, wing=form.cleaned_data["wing"], by=request.user
            )
        except OrgError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Wing saved."))
            return redirect("org:unit", pk=appointment.unit_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "org/appointment_wing.html", {"appointment": appointment, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_profile(request, pk):
    person = get_person_for_user(request.user, pk)
    # Changed only by someone responsible for the person's home unit (Person's scope rule for changes).
    if not Person.objects.restrict(request.user, APPOINT).filter(pk=person.pk).exists():
        raise PermissionDenied
    initial = {"gender": person.gender, "age_band": person.age_band, "consent": person.profile_consent_at is not None}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            representation.person_profile_set(person=person, **form.cleaned_data, by=request.user)
        except OrgError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:person", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "org/person_profile.html", {"person": person, "form": form}, status=status)
