"""The public side of training (no login): the page a camp's QR code opens (/t/<token>/), where an
invitee checks in with their mobile number and personal code, where others ask the trainer to let them
join (walk-ins), and the certificate link shown after a check-in that completed the programme.

What protects the check-in (docs/security.md, "Training check-in"):
- presence: the token in the QR code is unguessable and one per camp, shown at the venue, and only
  works within the camp's check-in window;
- ownership: the personal code from the invitation message (``codes``), locked after five wrong tries;
- rate limits per IP and per mobile number (django-ratelimit on the shared cache);
- one neutral answer for an unknown number, a number not invited, a wrong or locked code, and for every
  walk-in request: the page never says whether a number is known, invited or from elsewhere, and never
  shows a person's name.
Walk-ins only ask: the trainer confirms them on the roll call, and only people of the camp's area.
"""

from collections.abc import Callable

from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.core.ratelimits import PublicLimits
from sangathan.org.errors import OrgError
from sangathan.org.phones import normalise_mobile
from sangathan.training import certificates, services
from sangathan.training.forms import CheckInForm, WalkInRequestForm
from sangathan.training.models import Camp

LIMITS = PublicLimits(
    app="training",
    page="training/public/limited.html",
    defaults={
        # Per IP: a whole camp checks in from the venue's Wi-Fi or one carrier's NAT; keep it generous.
        "TRAINING_CHECK_IN_RATE_IP": "200/h",
        "TRAINING_CHECK_IN_RATE_MOBILE": "10/h",
        "TRAINING_WALK_IN_RATE_IP": "100/h",
        "TRAINING_WALK_IN_RATE_MOBILE": "5/h",
        "TRAINING_CERTIFICATE_RATE_IP": "60/h",
    },
)


def _camp(token: str) -> Camp | None:
    if not token or len(token) > 32:
        return None
    return Camp.objects.select_related("programme", "host_unit__level").filter(check_in_token=token).first()


def _page(request, camp: Camp, *, form=None, join_form=None, status=200, **extra) -> HttpResponse:
    context = {
        "camp": camp,
        "form": form or CheckInForm(),
        "join_form": (join_form or WalkInRequestForm()) if camp.allow_walk_ins else None,
        "open": camp.check_in_open(),
        "now": timezone.now(),
        **extra,
    }
    return render(request, "training/public/check_in.html", context, status=status)


def _normalised_mobile(form, field: str = "mobile") -> str | None:
    try:
        return normalise_mobile(form.cleaned_data[field])
    except OrgError as error:
        form.add_error(field, error.messages)
        return None


def _submit(
    request,
    camp: Camp,
    form,
    *,
    form_arg: str,
    action: str,
    rates: tuple[str, str],
    field_of: dict[str, str],
    save: Callable,
):
    """What both forms of the page do with a POST: the per-address limit, the form, the number (normalised),
    the per-number limit (``rates``: the settings of the two), then ``save(mobile)``. A refusal is shown on
    the page (on the field it is about, if ``field_of`` names one); a write the database refused asks to try
    again. Returns what ``save`` returned, or the page to answer with (an ``HttpResponse``)."""

    def page(**extra) -> HttpResponse:
        return _page(request, camp, **{form_arg: form}, **extra)

    ip_rate, mobile_rate = rates
    if LIMITS.over(request, action, ip_rate):
        return LIMITS.refused(request, camp=camp)
    if not form.is_valid() or (mobile := _normalised_mobile(form)) is None:
        return page()
    if LIMITS.over(request, f"{action}-mobile", mobile_rate, key=lambda group, request: mobile):
        return LIMITS.refused(request, camp=camp)
    try:
        return save(mobile)
    except services.TrainingError as error:
        if error.code in field_of:
            form.add_error(field_of[error.code], error.messages)
            return page()
        return page(refusal=" ".join(error.messages), refusal_code=error.code)
    except IntegrityError:
        form.add_error(None, _("Something went wrong while saving. Please try again."))
        return page()


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request, token):
    camp = _camp(token)
    if camp is None:
        return render(request, "training/public/not_found.html", status=404)
    if request.method == "GET":
        return _page(request, camp)
    form = CheckInForm(request.POST)
    result = _submit(
        request,
        camp,
        form,
        form_arg="form",
        action="check-in",
        rates=("TRAINING_CHECK_IN_RATE_IP", "TRAINING_CHECK_IN_RATE_MOBILE"),
        field_of={"mobile_invalid": "mobile"},
        save=lambda mobile: services.attendance_check_in(camp=camp, mobile=mobile, code=form.cleaned_data["code"]),
    )
    if isinstance(result, HttpResponse):
        return result
    completion = result.completion
    # No name on this page: whoever holds the phone sees only that the check-in worked.
    return render(
        request,
        "training/public/checked_in.html",
        {
            "camp": camp,
            "attendance": result.attendance,
            "created": result.created,
            "completion": completion,
            "certificate_token": certificates.public_token(completion) if completion else "",
        },
    )


@never_cache
@require_POST
def walk_in(request, token):
    """Somebody not invited asks the trainer to be let in. Every accepted request gets the same answer."""
    camp = _camp(token)
    if camp is None:
        return render(request, "training/public/not_found.html", status=404)
    if not camp.allow_walk_ins:
        return redirect("training_public:check_in", token=camp.check_in_token)
    form = WalkInRequestForm(request.POST)
    result = _submit(
        request,
        camp,
        form,
        form_arg="join_form",
        action="walk-in",
        rates=("TRAINING_WALK_IN_RATE_IP", "TRAINING_WALK_IN_RATE_MOBILE"),
        field_of={"mobile_invalid": "mobile", "name_missing": "name", "name_too_long": "name"},
        save=lambda mobile: services.walk_in_request_create(camp=camp, mobile=mobile, name=form.cleaned_data["name"]),
    )
    if isinstance(result, HttpResponse):
        return result
    return render(request, "training/public/walk_in_requested.html", {"camp": camp})


@require_GET
def certificate(request, token):
    """The certificate PDF behind the signed link shown after a completing check-in."""
    if LIMITS.over(request, "certificate", "TRAINING_CERTIFICATE_RATE_IP"):
        return LIMITS.refused(request)
    completion = certificates.completion_from_token(token)
    if completion is None:
        return render(request, "training/public/not_found.html", status=404)
    language = request.GET.get("lang", "hi")
    pdf = certificates.certificate_pdf(completion, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{completion.certificate_number}.pdf"'
    return response
