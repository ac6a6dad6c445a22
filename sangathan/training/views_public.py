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

from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.core.ratelimits import over_limit
from sangathan.org.errors import OrgError
from sangathan.org.phones import normalise_mobile
from sangathan.training import certificates, services
from sangathan.training.forms import CheckInForm, WalkInRequestForm
from sangathan.training.models import Camp

RATE_DEFAULTS = {
    # Per IP: a whole camp checks in from the venue's Wi-Fi or one carrier's NAT; keep it generous.
    "TRAINING_CHECK_IN_RATE_IP": "200/h",
    "TRAINING_CHECK_IN_RATE_MOBILE": "10/h",
    "TRAINING_WALK_IN_RATE_IP": "100/h",
    "TRAINING_WALK_IN_RATE_MOBILE": "5/h",
    "TRAINING_CERTIFICATE_RATE_IP": "60/h",
}


def _over_limit(request, group: str, setting: str, key="ip") -> bool:
    return over_limit(request, group=f"training.{group}", setting=setting, default=RATE_DEFAULTS[setting], key=key)


def _too_many(request, camp: Camp | None = None) -> HttpResponse:
    response = render(request, "training/public/limited.html", {"camp": camp}, status=429)
    response["Retry-After"] = "3600"
    return response


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


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request, token):
    camp = _camp(token)
    if camp is None:
        return render(request, "training/public/not_found.html", status=404)
    if request.method == "GET":
        return _page(request, camp)
    if _over_limit(request, "check-in", "TRAINING_CHECK_IN_RATE_IP"):
        return _too_many(request, camp)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _page(request, camp, form=form)
    mobile = _normalised_mobile(form)
    if mobile is None:
        return _page(request, camp, form=form)
    if _over_limit(request, "check-in-mobile", "TRAINING_CHECK_IN_RATE_MOBILE", key=lambda group, request: mobile):
        return _too_many(request, camp)
    try:
        result = services.attendance_check_in(camp=camp, mobile=mobile, code=form.cleaned_data["code"])
    except services.TrainingError as error:
        if error.code == "mobile_invalid":
            form.add_error("mobile", error.messages)
            return _page(request, camp, form=form)
        return _page(request, camp, form=form, refusal=" ".join(error.messages), refusal_code=error.code)
    except IntegrityError:
        form.add_error(None, _("Something went wrong while saving. Please try again."))
        return _page(request, camp, form=form)
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
    if _over_limit(request, "walk-in", "TRAINING_WALK_IN_RATE_IP"):
        return _too_many(request, camp)
    form = WalkInRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, camp, join_form=form)
    mobile = _normalised_mobile(form)
    if mobile is None:
        return _page(request, camp, join_form=form)
    if _over_limit(request, "walk-in-mobile", "TRAINING_WALK_IN_RATE_MOBILE", key=lambda group, request: mobile):
        return _too_many(request, camp)
    try:
        services.walk_in_request_create(camp=camp, mobile=mobile, name=form.cleaned_data["name"])
    except services.TrainingError as error:
        if error.code in ("mobile_invalid", "name_missing", "name_too_long"):
            form.add_error("mobile" if error.code == "mobile_invalid" else "name", error.messages)
            return _page(request, camp, join_form=form)
        return _page(request, camp, join_form=form, refusal=" ".join(error.messages), refusal_code=error.code)
    except IntegrityError:
        form.add_error(None, _("Something went wrong while saving. Please try again."))
        return _page(request, camp, join_form=form)
    return render(request, "training/public/walk_in_requested.html", {"camp": camp})


@require_GET
def certificate(request, token):
    """The certificate PDF behind the signed link shown after a completing check-in."""
    if _over_limit(request, "certificate", "TRAINING_CERTIFICATE_RATE_IP"):
        return _too_many(request)
    completion = certificates.completion_from_token(token)
    if completion is None:
        return render(request, "training/public/not_found.html", status=404)
    language = request.GET.get("lang", "hi")
    pdf = certificates.certificate_pdf(completion, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{completion.certificate_number}.pdf"'
    return response
