"""Optional error reporting to a Sentry-compatible service (Sentry, GlitchTip, ...), on when ``SENTRY_DSN``
is set, in every process that loads Django (web, workers, beat).

Never personal data: ``send_default_pii=False`` (no user, no client address, no cookies, no request
bodies), and ``before_send`` drops what Sentry's Django integration may still attach from a request (its
query string, headers and data) and keeps only the path, the method and the request id.
"""

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from sangathan.core.requestid import current_request_id


def scrub(event: dict, hint: dict) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {key: request[key] for key in ("url", "method") if key in request}
        if "url" in event["request"]:
            event["request"]["url"] = event["request"]["url"].split("?", 1)[0]
    event.pop("user", None)
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def start_reporting() -> bool:
    """Start the SDK when a DSN is configured; whether it was started."""
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        release=settings.SENTRY_RELEASE or None,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        send_default_pii=False,
        max_request_body_size="never",
        before_send=scrub,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return True
