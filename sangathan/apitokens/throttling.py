"""Rate limits of the API (DRF throttling on the shared cache: Redis in production).

Signed-in callers are counted per user, with a short burst limit and a longer sustained one; anonymous
callers per address. The rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, read at each request (DRF's
own classes read them once at import), so deployments and tests can change them; ``None`` turns one off.
The caller's address is ``sangathan.core.clientip.client_ip``: the same rule as the sign-in lock-out and the
public pages' limits (``PROXY_COUNT``), not DRF's own reading of ``X-Forwarded-For``.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from sangathan.core.clientip import client_ip_for_rate_limits


class LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class _SignedInThrottle(LiveRateMixin, UserRateThrottle):
    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous calls are counted by AddressThrottle
        return super().get_cache_key(request, view)


class UserBurstThrottle(_SignedInThrottle):
    scope = "user_burst"


class UserSustainedThrottle(_SignedInThrottle):
    scope = "user_sustained"


class AddressThrottle(LiveRateMixin, AnonRateThrottle):
    scope = "anon"

    def get_ident(self, request):
        return client_ip_for_rate_limits(request)
