"""The public side of the membership drive (no login), under /join/:

* ``/join/<code>/``: the join form of a unit's link or of a referral code, then the code sent to the
  mobile, then the member's page (card, own referral link). The steps post to the same URL and carry a
  signed note of the sign-up (never the code), valid a quarter of an hour.
* ``/join/<code>/places/``: the booth type-ahead under the link's unit.
* ``/join/card/<token>/``: the membership card PDF (the token is given on the member's page, a day).
* ``/join/check/<token>/``: the card's QR code: initials, unit and status only.
* ``/join/not-me/<token>/``: the welcome SMS's link: a confirmation, then the membership is revoked.

Thin views: the forms check the input, ``services`` write. What protects the page: rate limits per
address, per referral code and per number (the shared cache; the rates are settings), a honeypot, a form
token (a double click or a retried POST sends no second code and makes no second member), the same answer
whether or not a number is a member already, and a code only the phone received.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sangathan.core.clientip import client_ip
from sangathan.core.ratelimits import over_limit
from sangathan.membership import selectors, services
from sangathan.membership.card import card_pdf
from sangathan.membership.errors import MembershipError
from sangathan.membership.forms_public import PLACE_MATCHES, CodeForm, JoinForm, booth_matches
from sangathan.membership.models import Member, ReferralCode
from sangathan.membership.poster import poster_pdf
from sangathan.org.masking import mask_mobile
from sangathan.recruitment.qr import qr_svg
from sangathan.verification.errors import VerificationError

HONEYPOT = "website"
PENDING_SALT = "sangathan.membership.join-pending"
PENDING_SECONDS = 15 * 60
CARD_SALT = "sangathan.membership.card"
CARD_SECONDS = 24 * 3600
RATE_DEFAULTS = {
    # Per address: people at one camp or behind one carrier's NAT share an address; keep it generous.
    "MEMBERSHIP_JOIN_RATE_IP": "30/h",
    # Per referral code: a volunteer's link signs up a few people an hour, not hundreds.
    "MEMBERSHIP_JOIN_RATE_CODE": "60/h",
    # Per number, whether or not it is a member (so the answer tells nothing); the verification service
    # itself allows 3 codes an hour per number.
    "MEMBERSHIP_JOIN_RATE_MOBILE": "5/h",
    "MEMBERSHIP_CODE_TRIES_RATE_IP": "30/h",
    "MEMBERSHIP_PLACES_RATE_IP": "1000/h",
    "MEMBERSHIP_CARD_RATE_IP": "30/h",
    "MEMBERSHIP_CHECK_RATE_IP": "120/h",
    "MEMBERSHIP_NOT_ME_RATE_IP": "30/h",
    "MEMBERSHIP_POSTER_RATE_IP": "30/h",
}
POSTER_CACHE_SECONDS = 3600


def _over_limit(request, group: str, setting: str, key="ip") -> bool:
    return over_limit(request, group=f"membership.{group}", setting=setting, default=RATE_DEFAULTS[setting], key=key)


def _too_many(request) -> HttpResponse:
    response = render(request, "recruitment/public/limited.html", {}, status=429)
    response["Retry-After"] = "3600"
    return response


def _link(code: str) -> ReferralCode | None:
    return selectors.public_link(code)


def _not_found(request) -> HttpResponse:
    return render(request, "membership/public/not_found.html", status=404)


# ---------------------------------------------------------------- the join form and the code


def _pending_token(member: Member, challenge_id: int) -> str:
    """The code page's signed note: the sign-up, its number, the code sent, and the form it was for (``t``:
    a later form for the same number makes this page's code and "send again" void)."""
    return signing.dumps(
        {"m": member.pk, "n": member.mobile, "c": challenge_id, "t": member.join_token}, salt=PENDING_SALT
    )


def _pending(token: str) -> dict | None:
    try:
        data = signing.loads(token or "", salt=PENDING_SALT, max_age=PENDING_SECONDS)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), t) for k, t in (("m", int), ("n", str), ("c", int), ("t", str))
    ):
        return None
    return data


@never_cache  # every visitor gets a token of their own
@require_http_methods(["GET", "POST"])
def join(request, code):
    link = _link(code)
    if link is None:
        return _not_found(request)
    if request.method == "GET":
        return _form_page(request, link, JoinForm(root=link.unit), token=secrets.token_urlsafe(24))
    step = request.POST.get("step", "join")
    if step in ("code", "resend", "called"):
        pending = _pending(request.POST.get("pending", ""))
        if pending is None:
            expired = _("This page has expired. Please fill in the form again.")
            return _form_page(request, link, JoinForm(root=link.unit), token=secrets.token_urlsafe(24), problem=expired)
        if step == "code":
            return _check_code(request, link, pending)
        if step == "called":
            return _called(request, link, pending)
        return _resend(request, link, pending)
    return _sign_up(request, link)


