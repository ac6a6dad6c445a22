"""Rate limits of the public pages (django-ratelimit on the shared cache). The rate is a setting read at
each request, so deployments (and tests) can change it."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited


def over_limit(request, *, group: str, setting: str, default: str, key="ip") -> bool:
    """Count this request against ``group``'s limit (``settings.<setting>``, else ``default``, e.g. "20/h");
    True once it is over. ``key`` is "ip" or a callable ``(group, request) -> str``."""
    rate = getattr(settings, setting, default)
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
