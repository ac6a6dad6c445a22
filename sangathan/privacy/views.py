"""Pages of the privacy app.

Public (no login): the applicant's status page (``recruitment``) shows their data actions once they have
given their reference and mobile number and confirmed the code sent to that number; each action posts a
signed, short-lived ticket naming their application and that code (``privacy.public``), so the actions
need no login and cannot be aimed at anybody else. The copy they download holds what they gave as an
applicant (their applications, consents and the messages about them), not the organisation's record of
them in another capacity nor any personal link; erasure, having proved the number, covers the number's
person too, and waits while they hold a post.

Staff: admins see and handle the requests of people in their scope (``view_personal`` to see,
``appoint`` - the power to edit people - to raise and resolve), at /privacy/.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.access.permissions import APPOINT, VIEW_PERSONAL
from sangathan.access.scope import can, can_anywhere, require
from sangathan.core.pdf import html_to_pdf
from sangathan.core.ratelimits import PublicLimits
from sangathan.org.errors import OrgError
from sangathan.org.models import Person
from sangathan.org.phones import normalise_mobile
from sangathan.privacy import selectors, services, subjects
from sangathan.privacy.errors import PrivacyError
from sangathan.privacy.forms import CorrectionForm, ErasureForm, ResolveForm, StaffRequestForm, TicketForm
from sangathan.privacy.models import DataRequest
from sangathan.privacy.public import application_for_ticket, subject_for_ticket
from sangathan.recruitment.models import Application

REQUESTS_PER_PAGE = 50
TICKET_MAX = 500  # the forms' limit on a posted ticket


# ---------------------------------------------------------------- public actions


# The public actions share one limit per address; its page is the public form's.
LIMITS = PublicLimits(
    app="privacy", page="recruitment/public/limited.html", defaults={"PRIVACY_REQUEST_RATE_IP": "30/h"}
)


def _public(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, f"privacy/public/{template}", context or {}, status=status)


def _expired(request):
    return _public(request, "expired.html", status=400)


def _subject_data_response(subject, fmt: str, filename: str, *, applicant_copy: bool = False) -> HttpResponse:
    services.consents_sync(applications=Application.objects.filter(pk__in=subject.application_ids))
    data = selectors.subject_data(subject, applicant_copy=applicant_copy)
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    elif fmt == "pdf":
        pdf = html_to_pdf(render_to_string("privacy/data.html", {"data": data, "pdf": True}))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    else:
        body = render_to_string("privacy/data.html", {"data": data})
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.html"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
def my_data(request, fmt):
    if LIMITS.over(request, "request", "PRIVACY_REQUEST_RATE_IP"):
        return LIMITS.refused(request)
    form = TicketForm(request.POST)
    ticket = form.cleaned_data["ticket"] if form.is_valid() else ""
    application = application_for_ticket(ticket) if ticket else None
    if application is None:
        found = subject_for_ticket(ticket) if ticket else None
        if found is None:
            return _expired(request)
        registered, obj = found
        services.subject_request_create(
            kind=DataRequest.Kind.ACCESS, subject_kind=registered.code, subject_id=obj.pk, via=DataRequest.Via.OWN_PAGE
        )
        return _registered_data_response(registered.data_of(obj=obj), fmt, f"my-data-{registered.code}-{obj.pk}")
    services.request_create(
        kind=DataRequest.Kind.ACCESS, application=application, via=DataRequest.Via.STATUS_PAGE, as_applicant=True
    )
    subject = services.subject_of(application=application, as_applicant=True)
    return _subject_data_response(subject, fmt, f"my-data-{application.reference}", applicant_copy=True)


def _registered_data_response(data: dict, fmt: str, filename: str) -> HttpResponse:
    """The copy of a higher app's person (``privacy.subjects``): JSON, or the same as a readable page / PDF."""
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if fmt == "json":
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        page = render_to_string("privacy/subject_data.html", {"body": body, "pdf": fmt == "pdf"})
        if fmt == "pdf":
            response = HttpResponse(html_to_pdf(page), content_type="application/pdf")
        else:
            response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _ticket_application(request):
    """A public correction or erasure request starts here: the rate limit, then the application that the
    posted ticket names, or else the higher app's person it names (``privacy.subjects``). Returns
    ``(application, None, None)``, ``(None, (kind, row), None)`` or ``(None, None, the page to answer with)``."""
    if LIMITS.over(request, "request", "PRIVACY_REQUEST_RATE_IP"):
        return None, None, LIMITS.refused(request)
    ticket = request.POST.get("ticket", "")
    if len(ticket) > TICKET_MAX:
        return None, None, _expired(request)
    application = application_for_ticket(ticket)
    if application is not None:
        return application, None, None
    found = subject_for_ticket(ticket)
    if found is None:
        return None, None, _expired(request)
    return None, found, None