def _sign_up(request, link: ReferralCode):
    if _over_limit(request, "join", "MEMBERSHIP_JOIN_RATE_IP"):
        return _too_many(request)
    if _over_limit(request, "join-code", "MEMBERSHIP_JOIN_RATE_CODE", key=lambda group, request: link.code):
        return _too_many(request)
    if request.POST.get(HONEYPOT):
        # A bot filled the field people cannot see: the same code page as anyone, nothing stored or sent.
        return _code_page(request, link, pending="", masked=mask_mobile(request.POST.get("mobile", "")[:20]))
    form = JoinForm(request.POST, root=link.unit)
    if not form.is_valid():
        return _form_page(request, link, form)
    data = form.cleaned_data
    if _over_limit(request, "join-mobile", "MEMBERSHIP_JOIN_RATE_MOBILE", key=lambda group, request: data["mobile"]):
        return _too_many(request)
    try:
        answer = services.member_join(
            unit=form.unit,
            name=data["name"],
            mobile=data["mobile"],
            age=data["age"],
            epic=data["epic"],
            gender=data["gender"],
            referral=link if link.kind != ReferralCode.Kind.UNIT else None,
            token=data["token"],
            language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("hi", "en") else "hi",
            requested_from=client_ip(request),
        )
    except MembershipError as error:
        form.add_error("age" if error.code == "under_age" else None, error.messages)
        return _form_page(request, link, form)
    # The same page whether the number is new, pending or a member already: it is no oracle of who joined.
    return _code_page(
        request,
        link,
        pending=_pending_token(answer.member, answer.challenge_id),
        masked=mask_mobile(answer.member.mobile),
        problem=answer.problem,
    )


def _form_page(request, link: ReferralCode, form: JoinForm, token: str | None = None, problem: str = ""):
    if token is None:
        token = form.cleaned_data.get("token") if hasattr(form, "cleaned_data") else None
        token = token if isinstance(token, str) and token else secrets.token_urlsafe(24)
    context = {
        "link": link,
        "unit": link.unit,
        "form": form,
        "token": token,
        "honeypot": HONEYPOT,
        "notice": services.notice_current(),
        "booth_label": form.booth_label(),
        "booth_id": str(form.picked.pk) if form.picked is not None else "",
        "min_age": services.min_age(),
        "problem": problem,
    }
    return render(request, "membership/public/join.html", context)


def _code_page(request, link, *, pending: str, masked: str, problem: str = "", code_form=None, spent=False):
    context = {
        "link": link,
        "unit": link.unit,
        "pending": pending,
        "masked_mobile": masked,
        "problem": problem,
        "code_form": code_form or CodeForm(),
        "code_spent": spent,
        "missed_call_number": getattr(settings, "MEMBERSHIP_MISSED_CALL_NUMBER", ""),
    }
    return render(request, "membership/public/code.html", context)


def _check_code(request, link: ReferralCode, pending: dict):
    code_form = CodeForm(request.POST)
    masked = mask_mobile(pending["n"])
    token = request.POST.get("pending", "")
    if not code_form.is_valid():
        return _code_page(request, link, pending=token, masked=masked, code_form=code_form)
    if _over_limit(request, "code-tries", "MEMBERSHIP_CODE_TRIES_RATE_IP"):
        return _too_many(request)
    try:
        member = services.member_confirm(
            member_id=pending["m"],
            challenge_id=pending["c"],
            mobile=pending["n"],
            code=code_form.cleaned_data["code"],
            form_token=pending["t"],
        )
    except VerificationError as error:
        if error.code == "used":  # a double click on "confirm": the first click verified this very code
            member = services.confirmed_recently(member_id=pending["m"], challenge_id=pending["c"], mobile=pending["n"])
            if member is not None:
                return _member_page(request, member)
        code_form.add_error("code", error.messages)
        spent = error.code in ("too_many_tries", "used", "expired")
        return _code_page(request, link, pending=token, masked=masked, code_form=code_form, spent=spent)
    except MembershipError as error:
        return _code_page(request, link, pending=token, masked=masked, problem=" ".join(error.messages), spent=True)
    return _member_page(request, member)


def _called(request, link: ReferralCode, pending: dict):
    """ "I have given the missed call": the member page once the gateway's report confirmed this page's code
    (``membership.missed_call``), else the code page again saying the call has not arrived."""
    member = services.confirmed_recently(member_id=pending["m"], challenge_id=pending["c"], mobile=pending["n"])
    if member is not None:
        return _member_page(request, member)
    problem = _("Your call has not reached us yet. Wait a moment and press the button again, or enter the code.")
    token = request.POST.get("pending", "")
    return _code_page(request, link, pending=token, masked=mask_mobile(pending["n"]), problem=problem)


