"""The recipient's link: a signed, timestamped token naming one delivery, so that it needs no login."""

from django.core import signing
from django.urls import reverse

from sangathan.outreach.services.settings import link_max_age, public_base_url

TOKEN_SALT = "sangathan.outreach.delivery"  # noqa: S105 - a signing salt, not a password


def delivery_token(delivery_id: int) -> str:
    """A signed, timestamped token naming one delivery: the recipient's link needs no login."""
    return signing.dumps(delivery_id, salt=TOKEN_SALT, compress=False)


def delivery_from_token(token: str) -> tuple[int | None, str]:
    """(delivery id, "") for a good token; (None, "expired") or (None, "bad") otherwise."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "bad"
    if not isinstance(value, int) or isinstance(value, bool):
        return None, "bad"
    return value, ""


def delivery_link(delivery_id: int) -> str:
    return public_base_url() + reverse("outreach_public:open", args=[delivery_token(delivery_id)])
