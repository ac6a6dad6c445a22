"""The recipient's link: a signed, timestamped token naming one delivery, so that it needs no login.

The signing is ``core.signedlinks`` (the control room's report links use it too); the salt and the token's
format are the ones outreach always had, so links already sent keep opening."""

from django.urls import reverse

from sangathan.core.signedlinks import token_for, value_from_token
from sangathan.outreach.services.settings import link_max_age, public_base_url

TOKEN_SALT = "sangathan.outreach.delivery"  # noqa: S105 - a signing salt, not a password


def delivery_token(delivery_id: int) -> str:
    """A signed, timestamped token naming one delivery: the recipient's link needs no login."""
    return token_for(delivery_id, salt=TOKEN_SALT)


def delivery_from_token(token: str) -> tuple[int | None, str]:
    """(delivery id, "") for a good token; (None, "expired") or (None, "bad") otherwise."""
    return value_from_token(token, salt=TOKEN_SALT, max_age=link_max_age())


def delivery_link(delivery_id: int) -> str:
    return public_base_url() + reverse("outreach_public:open", args=[delivery_token(delivery_id)])