def _resend(request, link: ReferralCode, pending: dict):
    def by_mobile(group, request):
        return pending["n"]

    masked = mask_mobile(pending["n"])
    if _over_limit(request, "join-mobile", "MEMBERSHIP_JOIN_RATE_MOBILE", key=by_mobile):
        return _too_many(request)
    try:
        answer = services.member_code_resend(
            member_id=pending["m"],
            mobile=pending["n"],
            form_token=pending["t"],
            language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("hi", "en") else "hi",
            requested_from=client_ip(request),
        )
    except MembershipError as error:
        return _code_page(request, link, pending="", masked=masked, problem=" ".join(error.messages), spent=True)
    token = _pending_token(answer.member, answer.challenge_id)
    return _code_page(request, link, pending=token, masked=masked, problem=answer.problem)


def _member_page(request, member: Member):
    """What the proven holder of the number sees: their membership, card and own referral link."""
    own = selectors.own_code(member)
    context = {
        "member": member,
        "unit": member.unit,
        "card_url": reverse("membership_public:card", args=[signing.dumps(member.pk, salt=CARD_SALT, compress=True)]),
        "own_link": _join_url(request, own) if own else "",
        "own_qr": reverse("membership_public:qr_svg", args=[own.code]) if own else "",
    }
    return render(request, "membership/public/member.html", context)


@require_GET
def places(request, code):
    """The booth type-ahead: at most 20 booths under the link's unit."""
    link = _link(code)
    if link is None:
        raise Http404
    if _over_limit(request, "places", "MEMBERSHIP_PLACES_RATE_IP"):
        return HttpResponse(status=429)
    query = request.GET.get("q", request.GET.get("booth_q", ""))
    units = booth_matches(link.unit, query=query)
    context = {"units": units[:PLACE_MATCHES], "more": len(units) > PLACE_MATCHES, "step": {"code": "booth"}}
    return render(request, "recruitment/public/partials/places.html", context)


# ---------------------------------------------------------------- the card, its check, "not me"


@require_GET
def card(request, token):
    try:
        pk = signing.loads(token or "", salt=CARD_SALT, max_age=CARD_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    member = selectors.counted_member(pk) if isinstance(pk, int) else None
    if member is None:
        raise Http404
    if _over_limit(request, "card", "MEMBERSHIP_CARD_RATE_IP"):
        return _too_many(request)
    check_url = request.build_absolute_uri(reverse("membership_public:check", args=[services.check_token(member)]))
    response = HttpResponse(card_pdf(member, check_url=check_url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="membership-{member.pk}.pdf"'
    return response


@require_GET
def check(request, token):
    """What scanning a card's QR code shows: initials, unit and status, nothing more."""
    if _over_limit(request, "check", "MEMBERSHIP_CHECK_RATE_IP"):
        return _too_many(request)
    member = services.member_for_check(token)
    if member is None:
        return _not_found(request)
    return render(request, "membership/public/check.html", {"member": member, "unit": member.unit})


@never_cache
@require_http_methods(["GET", "POST"])
def not_me(request, token):
    """The welcome SMS's "not me" link: a confirmation step (a link preview or a scanner opening the link
    changes nothing), then the membership is revoked and stops counting."""
    member = services.member_for_not_me(token)
    if member is None:
        return _not_found(request)
    if request.method == "GET":
        done = member.status == Member.Status.REVOKED
        return render(request, "membership/public/not_me.html", {"member": member, "done": done})
    if _over_limit(request, "not-me", "MEMBERSHIP_NOT_ME_RATE_IP"):
        return _too_many(request)
    if request.POST.get("confirm") != "yes":
        context = {"member": member, "error": _("Tick the box to confirm.")}
        return render(request, "membership/public/not_me.html", context)
    member = services.member_not_me(token=token)
    return render(request, "membership/public/not_me.html", {"member": member, "done": True})


# ---------------------------------------------------------------- the link's QR code and poster


def _join_url(request, link: ReferralCode) -> str:
    return request.build_absolute_uri(reverse("membership_public:join", args=[link.code]))


@require_GET
def qr_code(request, code):
    link = _link(code)
    if link is None:
        raise Http404
    response = HttpResponse(qr_svg(_join_url(request, link)), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"  # a public link: no personal data
    return response


@require_GET
def poster(request, code):
    link = _link(code)
    if link is None:
        raise Http404
    join_url = _join_url(request, link)
    fingerprint = repr((join_url, link.unit.name_hi, link.unit.name_en, link.unit.number))
    key = f"membership:poster:{link.pk}:{hashlib.sha256(fingerprint.encode()).hexdigest()}"
    pdf = cache.get(key)
    if pdf is None:
        # Drawing a poster takes the better part of a second: draw each version once.
        if _over_limit(request, "poster", "MEMBERSHIP_POSTER_RATE_IP"):
            return _too_many(request)
        pdf = poster_pdf(link, join_url=join_url)
        cache.set(key, pdf, POSTER_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="join-{link.code}.pdf"'
    response["Cache-Control"] = "public, max-age=3600"
    return response
