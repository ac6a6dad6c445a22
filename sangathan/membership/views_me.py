"""The member's own data, reached without a login at /join/me/ (``membership.rights``):

1. the member types their mobile number; if it is a member's, a code goes to it. The page that follows is
   the same whether it is or not (no oracle of who is a member), and the state is kept in the server-side
   session, never in the page (a signed note is readable);
2. the code typed back proves the number: the session (its key renewed) then holds the member's id, the
   number and the confirmed code's id for ``ME_MINUTES``; every later request checks that code is still
   confirmed for that member and number, and that the member still holds it;
3. the data page: what is held, a correction of the name and booth, a JSON download, and withdrawal.

What protects it: rate limits per address and per number (the shared cache), the verification service's
3 codes per number per hour and 5 tries per code (a number that is no member's gets the same answers, try by
try: used up by the 5th wrong try, "expired" after the code's lifetime), single-use codes (a replayed confirmation is refused), POST-only writes with CSRF, and a
session that ends with the withdrawal.
"""

import json

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.core.clientip import client_ip
from sangathan.core.ratelimits import over_limit
from sangathan.membership import rights, selectors
from sangathan.membership.errors import MembershipError
from sangathan.membership.forms_public import PLACE_MATCHES, CodeForm, booth_matches
from sangathan.membership.models import NAME_MAX, Member
from sangathan.membership.privacy_subject import MEMBER
from sangathan.membership.services import PURPOSE
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Unit
from sangathan.org.phones import form_mobile
from sangathan.privacy.public import subject_ticket_for
from sangathan.recruitment.forms_public import NameField, _text_errors, mobile_field, unit_id
from sangathan.verification import services as verification
from sangathan.verification.errors import VerificationError

SESSION_KEY = "membership_me"
ASK_SECONDS = 15 * 60
ME_MINUTES = 30
RATE_DEFAULTS = {
    "MEMBERSHIP_ME_RATE_IP": "20/h",
    # Per number, member or not: 3 an hour, like the codes a number may get, so the 4th ask is refused
    # for every number alike before the verification service could refuse only members' numbers.
    "MEMBERSHIP_ME_RATE_MOBILE": "3/h",
    "MEMBERSHIP_ME_TRIES_RATE_IP": "30/h",
    "MEMBERSHIP_ME_PLACES_RATE_IP": "300/h",
}


def _now() -> float:
    """The clock of these pages, the verification service's (``timezone.now``), as seconds."""
    return timezone.now().timestamp()


def _over_limit(request, group: str, setting: str, key="ip") -> bool:
    return over_limit(request, group=f"membership.{group}", setting=setting, default=RATE_DEFAULTS[setting], key=key)


def _too_many(request) -> HttpResponse:
    response = render(request, "recruitment/public/limited.html", {}, status=429)
    response["Retry-After"] = "3600"
    return response


class AskForm(forms.Form):
    mobile = mobile_field()

    def clean_mobile(self):
        return form_mobile(self.cleaned_data["mobile"])


class CorrectForm(forms.Form):
    name = NameField(
        label=gettext_lazy("Your name"),
        script="either",
        required=True,
        max_length=NAME_MAX,
        error_messages=_text_errors(required=gettext_lazy("Enter your name.")),
    )
    booth = forms.Field(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, member: Member, **kwargs):
        super().__init__(data, **kwargs)
        self.member = member
        self.booth_unit: Unit | None = None

    def clean_booth(self):
        raw = self.cleaned_data.get("booth")
        raw = raw.strip() if isinstance(raw, str) else ""
        if not raw:
            return None
        booth = rights.booth_within(_picker_root(self.member), unit_id(raw))
        if booth is None:
            raise forms.ValidationError(_("Type your booth and choose it from the list, or leave it empty."))
        self.booth_unit = booth
        return booth.pk


def _picker_root(member: Member) -> Unit:
    """Where the member may move their booth: within their district (or the highest unit above them if the
    tree has no district), so a correction is a correction, not a transfer to another state's count."""
    ancestors = selectors.ancestors_of(member.unit)
    district = next((u for u in ancestors if u.level.code == "district"), None)
    return district or (ancestors[-1] if ancestors else member.unit)


