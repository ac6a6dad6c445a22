"""``/healthz``, ``/readyz`` and ``/metrics`` (docs/operations.md).

``/healthz`` and ``/readyz`` are public (a load balancer asks them without credentials) and tell nothing
personal; ``/readyz`` answers from a copy at most ``READYZ_CACHE_SECONDS`` old per process, so a flood of
probes costs the database and Redis at most one round trip per second per process. ``/metrics`` is for the
monitoring system only: a bearer token (``METRICS_TOKEN``) or an address in ``METRICS_ALLOWED_IPS``.
"""

import hmac
import ipaddress
import threading
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from sangathan.core.clientip import client_ip
from sangathan.ops import health, metrics

_readiness_lock = threading.Lock()
_readiness: tuple[float, bool, dict] | None = None


@require_safe
def healthz(request):
    """The process is up and answers: nothing else is touched (no database, no Redis)."""
    return JsonResponse({"status": "ok"})


def cached_readiness() -> tuple[bool, dict]:
    global _readiness
    seconds = settings.READYZ_CACHE_SECONDS
    with _readiness_lock:
        now = time.monotonic()
        if _readiness is None or seconds <= 0 or now - _readiness[0] >= seconds:
            ready, report = health.readiness()
            _readiness = (now, ready, report)
        return _readiness[1], _readiness[2]


@require_safe
def readyz(request):
    """200 when this process can serve (database, Redis when configured), else 503 with what failed; with the
    queues' depths, the last runs of beat's tasks and the replica's lag (or that it does not answer)."""
    try:
        ready, report = cached_readiness()
    except Exception as error:  # never a 500 from the probe itself
        ready, report = False, {"ready": False, "failed": ["readyz"], "error": type(error).__name__}
    return JsonResponse(report, status=200 if ready else 503)


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    address = client_ip(request)
    if address is None or not settings.METRICS_ALLOWED_IPS:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


@require_safe
def metrics_view(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
