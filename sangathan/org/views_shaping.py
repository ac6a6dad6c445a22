"""The structure page: the levels and posts that apply at a unit (its state's, from the unit down), and on a
state's own page the forms its admins use to add a post or a level (``org.shaping``). Thin: fetch in scope,
check, call the service (which refuses anything but a state)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.access.permissions import MANAGE_UNITS
from sangathan.access.scope import can, require
from sangathan.core.forms import service_kwargs
from sangathan.org import shaping
from sangathan.org.access import get_unit_for_user
from sangathan.org.errors import OrgError
from sangathan.org.forms import StateLevelForm, StatePositionForm
from sangathan.org.models import Level


@login_required
@require_http_methods(["GET", "POST"])
def structure(request, pk):
    unit = get_unit_for_user(request.user, pk)
    state = shaping.state_of(unit)
    levels = shaping.levels_for_state(state).filter(order__gte=unit.level.order) if state else Level.objects.none()
    posting = request.POST if request.method == "POST" and request.POST.get("add") == "post" else None
    leveling = request.POST if request.method == "POST" and request.POST.get("add") == "level" else None
    post_form = StatePositionForm(posting, levels=levels, prefix="post")
    level_form = StateLevelForm(leveling, levels=levels, prefix="level")
    if request.method == "POST":
        require(request.user, MANAGE_UNITS, unit)
        form = post_form if posting is not None else level_form if leveling is not None else None
        if form is not None and form.is_valid():
            try:
                if form is post_form:
                    data = form.cleaned_data
                    added = shaping.state_position_add(
                        state=unit,
                        **service_kwargs(data, "level", "title_hi", "title_en", "seats", "is_key"),
                        by=request.user,
                    )
                    messages.success(request, _("Post added: %(post)s.") % {"post": added.title})
                else:
                    data = form.cleaned_data
                    added_level = shaping.state_level_add(
                        state=unit, **service_kwargs(data, "after", "name_hi", "name_en"), by=request.user
                    )
                    messages.success(request, _("Level added: %(level)s.") % {"level": added_level.name})
            except OrgError as error:
                form.add_error(None, error)
            else:
                return redirect("org:structure", pk=unit.pk)
    context = {
        "unit": unit,
        "state": state,
        "structure": shaping.structure_for_unit(unit, state),
        "post_form": post_form,
        "level_form": level_form,
        "forms_posted": [form for form in (post_form, level_form) if form.is_bound],  # errors where no form shows
        "can_shape": shaping.is_state(unit) and can(request.user, MANAGE_UNITS, unit),
    }
    return render(request, "org/structure.html", context, status=400 if request.method == "POST" else 200)
