"""The "API tokens" page: a signed-in user lists, makes and revokes their own tokens.

A new token's secret is shown once, in the answer to the POST that made it (never stored, never put in the
session), with ``Cache-Control: no-store``. Admin roles must have confirmed this sign-in with the second factor
to make a token, as for every other page (``SignInPolicyMiddleware``); the view checks it again because a token
outlives the session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sangathan.access.signin import needs_two_factor
from sangathan.apitokens import selectors, services
from sangathan.apitokens.forms import TokenForm


def _second_factor_missing(user) -> bool:
    return needs_two_factor(user) and not user.is_verified()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    user = request.user
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and not _second_factor_missing(user) and form.is_valid():
        try:
            created, secret = services.api_token_create(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "tokens": selectors.api_tokens_of(user=user),
        "created": created,
        "secret": secret,
        "second_factor_missing": _second_factor_missing(user),
    }
    status = 200
    if request.method == "POST" and created is None:
        status = 403 if context["second_factor_missing"] else 400
    return render(request, "apitokens/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk: int):
    token = selectors.api_token_of(user=request.user, pk=pk)
    if request.method == "POST":
        services.api_token_revoke(token=token)
        messages.success(
            request,
            _("The token “%(name)s” is revoked. Programs using it can no longer sign in.") % {"name": token.name},
        )
        return redirect("apitokens:list")
    return render(request, "apitokens/revoke.html", {"token": token})
