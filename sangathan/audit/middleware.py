"""Ties every audit entry written during a request to the signed-in user and their address."""

import ipaddress

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.conf import settings


def client_address(request) -> str | None:
    """The address the request came from, trusting ``X-Forwarded-For`` only as far as our own proxies.

    With ``PROXY_COUNT`` = 0 (no proxy) the header is ignored: anyone can send it. With N proxies the
    client is the N-th address from the right of the header (each proxy appends the one it saw).
    """
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    address = request.META.get("REMOTE_ADDR")
    if count > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (actor, correlation id) with our proxy-aware client address."""

    def get_extra_data(self, request):
        # ``request.user`` is passed unevaluated: it is read only when an entry is written, so pages
        # that write nothing cost no extra query (auditlog checks it is a real user at that moment).
        return {"remote_addr": client_address(request), "remote_port": None, "actor": getattr(request, "user", None)}

    def __call__(self, request):
        try:
            return super().__call__(request)
        finally:
            auditlog_value.set({})  # the request is over: nothing after it may pass for its user
