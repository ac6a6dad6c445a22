"""Requests and their latencies for Prometheus: one histogram, ``sangathan_http_request_seconds``, labelled by
the URL's name (never its parameters: no ids, tokens or numbers in a label), the method and the status; its
``_count`` is the number of requests.

Why not django-prometheus's middlewares: they update nine labelled series per request (by view, status,
template, charset, body size, ...): 118 µs a request here against 10 µs for this one histogram (best of seven
runs of 3,000 requests through each around the same trivial view, on this 2-core machine shared with others),
and the public form's POST is held to a throughput target (docs/benchmarks.md).
"""

import time

from prometheus_client import Histogram

REQUESTS = Histogram(
    "sangathan_http_request_seconds",
    "Time from the first middleware to the response, by URL name, method and status.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unresolved"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
