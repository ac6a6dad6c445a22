"""The invitation link: an office-bearer sets a password and lands on their unit. No sign-in needed; the
signed one-time link is the proof (it went to their own phone or mailbox), and the POSTs are rate-limited
per address."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.core.clientip import client_ip
from sangathan.core.ratelimits import limited_response, over_limit
from sangathan.logins import services
from sangathan.logins.errors import LoginError
from sangathan.logins.forms import ChoosePasswordForm
from sangathan.org.errors import OrgError
from sangathan.org.phones import normalise_mobile
from sangathan.verification.errors import VerificationError
from sangathan.verification.services import send_limit_error, sends_per_hour

BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
def accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except LoginError as error:
        status = 404 if error.code == "invalid" else 410
        return render(request, "logins/accept_invalid.html", {"error": error.messages[0]}, status=status)
    user = invitation.login.user
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST":
        if over_limit(request, group="logins.accept", setting="LOGIN_ACCEPT_RATE", default="30/h"):
            return limited_response(
                request, "logins/accept_invalid.html", {"error": _("Too many tries. Please wait a while.")}
            )
        if form.is_valid():
            try:
                invitation = services.invitation_accept(token=token, password=form.cleaned_data["new_password1"])
            except LoginError as error:
                form.add_error(None, error)
            else:
                auth_login(request, invitation.login.user, backend=BACKEND)
                messages.success(
                    request,
                    _("Welcome! Your password is set. Next time sign in as %(username)s.")
                    % {"username": user.username},
                )
                return redirect("org:unit", pk=invitation.unit_id)
    context = {"form": form, "invitation": invitation, "person": invitation.login.person, "username": user.username}
    return render(request, "logins/accept.html", context)


CODE_SESSION = "logins_code_sign_in"


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=gettext_lazy("Your mobile number"), max_length=25, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def clean_mobile(self):
        try:
            return normalise_mobile(self.cleaned_data["mobile"])
        except OrgError as error:
            raise forms.ValidationError(error.messages) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The 6-digit code in the SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@require_http_methods(["GET", "POST"])
def code_sign_in(request):
    """Sign in with a code sent to the mobile: for an office-bearer without a password (or who forgot it)."""
    step = request.POST.get("step", "")
    pending = request.session.get(CODE_SESSION)
    if request.method == "POST" and step == "send":
        if over_limit(request, group="logins.code_send", setting="LOGIN_CODE_SEND_RATE", default="10/h"):
            return limited_response(
                request, "logins/accept_invalid.html", {"error": _("Too many tries. Please wait a while.")}
            )
        form = MobileForm(request.POST)
        if form.is_valid():
            mobile = form.cleaned_data["mobile"]
            try:
                # Codes per number are counted whether or not the number has a login: the answer is the same.
                if over_limit(
                    request,
                    group="logins.code_send_mobile",
                    setting="LOGIN_CODE_SEND_RATE_MOBILE",
                    default=f"{sends_per_hour()}/h",
                    key=lambda group, request: mobile,
                ):
                    raise send_limit_error()
                challenge = services.sign_in_code_send(
                    mobile=mobile, language=get_language() or "hi", requested_from=client_ip(request)
                )
            except VerificationError as error:
                form.add_error("mobile", error)
            else:
                request.session[CODE_SESSION] = {"m": mobile, "c": challenge.pk if challenge else None}
                return render(request, "logins/code.html", {"step": "code", "form": CodeForm()})
        return render(request, "logins/code.html", {"step": "mobile", "form": form}, status=400)
    if request.method == "POST" and step == "code" and pending:
        if over_limit(request, group="logins.code_try", setting="LOGIN_CODE_TRY_RATE", default="30/h"):
            return limited_response(
                request, "logins/accept_invalid.html", {"error": _("Too many tries. Please wait a while.")}
            )
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                user = services.sign_in_code_confirm(
                    mobile=pending["m"], challenge_id=pending.get("c"), code=form.cleaned_data["code"]
                )
            except VerificationError as error:
                form.add_error("code", error)
            else:
                request.session.pop(CODE_SESSION, None)
                auth_login(request, user, backend=BACKEND)
                return redirect("home")
        return render(request, "logins/code.html", {"step": "code", "form": form}, status=400)
    return render(request, "logins/code.html", {"step": "mobile", "form": MobileForm()})
