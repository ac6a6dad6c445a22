"""The public side of a recruitment drive (no login): the application form at /a/<slug>/, its place
type-ahead, the status page, the QR code and the printable poster.

Thin views: the form checks the input, ``intake.submission_receive`` stores it (one row) and a worker
makes the application (``intake.submissions_process``). What protects the form:
a one-time token (a double click or a retried POST is one application), a honeypot field (a bot that
fills it is told "thank you" and nothing is stored), and rate limits per IP and per mobile number
(django-ratelimit on the shared cache; the rates are settings, see ``_rate``).
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sangathan.core.clientip import client_ip
from sangathan.core.ratelimits import PublicLimits
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Unit
from sangathan.privacy.public import privacy_context
from sangathan.recruitment import services
from sangathan.recruitment.errors import RecruitmentError
from sangathan.recruitment.forms_public import (
    PLACE_MATCHES,
    ApplicationForm,
    StatusCodeForm,
    StatusForm,
    place_matches,
    place_steps,
    public_campaign,
)
from sangathan.recruitment.intake import random_reference, submission_receive, submissions_schedule
from sangathan.recruitment.models import Application, Campaign
from sangathan.recruitment.poster import poster_pdf, when_text
from sangathan.recruitment.qr import qr_png, qr_svg
from sangathan.verification.errors import VerificationError

HONEYPOT = "website"
POSTER_CACHE_SECONDS = 3600
LIMITS = PublicLimits(
    app="recruitment",
    page="recruitment/public/limited.html",
    defaults={
        # Per IP: people at one venue or behind one mobile carrier's NAT share an address; keep it generous.
        "RECRUITMENT_APPLY_RATE_IP": "20/h",
        "RECRUITMENT_APPLY_RATE_MOBILE": "5/h",
        "RECRUITMENT_STATUS_RATE_IP": "30/h",
        # Codes asked per number, whether or not the reference matched (so the answer does not tell), and
        # codes typed per address (each code also allows only 5 tries).
        "RECRUITMENT_STATUS_CODE_RATE_MOBILE": "3/h",
        "RECRUITMENT_STATUS_TRIES_RATE_IP": "30/h",
        "RECRUITMENT_PLACES_RATE_IP": "1000/h",
        "RECRUITMENT_POSTER_RATE_IP": "30/h",
    },
)


def _campaign_or_none(slug: str) -> Campaign | None:
    return Campaign.objects.select_related("scope_unit__level").filter(slug=slug).first()


def _campaign(slug: str) -> Campaign:
    campaign = _campaign_or_none(slug)
    if campaign is None:
        raise Http404
    return campaign


def _form_url(request, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("apply:form", args=[campaign.slug]))


lazy_when_text = lazy(when_text, str)


def _page_context(campaign: Campaign) -> dict:
    # The dates are written out only if the page shows them (the thank-you page keeps them rendered).
    return {
        "campaign": campaign,
        "opens": lazy_when_text(campaign.opens_at),
        "closes": lazy_when_text(campaign.closes_at),
        "not_yet_open": timezone.now() < campaign.opens_at,
    }


# ---------------------------------------------------------------- the form


@never_cache  # every visitor must get a token of their own
@require_http_methods(["GET", "POST"])
def apply(request, slug):
    public = public_campaign(slug)
    if public is None:  # a mistyped short link: say so kindly
        return render(request, "recruitment/public/not_found.html", status=404)
    campaign, steps, positions = public.campaign, public.steps, public.positions
    if not campaign.is_open():
        return render(request, "recruitment/public/closed.html", _page_context(campaign))
    if request.method == "GET":
        form = ApplicationForm(campaign=campaign, steps=steps, positions=positions, initial=_initial(positions))
        return _render_form(request, form, token=secrets.token_urlsafe(24))

    if LIMITS.over(request, "apply", "RECRUITMENT_APPLY_RATE_IP"):
        return LIMITS.refused(request, campaign=campaign)
    if request.POST.get(HONEYPOT):
        # A bot filled the field people cannot see: thank it like anyone else, store nothing.
        return _render_done(request, campaign, reference=random_reference(campaign))
    form = ApplicationForm(request.POST, campaign=campaign, steps=steps, positions=positions)
    if not form.is_valid():
        return _render_form(request, form)
    data = form.submission()

    def by_mobile(group, request):
        return data["mobile"]

    if LIMITS.over(request, "apply-mobile", "RECRUITMENT_APPLY_RATE_MOBILE", key=by_mobile):
        return LIMITS.refused(request, campaign=campaign)
    try:
        submission, new = submission_receive(
            campaign=campaign, token=form.cleaned_data["token"], data=data, language=request.LANGUAGE_CODE
        )
    except RecruitmentError as error:
        if error.code == "closed":
            return render(request, "recruitment/public/closed.html", _page_context(campaign))
        field = {"position": "applied_for", "home_unit": f"{steps[-1].code}_q"}.get(error.code)
        form.add_error(field if field in form.fields else None, error.messages)
        return _render_form(request, form)
    except IntegrityError:
        form.add_error(None, _("Something went wrong while saving. Please send the form again."))
        return _render_form(request, form)
    if not new and submission.mobile != data["mobile"]:
        # The token was used before for another mobile (e.g. "back" and the form sent for someone else):
        # nothing of this was stored. A new token, and the person sends it again.
        form.add_error(None, _("This form was already sent once. Check the details and send it again."))
        return _render_form(request, form, token=secrets.token_urlsafe(24))
    if new:
        submissions_schedule(submission)
    # The same page whether or not the number applied before: the page is no oracle of who applied.
    return _render_done(request, campaign, reference=submission.reference)


def _initial(positions) -> dict:
    return {"applied_for": str(positions[0].pk)} if len(positions) == 1 else {}


def _render_form(request, form: ApplicationForm, token: str | None = None):
    if token is None:
        token = form.cleaned_data.get("token") if hasattr(form, "cleaned_data") else None
        token = token or secrets.token_urlsafe(24)
    places, parent, waiting = [], None, False
    for step in form.steps:
        picked = form.chosen.get(step.code)
        if step.choosable:
            places.append(
                {
                    "step": step,
                    "q": form[f"{step.code}_q"],
                    "label": form.place_label(step),
                    "picked": picked,
                    # Ids as plain strings: a number in a template would come out as "10,50,000".
                    "picked_id": str(picked.pk) if picked is not None else "",
                    "parent_id": str(parent.pk) if parent is not None else "",
                    "disabled": waiting,
                }
            )
            waiting = picked is None
        else:
            places.append({"step": step})
        parent = picked if picked is not None and picked.is_within(form.campaign.scope_unit) else parent
    context = {
        **_page_context(form.campaign),
        "form": form,
        "token": token,
        "places": places,
        "honeypot": HONEYPOT,
    }
    return render(request, "recruitment/public/form.html", context)


def _render_done(request, campaign: Campaign, *, reference: str):
    context = {
        **_page_context(campaign),
        "reference": reference,
        "cache_seconds": settings.RECRUITMENT_PUBLIC_CACHE_SECONDS,
    }
    return render(request, "recruitment/public/done.html", context)


@require_GET
def places(request, slug):
    """The type-ahead: at most 20 units of one level under the chosen parent, inside the campaign."""
    campaign = _campaign(slug)
    if LIMITS.over(request, "places", "RECRUITMENT_PLACES_RATE_IP"):
        return HttpResponse(status=429)
    steps = {step.code: step for step in place_steps(campaign) if step.choosable}
    step = steps.get(request.GET.get("level", ""))
    if step is None:
        return render(request, "recruitment/public/partials/places.html", {"units": [], "invalid": True})
    parent_id = request.GET.get("parent", "")
    parent = None
    if parent_id.isascii() and parent_id.isdecimal() and len(parent_id) <= 12:
        parent = Unit.objects.filter(pk=int(parent_id)).first()
    query = request.GET.get("q", request.GET.get(f"{step.code}_q", ""))
    units = place_matches(campaign, level=step.level, query=query, parent=parent)
    context = {"units": units[:PLACE_MATCHES], "more": len(units) > PLACE_MATCHES, "step": step, "query": query}
    return render(request, "recruitment/public/partials/places.html", context)


# ---------------------------------------------------------------- status


# The status page has two steps: reference + mobile, then the code sent to that mobile. Between them the
# page carries a signed note of what was asked (never the code), valid for a quarter of an hour.
STATUS_SALT = "sangathan.recruitment.status-code"
STATUS_PENDING_SECONDS = 15 * 60


def _pending_token(reference: str, mobile: str, challenge_id: int | None) -> str:
    return signing.dumps({"r": reference, "m": mobile, "c": challenge_id or 0}, salt=STATUS_SALT)


def _pending(token: str) -> dict | None:
    try:
        data = signing.loads(token or "", salt=STATUS_SALT, max_age=STATUS_PENDING_SECONDS)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), t) for k, t in (("r", str), ("m", str), ("c", int))
    ):
        return None
    return data


def _status_page(request, context: dict, status: int = 200):
    return render(request, "recruitment/public/status.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """Reference and mobile number, then a code sent to that number: only the holder of the number sees
    the application (a reference is written on paper, a number is known to many)."""
    if request.method == "GET":
        return _status_page(request, {"form": StatusForm()})
    if LIMITS.over(request, "status", "RECRUITMENT_STATUS_RATE_IP"):
        return LIMITS.refused(request)
    step = request.POST.get("step", "lookup")
    if step in ("code", "resend"):
        pending = _pending(request.POST.get("pending", ""))
        if pending is None:
            form = StatusForm()
            form.add_error(None, _("This page has expired. Please enter your reference and mobile number again."))
            return _status_page(request, {"form": form})
        if step == "code":
            return _status_check_code(request, pending)
        return _status_send_code(request, reference=pending["r"], mobile=pending["m"])
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _status_page(request, {"form": form})
    return _status_send_code(request, reference=form.cleaned_data["reference"], mobile=form.cleaned_data["mobile"])


def _status_send_code(request, *, reference: str, mobile: str):
    """Send the code if the pair is known; the page is the same either way, so it tells nobody whether a
    reference and a number belong together. Codes per number are capped whether or not it matched."""

    def by_mobile(group, request):
        return mobile

    challenge, problem = None, None
    if LIMITS.over(request, "status-code-mobile", "RECRUITMENT_STATUS_CODE_RATE_MOBILE", key=by_mobile):
        problem = _("Too many codes were sent to this number in the last hour. Please try again after an hour.")
    else:
        try:
            challenge = services.application_status_code_send(
                reference=reference, mobile=mobile, language=request.LANGUAGE_CODE, requested_from=client_ip(request)
            )
        except VerificationError as error:
            problem = " ".join(error.messages)
    context = {
        "code_form": StatusCodeForm(),
        "problem": problem,
        "pending": _pending_token(reference, mobile, challenge.pk if challenge is not None else None),
        "masked_mobile": mask_mobile(mobile),
    }
    return _status_page(request, context)


def _status_check_code(request, pending: dict):
    code_form = StatusCodeForm(request.POST)
    context = {
        "code_form": code_form,
        "pending": request.POST.get("pending", ""),
        "masked_mobile": mask_mobile(pending["m"]),
    }
    if not code_form.is_valid():
        return _status_page(request, context)
    if LIMITS.over(request, "status-code-tries", "RECRUITMENT_STATUS_TRIES_RATE_IP"):
        return LIMITS.refused(request)
    try:
        answer = services.application_status_confirm(
            reference=pending["r"], mobile=pending["m"], challenge_id=pending["c"], code=code_form.cleaned_data["code"]
        )
    except VerificationError as error:
        code_form.add_error("code", error.messages)
        context["code_spent"] = error.code in ("too_many_tries", "used", "expired")
        return _status_page(request, context)
    except RecruitmentError as error:  # the form is kept but could not be made into an application yet
        context["problem"] = " ".join(error.messages)
        context["code_spent"] = True
        return _status_page(request, context)
    application = answer.application
    slot = getattr(application, "slot", None)
    context = {
        "application": application,
        "form_applied": answer.form_applied,
        "form_refused": answer.form_refused,
        "slot": slot if application.status == Application.Status.SCHEDULED else None,
        "slot_when": when_text(slot.starts_at) if slot is not None else "",
        **privacy_context(application=application, challenge=answer.challenge),
    }
    return _status_page(request, context)


# ---------------------------------------------------------------- QR code and poster


@require_GET
def qr_code(request, slug, kind):
    campaign = _campaign(slug)
    url = _form_url(request, campaign)
    if kind == "svg":
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(url), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def poster(request, slug):
    campaign = _campaign(slug)
    form_url = _form_url(request, campaign)
    status_url = request.build_absolute_uri(reverse("apply:status"))
    positions = list(campaign.positions.values_list("position__title_hi", "position__title_en"))
    fingerprint = repr(
        (form_url, status_url, campaign.title_hi, campaign.title_en, campaign.closes_at.isoformat(), positions)
    )
    key = f"recruitment:poster:{campaign.pk}:{hashlib.sha256(fingerprint.encode()).hexdigest()}"
    pdf = cache.get(key)
    if pdf is None:
        # Drawing a poster takes the better part of a second: draw each version once.
        if LIMITS.over(request, "poster", "RECRUITMENT_POSTER_RATE_IP"):
            return LIMITS.refused(request, campaign=campaign)
        pdf = poster_pdf(campaign, form_url=form_url, status_url=status_url.split("://", 1)[-1])
        cache.set(key, pdf, POSTER_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{campaign.slug}-poster.pdf"'
    response["Cache-Control"] = "public, max-age=3600"  # the campaign's public poster: no personal data
    return response
