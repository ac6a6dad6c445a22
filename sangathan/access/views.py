"""Two-factor sign-in (TOTP, django-otp: set up an authenticator app once, then confirm each sign-in). The
account page, which also shows the API tokens, is composed at the project level (``sangathan.site.views``)."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangathan.access import services
from sangathan.access.services import CodeCheck
from sangathan.access.signin import CHOSE_SECOND_FACTOR, needs_two_factor
from sangathan.org.phones import ascii_digits


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The 6-digit code your authenticator app shows"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
        error_messages={"required": gettext_lazy("Enter the code.")},
    )

    def clean_code(self):
        code = ascii_digits(self.cleaned_data["code"]).replace(" ", "")
        if not (code.isdecimal() and len(code) == 6):
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@login_required
def two_factor(request):
    """Confirm this sign-in with a code; a user without an app set up sets one up here first."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = services.totp_device_start(user=user)
    if request.user.is_verified() and not setting_up:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if setting_up:
            result, device = services.totp_device_confirm(device=device, code=code, by=user)
        else:
            result, device = services.totp_code_check(device=device, code=code)
        if result is CodeCheck.ACCEPTED:
            if setting_up:
                request.session[CHOSE_SECOND_FACTOR] = True
                messages.success(request, _("Two-factor sign-in is on. Keep the authenticator app on your phone."))
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("That code did not match. Check the time on your phone and try the newest code.")
            if result is CodeCheck.WRONG
            else _("Too many wrong codes. Wait a minute and try again."),
        )
    context = {
        "form": form,
        "setting_up": setting_up,
        "required": needs_two_factor(user, request.session),
        "next": _next_url(request),
    }
    if setting_up:
        qr = segno.make(device.config_url, error="m")
        context["qr_svg_uri"] = qr.svg_data_uri(scale=5, border=4)
        key = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
        context["secret_groups"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return render(request, "access/two_factor.html", context)