# ---------------------------------------------------------------- the session


def _proven(request) -> Member | None:
    """The member this session proved, or None (no session, expired, not confirmed, number changed)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or not data.get("ok"):
        return None
    if not isinstance(data.get("until"), (int, float)) or data["until"] < _now():
        return None
    m, n, c = data.get("m"), data.get("n"), data.get("c")
    if not (isinstance(m, int) and isinstance(n, str) and isinstance(c, int)) or not m:
        return None
    if not verification.is_confirmed(challenge_id=c, mobile=n, purpose=PURPOSE, subject=rights.self_subject(m)):
        return None
    return rights.member_for_self(member_id=m, mobile=n)


def _asked(request) -> dict | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("ok") or data.get("until", 0) < _now():
        return None
    return data


# ---------------------------------------------------------------- pages


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request):
    """Step 1 and 2: the mobile number, then the code."""
    if request.method == "GET":
        if _proven(request) is not None:
            return redirect("membership_public:me_data")
        return render(request, "membership/public/me_ask.html", {"form": AskForm()})
    if request.POST.get("step") == "code":
        return _confirm(request)
    if _over_limit(request, "me", "MEMBERSHIP_ME_RATE_IP"):
        return _too_many(request)
    form = AskForm(request.POST)
    if not form.is_valid():
        return render(request, "membership/public/me_ask.html", {"form": form})
    mobile = form.cleaned_data["mobile"]
    if _over_limit(request, "me-mobile", "MEMBERSHIP_ME_RATE_MOBILE", key=lambda group, request: mobile):
        return _too_many(request)
    problem = ""
    member_id, challenge_id = 0, 0
    try:
        verification.send_limit_check(mobile=mobile)  # first for every number: the refusal tells nothing
        member = rights.member_for_number(mobile)
        if member is not None:
            challenge = verification.challenge_send(
                mobile=mobile,
                purpose=PURPOSE,
                subject=rights.self_subject(member.pk),
                language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("hi", "en") else "hi",
                requested_from=client_ip(request),
            )
            member_id, challenge_id = member.pk, challenge.pk
    except VerificationError as error:
        problem = " ".join(error.messages)
    request.session[SESSION_KEY] = {
        "m": member_id,
        "n": mobile,
        "c": challenge_id,
        "tries": 0,
        "asked_at": _now(),
        "until": _now() + ASK_SECONDS,
    }
    return _code_page(request, mobile, problem=problem)


def _code_page(request, mobile: str, *, code_form=None, problem: str = "", spent: bool = False, status: int = 200):
    context = {"masked_mobile": mask_mobile(mobile), "code_form": code_form or CodeForm(), "problem": problem}
    context["code_spent"] = spent
    return render(request, "membership/public/me_code.html", context, status=status)


def _confirm(request):
    asked = _asked(request)
    if asked is None:
        form = AskForm()
        problem = _("This page has expired. Please enter your mobile number again.")
        return render(request, "membership/public/me_ask.html", {"form": form, "problem": problem})
    code_form = CodeForm(request.POST)
    if not code_form.is_valid():
        return _code_page(request, asked["n"], code_form=code_form)
    if _over_limit(request, "me-tries", "MEMBERSHIP_ME_TRIES_RATE_IP"):
        return _too_many(request)
    try:
        if not asked["m"]:
            _no_code(request, asked)
        verification.challenge_confirm(
            challenge_id=asked["c"],
            mobile=asked["n"],
            purpose=PURPOSE,
            subject=rights.self_subject(asked["m"]),
            code=code_form.cleaned_data["code"],
        )
    except VerificationError as error:
        code_form.add_error("code", error.messages)
        spent = error.code in ("too_many_tries", "used", "expired")
        return _code_page(request, asked["n"], code_form=code_form, spent=spent)
    request.session.cycle_key()  # a session fixed on the victim before the code is worth nothing after it
    request.session[SESSION_KEY] = {**asked, "ok": True, "until": _now() + ME_MINUTES * 60}
    return redirect("membership_public:me_data")


def _no_code(request, asked: dict) -> None:
    """A code typed for a number no member holds (no code was sent): every code is wrong, and the answers
    follow ``verification.challenge_confirm``'s rules try by try, so that they tell nothing: the code is used
    up by the ``max_tries()``-th wrong try, and after ``code_seconds()`` a try that is left answers "expired"
    (and is not counted). Always raises ``VerificationError``."""
    tries = int(asked.get("tries", 0))
    if tries >= verification.max_tries():
        raise VerificationError(_("That code was wrong too many times. Ask for a new code."), code="too_many_tries")
    asked_at = asked.get("asked_at")
    if not isinstance(asked_at, (int, float)) or _now() >= asked_at + verification.code_seconds():
        raise VerificationError(_("This code has expired. Ask for a new code."), code="expired")
    asked["tries"] = tries + 1
    request.session[SESSION_KEY] = asked
    if asked["tries"] >= verification.max_tries():
        raise VerificationError(_("That code was wrong too many times. Ask for a new code."), code="too_many_tries")
    raise VerificationError(_("That code is not right. Check the SMS and try again."), code="wrong_code")


def _start_again(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("membership_public:me")


@never_cache
@require_GET
def data(request):
    """Step 3: what is held about the proven member, the correction form, the download and withdrawal."""
    member = _proven(request)
    if member is None:
        return _start_again(request)
    return _data_page(request, member, CorrectForm(initial={"name": member.name}, member=member))


def _data_page(request, member: Member, form: CorrectForm, status: int = 200, withdraw_error: str = ""):
    session = request.session.get(SESSION_KEY) or {}
    context = {
        # The privacy pages' ticket: this member and the code confirmed for this session (privacy.public).
        "privacy_ticket": subject_ticket_for(kind=MEMBER.code, subject_id=member.pk, challenge_id=session.get("c", 0)),
        "withdraw_error": withdraw_error,
        "member": member,
        "held": rights.member_data(member),
        "form": form,
        "picker_root": _picker_root(member),
        "minutes": ME_MINUTES,
    }
    return render(request, "membership/public/me_data.html", context, status=status)


@never_cache
@require_GET
def download(request):
    member = _proven(request)
    if member is None:
        return _start_again(request)
    body = json.dumps(rights.member_data(member), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-membership-data-{member.pk}.json"'
    return response


@never_cache
@require_POST
def correct(request):
    member = _proven(request)
    if member is None:
        return _start_again(request)
    form = CorrectForm(request.POST, member=member)
    if not form.is_valid():
        return _data_page(request, member, form, status=400)
    try:
        rights.member_correct(member=member, name=form.cleaned_data["name"], unit=form.booth_unit)
    except MembershipError as error:
        form.add_error(None, error.messages)
        return _data_page(request, member, form, status=400)
    return redirect("membership_public:me_data")


@never_cache
@require_POST
def withdraw(request):
    member = _proven(request)
    if member is None:
        # Withdrawn a moment ago (a double click) or never proven: nothing to do here.
        return _start_again(request)
    if request.POST.get("confirm") != "yes":
        form = CorrectForm(initial={"name": member.name}, member=member)
        return _data_page(request, member, form, status=400, withdraw_error=_("Tick the box to confirm."))
    rights.member_withdraw(member=member)
    request.session.pop(SESSION_KEY, None)
    return render(request, "membership/public/me_done.html", {})


@never_cache
@require_GET
def places(request):
    """The booth type-ahead of the correction form, for a proven member only."""
    member = _proven(request)
    if member is None:
        return HttpResponse(status=403)
    if _over_limit(request, "me-places", "MEMBERSHIP_ME_PLACES_RATE_IP"):
        return HttpResponse(status=429)
    units = booth_matches(_picker_root(member), query=request.GET.get("q", request.GET.get("booth_q", "")))
    context = {"units": units[:PLACE_MATCHES], "more": len(units) > PLACE_MATCHES, "step": {"code": "booth"}}
    return render(request, "recruitment/public/partials/places.html", context)