def _subject_context(found) -> dict:
    registered, obj = found
    return {"subject_label": registered.describe(obj=obj), "back_url": registered.back_url()}


def _registered_correction(request, found):
    registered, obj = found
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.subject_request_create(
                kind=DataRequest.Kind.CORRECTION,
                subject_kind=registered.code,
                subject_id=obj.pk,
                details=form.cleaned_data["details"],
                via=DataRequest.Via.OWN_PAGE,
            )
        except PrivacyError as error:
            form.add_error("details", error.messages)
        else:
            return _public(request, "done.html", {"kind": "correction", **_subject_context(found)})
    return _public(request, "correct.html", {"form": form, **_subject_context(found)}, status=400)


def _registered_erasure(request, found):
    registered, obj = found
    form = ErasureForm(
        request.POST if request.POST.get("step") != "ask" else None, initial={"ticket": request.POST.get("ticket", "")}
    )
    form.fields["confirm"].label = _(
        "I understand: my membership will end and my data will be erased. This cannot be undone."
    )
    if form.is_bound and form.is_valid():
        context = _subject_context(found)
        try:
            data_request = services.subject_request_create(
                kind=DataRequest.Kind.ERASURE,
                subject_kind=registered.code,
                subject_id=obj.pk,
                via=DataRequest.Via.OWN_PAGE,
            )
        except PrivacyError as error:
            form.add_error(None, error.messages)
        else:
            return _public(request, "done.html", {"kind": "erasure", "data_request": data_request, **context})
    return _public(
        request, "erase.html", {"form": form, **_subject_context(found)}, status=400 if form.is_bound else 200
    )


@never_cache
@require_POST
def correction(request):
    application, found, refused = _ticket_application(request)
    if refused:
        return refused
    if found is not None:
        return _registered_correction(request, found)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.request_create(
                kind=DataRequest.Kind.CORRECTION,
                application=application,
                details=form.cleaned_data["details"],
                via=DataRequest.Via.STATUS_PAGE,
            )
        except PrivacyError as error:
            form.add_error("details", error.messages)
        else:
            return _public(request, "done.html", {"kind": "correction", "application": application})
    return _public(request, "correct.html", {"form": form, "application": application})


@never_cache
@require_POST
def erasure(request):
    application, found, refused = _ticket_application(request)
    if refused:
        return refused
    if found is not None:
        return _registered_erasure(request, found)
    form = ErasureForm(request.POST)
    if request.POST.get("step") == "ask":  # from the status page: show what it means, ask to confirm
        form = ErasureForm(initial={"ticket": request.POST.get("ticket", "")})
        return _public(request, "erase.html", {"form": form, "application": application})
    if form.is_valid():
        try:
            data_request = services.request_create(
                kind=DataRequest.Kind.ERASURE, application=application, via=DataRequest.Via.STATUS_PAGE
            )
        except PrivacyError as error:
            form.add_error(None, error.messages)
        else:
            return _public(request, "done.html", {"kind": "erasure", "data_request": data_request})
    return _public(request, "erase.html", {"form": form, "application": application})


# ---------------------------------------------------------------- staff pages


def _request_for_user(user, pk) -> DataRequest:
    return get_object_or_404(
        DataRequest.objects.restrict(user, VIEW_PERSONAL).select_related(
            "application__campaign", "person", "unit__level", "raised_by", "resolved_by"
        ),
        pk=pk,
    )


@login_required
@require_GET
def request_list(request):
    status = request.GET.get("status", "")
    requests = selectors.requests_for(request.user, status=status)
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status if status in DataRequest.Status.values else "",
        "statuses": DataRequest.Status.choices,
        "can_raise": can_anywhere(request.user, APPOINT),
    }
    return render(request, "privacy/list.html", context)


