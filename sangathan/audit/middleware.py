"""Ties every audit entry written during a request to the signed-in user and their address."""

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.utils.functional import SimpleLazyObject

from sangathan.core.clientip import client_ip


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (actor, correlation id) with our proxy-aware client address
    (``PROXY_COUNT``, the same rule as the lock-out and the rate limits)."""

    def get_extra_data(self, request):
        # ``request.user`` is read only when an entry is written, so pages that write nothing cost no extra
        # query (auditlog checks it is a real user at that moment). Read through a lambda, not captured: the
        # API signs in inside the view (a token; DRF then sets ``request.user``), after this middleware ran.
        return {
            "remote_addr": client_ip(request),
            "remote_port": None,
            "actor": SimpleLazyObject(lambda: getattr(request, "user", None)),
        }

    def __call__(self, request):
        try:
            return super().__call__(request)
        finally:
            # The request is over: nothing after it may pass for its user. Not an empty dict: auditlog's
            # receivers are connected process-wide while a request runs, and one running in this thread for
            # another thread's request reads ``["signal_duid"]`` here (a KeyError, seen with a live server);
            # a duid no receiver has makes them all step aside.
            auditlog_value.set({"signal_duid": None})
