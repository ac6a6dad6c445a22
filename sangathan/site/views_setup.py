"""The first run: on an installation with no units, a signed-in superuser is sent to the set-up page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.org.views import home as org_home
from sangathan.site import services
from sangathan.site.forms import SetupForm


@login_required
def home(request):
    if request.user.is_superuser and services.is_fresh():
        return redirect("setup")
    return org_home(request)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    if not services.is_fresh():
        messages.info(request, _("This installation is already set up."))
        return redirect("home")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.organisation_setup(
                name_hi=data["name_hi"],
                name_en=data["name_en"],
                national_hi=data["national_hi"],
                national_en=data["national_en"],
                states=data["states"],
                chain=data["chain"],
                admin_username=data["admin_username"],
                admin_password=data["admin_password1"],
                by=request.user,
            )
        except services.SetupError as error:
            field = {
                "username_invalid": "admin_username",
                "username_missing": "admin_username",
                "username_taken": "admin_username",
                "password_weak": "admin_password1",
            }.get(error.code)
            form.add_error(field, error)
        else:
            messages.success(
                request,
                _("Set up: %(states)d state(s). %(admin)s can sign in as the state admin of %(state)s.")
                % {"states": len(result.states), "admin": result.admin.username, "state": result.states[0].name},
            )
            return redirect("org:unit", pk=result.national.pk)
    return render(request, "site/setup.html", {"form": form}, status=400 if form.errors else 200)
