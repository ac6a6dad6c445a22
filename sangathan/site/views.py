"""Pages that gather several apps: the user's account (roles and two-factor sign-in from ``access``, API
tokens from ``apitokens``)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from sangathan.access.models import RoleAssignment
from sangathan.access.signin import has_second_factor, is_admin
from sangathan.apitokens.selectors import api_tokens_active_count


@login_required
def account(request):
    """Who I am here: my roles and where, whether my sign-in needs a second factor, my API tokens."""
    user = request.user
    context = {
        "roles": RoleAssignment.objects.filter(user=user).select_related("unit__level").order_by("unit__path", "role"),
        "second_factor_on": has_second_factor(user),
        "second_factor_required": settings.REQUIRE_2FA and is_admin(user),
        "tokens_active": api_tokens_active_count(user),
    }
    return render(request, "site/account.html", context)
