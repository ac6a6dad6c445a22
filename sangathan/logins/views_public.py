"""The invitation link: an office-bearer sets a password and lands on their unit. No sign-in needed; the
signed one-time link is the proof (it went to their own phone or mailbox), and the POSTs are rate-limited
per address."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.core.ratelimits import limited_response, over_limit
from sangathan.logins import services
from sangathan.logins.errors import LoginError
from sangathan.logins.forms import ChoosePasswordForm

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
