"""The terms ending in a unit's subtree, by level: who, which post, where, the last day. Scoped: the unit
and every appointment listed are in the user's view (404 outside it)."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sangathan.org.access import get_unit_for_user
from sangathan.org.models import Appointment, Level
from sangathan.org.terms import terms_ending

WITHIN_CHOICES = ((30, gettext_lazy("30 days")), (90, gettext_lazy("90 days")), (365, gettext_lazy("one year")))


class TermsFilter(forms.Form):
    within = forms.TypedChoiceField(
        label=gettext_lazy("Ending within"), choices=WITHIN_CHOICES, coerce=int, initial=90, required=False
    )
    level = forms.ModelChoiceField(
        label=gettext_lazy("Level"),
        queryset=Level.objects.all(),
        required=False,
        empty_label=gettext_lazy("All levels"),
    )


@login_required
@require_GET
def terms(request, pk):
    unit = get_unit_for_user(request.user, pk)
    levels = Level.objects.filter(order__gt=unit.level.order)
    form = TermsFilter(request.GET or None)
    form.fields["level"].queryset = levels
    within, level = 90, None
    if form.is_valid():
        within = form.cleaned_data["within"] or 90
        level = form.cleaned_data["level"]
    today = timezone.localdate()
    groups = terms_ending(
        Appointment.objects.restrict(request.user, "view"),
        unit=unit,
        until=today + datetime.timedelta(days=within),
        level=level,
    )
    context = {"unit": unit, "form": form, "groups": groups, "today": today, "within": within}
    return render(request, "org/terms.html", context)
