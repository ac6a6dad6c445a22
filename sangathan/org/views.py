"""Pages of the organisation tree. Thin: fetch in scope, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.access.permissions import APPOINT, DISSOLVE, IMPORT_UNITS, VIEW_PERSONAL
from sangathan.access.scope import can, require, top_units
from sangathan.core.forms import service_kwargs
from sangathan.org import selectors, services, shaping
from sangathan.org.access import get_appointment_for_user, get_person_for_user, get_unit_for_user, start_page
from sangathan.org.errors import OrgError
from sangathan.org.forms import AppointForm, DissolveForm, ReasonForm, ReconstituteRowForm
from sangathan.org.lookups import UNUSABLE_CODE, limited_response, lookups_over_limit
from sangathan.org.models import Appointment, Person, Unit
from sangathan.org.paths import subtree_q

CHILDREN_PER_PAGE = 50


@login_required
def home(request):
    units = top_units(request.user)
    if not units and request.user.panels.exists():
        return redirect("recruitment:panel")  # an interviewer from outside the tree
    return start_page(request, unit_route="org:unit", template="org/home.html", units=units)


@login_required
def unit_detail(request, pk):
    unit = get_unit_for_user(request.user, pk)
    children = Unit.objects.filter(parent=unit).select_related("level").order_by("number", "name_en", "name_hi", "id")
    page = Paginator(children, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    child_list = list(page.object_list)
    child_coverage = selectors.coverage_by_unit(child_list)
    committee = selectors.committee_for_unit(unit)
    context = {
        "unit": unit,
        "ancestors": [a for a in selectors.unit_ancestors(unit) if can(request.user, "view", a)],
        "coverage": selectors.coverage_for_unit(unit),
        "committee": committee,
        "seats_total": sum(post.position.seats for post in committee),
        "seats_filled": sum(len(post.holders) for post in committee),
        "children": [(child, child_coverage.get(child.id, [])) for child in child_list],
        "page": page,
        "history": selectors.committee_history(unit, limit=20),
        "events": unit.committee_events.select_related("by")[:10],
        "can_appoint": can(request.user, APPOINT, unit),
        "can_dissolve": can(request.user, DISSOLVE, unit),
        "can_import": can(request.user, IMPORT_UNITS, unit),
    }
    if request.htmx and request.GET.get("page"):
        return render(request, "org/partials/children.html", context)
    return render(request, "org/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appoint(request, pk):
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    initial = {}
    if request.GET.get("position", "").isdecimal():
        initial["position"] = request.GET["position"]
    form = AppointForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if lookups_over_limit(request, obj=unit, purpose="appoint"):
            return limited_response(request, back_url=reverse("org:unit", args=[unit.pk]), back=unit.display_name)
        try:
            existing = services.appointment_lookup(unit=unit, mobile=data["mobile"], by=request.user)
        except OrgError as error:  # one neutral answer for a number outside the scope (audited)
            form.add_error("mobile", error)
        else:
            return _appoint_step(request, unit, form, existing)
    return render(request, "org/appoint.html", {"unit": unit, "form": form})


def _appoint_step(request, unit, form, existing):
    """After the look-up: ask for a new person's name, show the confirmation, or appoint."""
    data = form.cleaned_data
    if existing is None and not (data["name_hi"] or data["name_en"]):
        form.add_error("name_hi", _("Give the new person's name in Hindi or in English."))
    elif "confirm" not in request.POST:
        context = {
            "unit": unit,
            "form": form,
            "data": data,
            "existing": existing,
            "existing_visible": (
                existing is not None and Person.objects.restrict(request.user).filter(pk=existing.pk).exists()
            ),
        }
        return render(request, "org/appoint_confirm.html", context)
    else:
        try:
            appointment = services.appointment_create_for_mobile(
                unit=unit,
                **service_kwargs(
                    data, "position", "mobile", "name_hi", "name_en", "start_date", "letter_number", "wing"
                ),
                by=request.user,
            )
        except OrgError as error:
            form.add_error("mobile" if error.code == UNUSABLE_CODE else None, error)
        else:
            messages.success(
                request,
                _("%(person)s appointed as %(position)s.")
                % {"person": appointment.person.name, "position": appointment.position.title},
            )
            return redirect("org:unit", pk=unit.pk)
    return render(request, "org/appoint.html", {"unit": unit, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def relieve(request, pk):
    appointment = get_appointment_for_user(request.user, pk)
    require(request.user, APPOINT, appointment.unit)
    form = ReasonForm(request.POST or None)
    if appointment.status != Appointment.Status.ACTIVE:
        messages.info(request, _("This appointment has already ended."))
        return redirect("org:unit", pk=appointment.unit_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_relieve(appointment=appointment, reason=form.cleaned_data["reason"], by=request.user)
        except OrgError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(person)s relieved.") % {"person": appointment.person.name})
            return redirect("org:unit", pk=appointment.unit_id)
    return render(request, "org/relieve.html", {"appointment": appointment, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request, pk):
    unit = get_unit_for_user(request.user, pk)
    require(request.user, DISSOLVE, unit)
    form = DissolveForm(request.POST or None)
    active = Appointment.objects.filter(unit=unit, status="active").count()
    active_below = (
        Appointment.objects.filter(subtree_q([unit.path], "unit__path"), status="active").exclude(unit=unit).count()
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.committee_dissolve(
                unit=unit,
                reason=form.cleaned_data["reason"],
                include_subtree=form.cleaned_data["include_subtree"],
                by=request.user,
            )
        except OrgError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Committee dissolved: %(count)d office-bearers relieved.") % {"count": event.appointments_ended},
            )
            return redirect("org:unit", pk=unit.pk)
    return render(
        request, "org/dissolve.html", {"unit": unit, "form": form, "active": active, "active_below": active_below}
    )


@login_required
@require_http_methods(["GET", "POST"])
def reconstitute(request, pk):
    """Dissolve and appoint a new committee as one action: one row per seat."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, DISSOLVE, unit)
    require(request.user, APPOINT, unit)
    positions = list(shaping.positions_for_unit(unit))
    seats = [(position, n) for position in positions for n in range(1, position.seats + 1)]
    rows = [
        (position, ReconstituteRowForm(request.POST or None, prefix=f"s{position.pk}_{n}")) for position, n in seats
    ]
    reason_form = ReasonForm(request.POST or None)
    if request.method == "POST" and reason_form.is_valid() and all(form.is_valid() for _p, form in rows):
        entries = [
            (position, form.cleaned_data["mobile"], form.cleaned_data["name_hi"], form.cleaned_data["name_en"])
            for position, form in rows
            if form.cleaned_data.get("mobile")
        ]
        if lookups_over_limit(request, obj=unit, purpose="reconstitute", count=len(entries)):
            return limited_response(request, back_url=reverse("org:unit", args=[unit.pk]), back=unit.display_name)
        try:
            event = services.committee_reconstitute_for_mobiles(
                unit=unit, entries=entries, reason=reason_form.cleaned_data["reason"], by=request.user
            )
        except OrgError as error:
            reason_form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Committee reconstituted with %(count)d office-bearers.") % {"count": event.appointments_made},
            )
            return redirect("org:unit", pk=unit.pk)
    return render(request, "org/reconstitute.html", {"unit": unit, "rows": rows, "reason_form": reason_form})


@login_required
def person_detail(request, pk):
    person = get_person_for_user(request.user, pk)
    appointments = (
        Appointment.objects.restrict(request.user)
        .filter(person=person)
        .select_related("unit", "unit__level", "position")
    )
    home_visible = person.home_unit is not None and can(request.user, "view", person.home_unit)
    return render(
        request,
        "org/person_detail.html",
        {"person": person, "appointments": appointments, "home_visible": home_visible},
    )


@login_required
def search(request):
    query = selectors.clean_query(request.GET.get("q", ""))
    units = list(selectors.unit_search(Unit.objects.restrict(request.user), query))
    people = selectors.person_search(
        Person.objects.restrict(request.user), query, by_mobile=Person.objects.restrict(request.user, VIEW_PERSONAL)
    )
    # A unit's parent is named only where the user may see it (not above their own top unit).
    results = [
        (unit, unit.parent if unit.parent and can(request.user, "view", unit.parent) else None) for unit in units
    ]
    context = {"search_query": query, "units": results, "people": people}
    return render(request, "org/search.html", context)
