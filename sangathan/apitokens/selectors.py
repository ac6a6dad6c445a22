"""Reads of API tokens. A user sees only their own tokens; anybody else's answer 404."""

import hashlib

from django.shortcuts import get_object_or_404
from django.utils import timezone

from sangathan.apitokens.models import ApiToken


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_tokens_of(*, user):
    return ApiToken.objects.filter(user=user)


def api_token_of(*, user, pk: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=pk, user=user)


def api_token_by_secret(secret: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first()


def api_tokens_active_count(user) -> int:
    return api_tokens_of(user=user).filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
