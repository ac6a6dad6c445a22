"""The public side of training (no login): the page a camp's QR code opens (/t/<token>/), where an
attendee enters their mobile number to check in, and the certificate link shown to them afterwards.

What protects the check-in: the token in the QR code is unguessable and one per camp; rate limits per IP
and per mobile number (django-ratelimit on the shared cache, like the public application form); the
service refuses numbers not invited (unless the trainer allows walk-ins) and check-ins outside the
camp's time window. Refusals do not say whether a number is known to the organisation.
"""

from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sangathan.core.ratelimits import over_limit
from sangathan.org.errors import OrgError
from sangathan.org.phones import normalise_mobile
from sangathan.training import certificates, services
from sangathan.training.forms import CheckInForm
from sangathan.training.models import Camp

RATE_DEFAULTS = {
    # Per IP: a whole camp checks in from the venue's Wi-Fi or one carrier's NAT; keep it generous.
    "TRAINING_CHECK_IN_RATE_IP": "200/h",
    "TRAINING_CHECK_IN_RATE_MOBILE": "10/h",
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


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request, token):
    camp = _camp(token)
    if camp is None:
        return render(request, "training/public/not_found.html", status=404)
    form = CheckInForm(request.POST or None, walk_ins=camp.allow_walk_ins)
    context = {"camp": camp, "form": form, "open": camp.check_in_open(), "now": timezone.now()}
    if request.method == "GET":
        return render(request, "training/public/check_in.html", context)
    if _over_limit(request, "check-in", "TRAINING_CHECK_IN_RATE_IP"):
        return _too_many(request, camp)
    if not form.is_valid():
        return render(request, "training/public/check_in.html", context)
    try:
        mobile = normalise_mobile(form.cleaned_data["mobile"])
    except OrgError as error:
        form.add_error("mobile", error.messages)
        return render(request, "training/public/check_in.html", context)

    def by_mobile(group, request):
        return mobile

    if _over_limit(request, "check-in-mobile", "TRAINING_CHECK_IN_RATE_MOBILE", key=by_mobile):
        return _too_many(request, camp)
    try:
        result = services.attendance_check_in(camp=camp, mobile=mobile, name=form.cleaned_data.get("name", ""))
    except services.TrainingError as error:
        if error.code == "mobile_invalid":
            form.add_error("mobile", error.messages)
        elif error.code in ("name_missing", "person_invalid") and "name" in form.fields:
            form.add_error("name", error.messages)
        else:
            context["refusal"] = " ".join(error.messages)
            context["refusal_code"] = error.code
        return render(request, "training/public/check_in.html", context)
    except IntegrityError:
        form.add_error(None, _("Something went wrong while saving. Please try again."))
        return render(request, "training/public/check_in.html", context)
    completion = result.completion
    return render(
        request,
        "training/public/checked_in.html",
        {
            "camp": camp,
            "attendance": result.attendance,
            "created": result.created,
            "person": result.attendance.person,
            "completion": completion,
            "certificate_token": certificates.public_token(completion) if completion else "",
        },
    )


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
