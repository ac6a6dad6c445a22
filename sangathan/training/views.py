"""Staff pages of training (/training/): camps in scope, a new camp, the bulk plan, a camp's page with
its QR code and roster, the trainer's roll call (htmx, works at 360 px) and certificates.

Thin: fetch in scope (``selectors.get_camp_for_user`` 404s outside the view scope), check the action
(``require``: 403 inside the scope without ``MANAGE_TRAINING``), write through ``services``, render.
"""

import csv
import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.access.permissions import MANAGE_TRAINING, VIEW
from sangathan.access.personal import may_see_personal_at
from sangathan.access.scope import can, can_anywhere, require, top_units
from sangathan.core.exports import neutralise
from sangathan.core.forms import service_kwargs
from sangathan.org.lookups import limited_response, lookups_over_limit
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Person, Unit
from sangathan.org.paths import subtree_q
from sangathan.org.selectors import unit_ancestors
from sangathan.recruitment.qr import qr_png, qr_svg_data_uri
from sangathan.training import certificates, poster, selectors, services
from sangathan.training.forms import BulkPlanForm, CampEditForm, CampForm, InviteForm, WalkInForm, trainer_mobiles
from sangathan.training.models import Attendance, Camp, Completion, Invitation, Programme, WalkInRequest

PAGE_SIZE = 100
# What a camp's form and the service share under the same names (and what may change once it is planned).
CAMP_FIELDS = ("venue", "starts_at", "ends_at", "capacity", "trainers")


def check_in_url(request, camp: Camp) -> str:
    return request.build_absolute_uri(reverse("training_public:check_in", args=[camp.check_in_token]))