def _find_subject(user, text: str):
    """The application (by reference) or person (by mobile) the user may edit; None when not found in
    their scope (the same answer as "does not exist": nothing leaks)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        mobile = normalise_mobile(text)
    except OrgError:
        mobile = None
    if mobile is not None:
        person = Person.objects.restrict(user, APPOINT).filter(mobile=mobile).first()
        if person is not None:
            return person
        return (
            Application.objects.restrict(user, APPOINT)
            .filter(mobile=mobile)
            .select_related("home_unit", "campaign")
            .order_by("-submitted_at")
            .first()
        )
    return (
        Application.objects.restrict(user, APPOINT)
        .filter(reference=text.upper())
        .exclude(mobile__startswith=services.ERASED_PREFIX)
        .select_related("home_unit", "campaign")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    person = None
    if request.GET.get("person"):  # from a person's page
        person_id = request.GET["person"]
        if not (person_id.isascii() and person_id.isdecimal() and len(person_id) <= 12):
            raise Http404
        person = get_object_or_404(Person.objects.restrict(request.user, APPOINT), pk=int(person_id))
    if not can_anywhere(request.user, APPOINT):
        raise Http404
    initial = {"subject": person.mobile} if person is not None else {}
    form = StaffRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["who"]:
        return _request_new_registered(request, form)
    if request.method == "POST" and form.is_valid():
        subject = _find_subject(request.user, form.cleaned_data["subject"])
        if subject is None:
            form.add_error("subject", _("Nobody with this reference number or mobile number in your area."))
        else:
            is_person = isinstance(subject, Person)
            try:
                data_request = services.request_create(
                    kind=form.cleaned_data["kind"],
                    application=None if is_person else subject,
                    person=subject if is_person else None,
                    details=form.cleaned_data["details"],
                    via=DataRequest.Via.STAFF,
                    by=request.user,
                )
            except PrivacyError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The request has been recorded."))
                return redirect("privacy:request", pk=data_request.pk)
    return render(request, "privacy/new.html", {"form": form, "person": person})


def _request_new_registered(request, form: StaffRequestForm):
    """A request on behalf of a person kept by a higher app (a member), found by mobile number in the user's
    scope through the kind's ``find_by_mobile``; anything else gets the same "nobody in your area"."""
    kind = subjects.get(form.cleaned_data["who"])
    try:
        mobile = normalise_mobile(form.cleaned_data["subject"])
    except OrgError:
        mobile = None
    found = kind.find_by_mobile(user=request.user, mobile=mobile) if kind is not None and mobile else None
    if found is None:
        form.add_error("subject", _("Nobody with this mobile number in your area."))
        return render(request, "privacy/new.html", {"form": form, "person": None})
    try:
        data_request = services.subject_request_create(
            kind=form.cleaned_data["kind"],
            subject_kind=kind.code,
            subject_id=found.pk,
            details=form.cleaned_data["details"],
            via=DataRequest.Via.STAFF,
            by=request.user,
        )
    except PrivacyError as error:
        form.add_error(None, error.messages)
        return render(request, "privacy/new.html", {"form": form, "person": None})
    messages.success(request, _("The request has been recorded."))
    return redirect("privacy:request", pk=data_request.pk)


@login_required
@require_GET
def request_detail(request, pk):
    data_request = _request_for_user(request.user, pk)
    if data_request.subject_kind:  # a higher app's person (``privacy.subjects``)
        registered, obj = services.subject_for_request(data_request)
        context = {
            "req": data_request,
            "registered": registered,
            "subject_label": registered.describe(obj=obj) if registered is not None and obj is not None else "",
            "erased": obj is None,
            "form": ResolveForm(),
            "can_act": can(request.user, APPOINT, data_request.unit),
        }
        return render(request, "privacy/detail.html", context)
    subject = services.subject_of(application=data_request.application, person=data_request.person)
    context = {
        "req": data_request,
        "subject": subject,
        "erased": services.is_erased_mobile(subject.mobile),
        "form": ResolveForm(),
        "can_act": can(request.user, APPOINT, data_request.unit),
    }
    return render(request, "privacy/detail.html", context)


@login_required
@require_POST
def request_resolve(request, pk):
    data_request = _request_for_user(request.user, pk)
    require(request.user, APPOINT, data_request.unit)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.request_resolve(
                request=data_request,
                done=form.cleaned_data["outcome"] == "done",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except PrivacyError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The request is closed."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("privacy:request", pk=data_request.pk)


@login_required
@require_GET
def request_data(request, pk, fmt):
    """The copy of the person's data, for an admin to hand over (on an access request)."""
    data_request = _request_for_user(request.user, pk)
    require(request.user, APPOINT, data_request.unit)
    if data_request.kind != DataRequest.Kind.ACCESS:
        raise Http404
    if data_request.subject_kind:
        registered, obj = services.subject_for_request(data_request)
        if registered is None or obj is None:
            raise Http404
        return _registered_data_response(registered.data_of(obj=obj), fmt, f"data-request-{data_request.pk}")
    subject = services.subject_of(application=data_request.application, person=data_request.person)
    return _subject_data_response(subject, fmt, f"data-request-{data_request.pk}")
