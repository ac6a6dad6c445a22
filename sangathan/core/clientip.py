"""The address a request came from: one rule for the sign-in lock-out (django-axes), the rate limits of the
public pages (django-ratelimit), the API's throttling and the audit trail.

Behind reverse proxies ``REMOTE_ADDR`` is the nearest proxy, and the client is in ``X-Forwarded-For``. That
header is a list anyone can start: each proxy appends the address it saw to whatever arrived. So only the
rightmost ``PROXY_COUNT`` entries were written by our own proxies, and the client is the ``PROXY_COUNT``-th
from the right; anything left of it is the client's to forge. With ``PROXY_COUNT`` = 0 (no proxy, the
default) the header is ignored. A list shorter than ``PROXY_COUNT`` did not pass through all our proxies:
the header is not believed and ``REMOTE_ADDR`` counts.

Why not django-ipware (python-ipware): it reads some twenty headers (``X-Real-IP``, ``CF-Connecting-IP``,
``True-Client-IP``…) that any client can send, prefers a public address over a private one across them,
and counts proxies differently (its ``proxy_count`` expects the proxies' own addresses in the list). A
dozen lines that do exactly the rule above are easier to hold than its settings.
"""

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"  # noqa: S104 - a rate-limit bucket for requests whose address cannot be told, not a bind


def client_ip(request) -> str | None:
    """The client's address (normalised, e.g. ``2001:db8::1``), or None when it cannot be told."""
    address = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def client_ip_for_rate_limits(request) -> str:
    """``client_ip`` for django-ratelimit's ``ip`` key (``RATELIMIT_IP_META_KEY``), which needs an address:
    requests whose address cannot be told share one bucket."""
    return client_ip(request) or UNKNOWN
