"""Writes of API tokens: make one (the secret is returned once and never stored), revoke one, note its use."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.apitokens.models import ApiToken
from sangathan.apitokens.selectors import api_tokens_active_count, digest_of

# The fixed start of every secret (not a secret itself): says where a leaked one came from.
SECRET_START = "sgn_"  # noqa: S105
PREFIX_LENGTH = len(SECRET_START) + 8
EXPIRY_DAYS = (30, 90, 365)
DEFAULT_EXPIRY_DAYS = 90
MAX_ACTIVE_PER_USER = 20
USED_EVERY = datetime.timedelta(minutes=1)  # "last used" is written at most this often per token


def default_expiry_days() -> int:
    return int(getattr(settings, "API_TOKEN_DEFAULT_DAYS", DEFAULT_EXPIRY_DAYS))


def expiry_choices() -> list[int]:
    return sorted({*EXPIRY_DAYS, default_expiry_days()})


@transaction.atomic
def api_token_create(*, user, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for ``days``; returns it with its secret, which only the caller sees."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if days not in expiry_choices():
        raise ValidationError({"days": _("Choose how long the token stays valid.")})
    now = timezone.now()
    # One user's tokens are made one at a time, so two requests at once cannot pass the limit together.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    if api_tokens_active_count(user) >= MAX_ACTIVE_PER_USER:
        raise ValidationError(
            _("You already have %(count)s active tokens. Revoke one you no longer use first.")
            % {"count": MAX_ACTIVE_PER_USER}
        )
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        digest=digest_of(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token`` at once (the audit trail records it); revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken, now: datetime.datetime) -> None:
    """Note that ``token`` was used, at most once a minute (not a write per API call)."""
    if token.last_used_at is not None and now - token.last_used_at < USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - USED_EVERY)
    ).update(last_used_at=now)
