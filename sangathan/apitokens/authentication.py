"""The API's token sign-in: ``Authorization: Token <secret>`` (or ``Bearer <secret>``) signs in as the token's
user, with that user's roles and so their scope. A revoked, expired or unknown token answers 401 with a
message that says which."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from sangathan.apitokens import selectors, services
from sangathan.apitokens.models import TokenStatus

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not a token: the session may still sign the request in
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Token <token>."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid.")) from None
        token = selectors.api_token_by_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API token is not valid."))
        now = timezone.now()
        status = token.status_at(now)
        if status == TokenStatus.REVOKED:
            raise exceptions.AuthenticationFailed(_("This API token has been revoked."))
        if status == TokenStatus.EXPIRED:
            raise exceptions.AuthenticationFailed(_("This API token has expired. Make a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is switched off."))
        services.api_token_mark_used(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'