def _date_param(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


@login_required
def camp_list(request):
    """Camps hosted in the user's scope: today and ahead first, or the past ones (``?when=past``)."""
    now = timezone.now()
    today_starts = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    past = request.GET.get("when") == "past"
    week = _date_param(request.GET.get("week"))
    camps = selectors.camps_for_user(request.user).select_related("programme", "host_unit__level")
    area = None
    if (request.GET.get("unit") or "").isdecimal():
        area = get_object_or_404(Unit.objects.restrict(request.user, VIEW), pk=request.GET["unit"])
        camps = camps.filter(subtree_q([area.path], "host_unit__path"))
    if week is not None:
        zone = timezone.get_current_timezone()
        begins = datetime.datetime.combine(week, datetime.time.min, tzinfo=zone)
        camps = camps.filter(starts_at__gte=begins, starts_at__lt=begins + datetime.timedelta(days=7))
        camps = camps.order_by("starts_at", "id")
    elif past:
        camps = camps.filter(ends_at__lt=today_starts).order_by("-starts_at", "-id")
    else:
        camps = camps.filter(ends_at__gte=today_starts).order_by("starts_at", "id")
    camps = list(camps[:PAGE_SIZE])
    counts = selectors.camp_counts(camps)
    rows = [(camp, *counts[camp.pk]) for camp in camps]
    return render(
        request,
        "training/camp_list.html",
        {
            "rows": rows,
            "past": past,
            "week": week,
            "area": area,
            "now": now,
            "today": timezone.localdate(),
            "can_manage": can_anywhere(request.user, MANAGE_TRAINING),
            "page_size": PAGE_SIZE,
        },
    )


def _planning_form(request, form_class, initial: dict):
    """The form of the two planning pages (for whoever may plan training somewhere, else 404), and the page
    to answer with when the trainers' numbers typed are over the look-up limit (else None)."""
    if not can_anywhere(request.user, MANAGE_TRAINING):
        raise Http404
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if _trainer_numbers_over_limit(request):
        return form, limited_response(request, back_url=reverse("training:camps"), back=_("Training"))
    return form, None


@login_required
@require_http_methods(["GET", "POST"])
def camp_create(request):
    initial = {"programme": selectors.default_programme(), "day": timezone.localdate() + datetime.timedelta(days=7)}
    initial.update({"start": datetime.time(10), "end": datetime.time(16), "invite_appointees": True})
    form, limited = _planning_form(request, CampForm, initial)
    if limited:
        return limited
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(request.user, MANAGE_TRAINING, data["host_unit"])
        try:
            camp = services.camp_create(
                **service_kwargs(data, "programme", "host_unit", "modules", *CAMP_FIELDS, "allow_walk_ins"),
                by=request.user,
            )
            invited = services.invitations_generate(camp=camp, by=request.user) if data["invite_appointees"] else 0
        except services.TrainingError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The camp is scheduled; %(count)d people were invited.") % {"count": invited})
            return redirect("training:camp", pk=camp.pk)
    return render(request, "training/camp_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def camp_plan(request):
    """Bulk planning: one camp in every block (or other level) of an area, in a given week."""
    today = timezone.localdate()
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    form, limited = _planning_form(
        request, BulkPlanForm, {"programme": selectors.default_programme(), "week_start": next_monday}
    )
    if limited:
        return limited
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(request.user, MANAGE_TRAINING, data["parent"])
        try:
            result = services.camps_bulk_create(
                **service_kwargs(data, "programme", "parent", "level", "week_start", "days", "venue", "capacity"),
                **service_kwargs(data, "allow_walk_ins", "trainers", "invite_appointees"),
                start_time=data["start"],
                duration_minutes=int(data["hours"] * 60),
                by=request.user,
            )
        except services.TrainingError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(created)d camps scheduled, %(invited)d people invited.")
                % {"created": len(result.created), "invited": result.invited},
            )
            if result.skipped:
                messages.warning(
                    request,
                    _("%(count)d units already had a camp of this programme in that week and were left as they were.")
                    % {"count": len(result.skipped)},
                )
            return redirect(reverse("training:camps") + f"?week={data['week_start'].isoformat()}")
    return render(request, "training/camp_plan.html", {"form": form})


def _camp_context(request, camp: Camp) -> dict:
    url = check_in_url(request, camp)
    roster = selectors.camp_roster(camp)
    return {
        "camp": camp,
        "roster": roster,
        "invited": sum(1 for row in roster if row.invited),
        "present": sum(1 for row in roster if row.present),
        "check_in_url": url,
        "qr": qr_svg_data_uri(url),
        "can_manage": can(request.user, MANAGE_TRAINING, camp.host_unit),
        "modules": list(camp.modules.all()) or list(camp.programme.modules.all()),
        "trainers": list(camp.trainers.all()),
        "check_in_open": camp.check_in_open(),
        "invite_form": InviteForm(),
    }


@login_required
def camp_detail(request, pk):
    camp = selectors.get_camp_for_user(request.user, pk)
    return render(request, "training/camp_detail.html", _camp_context(request, camp))


@login_required
def camp_qr(request, pk):
    """The check-in QR code as a PNG to print or show on a projector."""
    camp = selectors.get_camp_for_user(request.user, pk)
    response = HttpResponse(qr_png(check_in_url(request, camp), scale=12), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="camp-{camp.pk}-qr.png"'
    return response


@login_required
def camp_poster(request, pk):
    """The A4 check-in poster to print and put up at the venue."""
    camp = selectors.get_camp_for_user(request.user, pk)
    language = request.GET.get("lang") or request.LANGUAGE_CODE
    pdf = poster.poster_pdf(camp, url=check_in_url(request, camp), language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="camp-{camp.pk}-check-in.pdf"'
    return response


@login_required
def camp_export(request, pk):
    """The camp's roster as CSV (opens in Excel with Hindi intact: UTF-8 with a BOM); formula-safe cells.
    Mobile numbers only for those who may manage the camp."""
    camp = selectors.get_camp_for_user(request.user, pk)
    with_mobile = can(request.user, MANAGE_TRAINING, camp.host_unit)
    full_mobile = may_see_personal_at(request.user, camp.host_unit)  # others get them masked
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    header = [_("Name (Hindi)"), _("Name (English)")]
    header += [_("Mobile number")] if with_mobile else []
    header += [_("Post"), _("Invited"), _("Present"), _("How"), _("Certificate")]
    writer.writerow(header)
    for row in selectors.camp_roster(camp):
        mobile = row.person.mobile if full_mobile else mask_mobile(row.person.mobile)
        cells = [row.person.name_hi, row.person.name_en] + ([mobile] if with_mobile else [])
        cells += [
            row.post,
            _("yes") if row.invited else _("no"),
            timezone.localtime(row.attendance.checked_in_at).strftime("%d/%m/%Y %H:%M") if row.present else "",
            row.attendance.get_method_display() if row.present else "",
            row.completion.certificate_number if row.completion else "",
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="camp-{camp.pk}-attendance.csv"'
    return response


def _managed_camp(request, pk) -> Camp:
    camp = selectors.get_camp_for_user(request.user, pk)
    require(request.user, MANAGE_TRAINING, camp.host_unit)
    return camp


@login_required
@require_POST
def camp_invite(request, pk):
    """Invite the untrained appointees (``generate``) or one person by mobile."""
    camp = _managed_camp(request, pk)
    try:
        if "mobile" in request.POST:
            form = InviteForm(request.POST)
            if not form.is_valid():
                raise services.TrainingError(_("Enter a mobile number."), code="mobile_missing")
            invitation = services.invitation_add(camp=camp, mobile=form.cleaned_data["mobile"], by=request.user)
            messages.success(request, _("%(person)s is invited.") % {"person": invitation.person.name})
        else:
            count = services.invitations_generate(camp=camp, by=request.user)
            messages.success(request, _("%(count)d people were invited.") % {"count": count})
    except services.TrainingError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("training:camp", pk=camp.pk)


@login_required
@require_http_methods(["GET", "POST"])
def camp_edit(request, pk):
    """Change the venue, time, capacity or trainers; the invitees are told of a new time or venue."""
    camp = _managed_camp(request, pk)
    form = CampEditForm(request.POST or None, initial=CampEditForm.initial_for(camp))
    if _trainer_numbers_over_limit(request, camp):
        return _lookups_limited(request, camp)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.camp_update(camp=camp, **service_kwargs(data, *CAMP_FIELDS), by=request.user)
        except services.TrainingError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The camp is changed."))
            return redirect("training:camp", pk=camp.pk)
    return render(request, "training/camp_edit.html", {"camp": camp, "form": form})


@login_required
@require_POST
def camp_remind(request, pk):
    camp = _managed_camp(request, pk)
    try:
        count = services.invitations_remind(camp=camp, by=request.user)
    except services.TrainingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A reminder was sent to %(count)d people.") % {"count": count})
    return redirect("training:camp", pk=camp.pk)


@login_required
@require_POST
def camp_walk_ins(request, pk):
    camp = _managed_camp(request, pk)
    allow = request.POST.get("allow") == "1"
    services.camp_set_walk_ins(camp=camp, allow=allow, by=request.user)
    messages.success(request, _("Walk-ins are now allowed.") if allow else _("Walk-ins are now refused."))
    if request.POST.get("next") == "roll":
        return redirect("training:roll_call", pk=camp.pk)
    return redirect("training:camp", pk=camp.pk)


@login_required
@require_POST
def camp_cancel(request, pk):
    camp = _managed_camp(request, pk)
    try:
        services.camp_cancel(camp=camp, by=request.user)
    except services.TrainingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The camp is cancelled and the invitees are told."))
    return redirect("training:camp", pk=camp.pk)


@login_required
def programmes(request):
    """The programmes and their modules with expected durations (edited as data in the admin)."""
    rows = list(Programme.objects.prefetch_related("modules").order_by("created_at", "id"))
    return render(
        request,
        "training/programmes.html",
        {"programmes": [(p, list(p.modules.all()), sum(m.expected_minutes for m in p.modules.all())) for p in rows]},
    )


# ---------------------------------------------------------------- coverage


@login_required
def coverage(request):
    """Trained / appointed per level below a unit, and per child unit (drill down). The camp list loads
    it with htmx after the page, so the list stays fast however big the subtree."""
    tops = top_units(request.user)
    pk = request.GET.get("unit", "")
    if pk:
        unit = get_object_or_404(
            Unit.objects.restrict(request.user, VIEW).select_related("level"), pk=pk if pk.isdecimal() else 0
        )
    elif tops:
        unit = tops[0]
    else:
        raise Http404
    programme = selectors.default_programme()
    levels = selectors.training_coverage(unit, programme=programme)
    by_child = selectors.training_by_child(unit, programme=programme)
    children = Unit.objects.filter(pk__in=list(by_child)).select_related("level").order_by("path")
    rows = [(child, *by_child[child.pk]) for child in children if by_child[child.pk][0]]
    context = {
        "unit": unit,
        "programme": programme,
        "levels": levels,
        "children": [(child, appointed, trained, 100 * trained // appointed) for child, appointed, trained in rows],
        "ancestors": [a for a in unit_ancestors(unit) if can(request.user, VIEW, a)],
    }
    template = "training/partials/coverage.html" if request.htmx else "training/coverage.html"
    return render(request, template, context)


# ---------------------------------------------------------------- roll call


@login_required
def roll_call(request, pk):
    """The trainer's phone screen: every invitee with a big tick box; ticks save at once (htmx)."""
    camp = _managed_camp(request, pk)
    roster = selectors.camp_roster(camp)
    walk_ins = selectors.pending_walk_ins(camp)
    full_mobile = may_see_personal_at(request.user, camp.host_unit)
    for row in walk_ins:
        row.mobile = row.request.mobile if full_mobile else mask_mobile(row.request.mobile)
    return render(
        request,
        "training/roll_call.html",
        {
            "camp": camp,
            "roster": roster,
            "present": sum(1 for row in roster if row.present),
            "started": timezone.now() >= camp.check_in_opens_at(),
            "walk_in_form": WalkInForm(),
            "walk_ins": walk_ins,
            "over": timezone.now() >= camp.ends_at,
        },
    )


@login_required
@require_POST
def roll_call_walk_in_decide(request, pk):
    """The trainer confirms (marks present) or rejects a walk-in request sent from the QR page."""
    camp = _managed_camp(request, pk)
    walk_in = WalkInRequest.objects.filter(camp=camp, pk=_int(request.POST.get("request"))).first()
    decision = request.POST.get("decision")
    if walk_in is None or decision not in ("confirm", "reject"):
        messages.error(request, _("This request was not found; it may have been answered already."))
        return redirect("training:roll_call", pk=camp.pk)
    if decision == "confirm" and lookups_over_limit(request, obj=camp, purpose="walk_in"):
        return _lookups_limited(request, camp)
    try:
        walk_in = services.walk_in_request_decide(walk_in=walk_in, confirm=decision == "confirm", by=request.user)
    except services.TrainingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if walk_in.status == WalkInRequest.Status.CONFIRMED:
            messages.success(request, _("%(person)s is marked present.") % {"person": walk_in.person.name})
        else:
            messages.success(request, _("The request of %(name)s was rejected.") % {"name": walk_in.name})
    return redirect("training:roll_call", pk=camp.pk)


@login_required
@require_POST
def roll_call_resend_code(request, pk, person_pk):
    """Send an invitee their personal check-in code again (and unlock it after wrong tries)."""
    camp = _managed_camp(request, pk)
    invitation = get_object_or_404(Invitation.objects.select_related("person"), camp=camp, person_id=person_pk)
    try:
        services.invitation_code_resend(invitation=invitation, by=request.user)
    except services.TrainingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The check-in code was sent again to %(person)s.") % {"person": invitation.person.name}
        )
    return redirect(reverse("training:roll_call", args=[camp.pk]) + "#codes")


def _trainer_numbers_over_limit(request, camp: Camp | None = None) -> bool:
    """Trainers are found by number across the whole organisation: each number typed counts as a look-up."""
    typed = len(trainer_mobiles(request.POST.get("trainers", ""))) if request.method == "POST" else 0
    return bool(typed) and lookups_over_limit(request, obj=camp, purpose="trainers", count=typed)


def _lookups_limited(request, camp: Camp):
    """429, kindly: too many look-ups by mobile number in a short time (``org.lookups``)."""
    return limited_response(
        request, back_url=reverse("training:roll_call", args=[camp.pk]), back=camp.host_unit.display_name
    )


def _int(value) -> int | None:
    """A primary key from a form field, or None (also for numbers no database column holds)."""
    try:
        number = int(str(value)[:20])
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@login_required
@require_POST
def roll_call_walk_in(request, pk):
    """The trainer adds someone who came without an invitation, and marks them present."""
    camp = _managed_camp(request, pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a mobile number."))
        return redirect("training:roll_call", pk=camp.pk)
    if lookups_over_limit(request, obj=camp, purpose="walk_in"):
        return _lookups_limited(request, camp)
    try:
        result = services.attendance_add_walk_in(
            camp=camp, mobile=form.cleaned_data["mobile"], name=form.cleaned_data["name"], by=request.user
        )
    except services.TrainingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s is marked present.") % {"person": result.attendance.person.name})
    return redirect("training:roll_call", pk=camp.pk)


@login_required
@require_POST
def roll_call_mark(request, pk, person_pk):
    camp = _managed_camp(request, pk)
    person = get_object_or_404(Person, pk=person_pk, training_invitations__camp=camp)
    present = request.POST.get("present") == "1"
    error = ""
    try:
        services.attendance_mark(camp=camp, person=person, present=present, by=request.user)
    except services.TrainingError as exc:
        error = " ".join(exc.messages)
    attendance = Attendance.objects.filter(camp=camp, person=person).first()
    completion = Completion.objects.filter(person=person, programme_id=camp.programme_id).first()
    post = selectors.current_posts([person.pk]).get(person.pk, "")
    row = selectors.RosterRow(person=person, invited=True, attendance=attendance, completion=completion, post=post)
    context = {"camp": camp, "row": row, "error": error}
    if request.htmx:
        return render(request, "training/partials/roll_row.html", context)
    if error:
        messages.error(request, error)
    return redirect("training:roll_call", pk=camp.pk)


# ---------------------------------------------------------------- certificates


@login_required
def certificate(request, pk):
    """A completion's certificate, for those who can see the person."""
    completion = get_object_or_404(
        selectors.completions_for_user(request.user).select_related("person", "programme", "camp__host_unit__level"),
        pk=pk,
    )
    language = request.GET.get("lang", "hi")
    pdf = certificates.certificate_pdf(completion, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    number = completion.certificate_number or completion.pk
    response["Content-Disposition"] = f'inline; filename="certificate-{number}.pdf"'
    return response
