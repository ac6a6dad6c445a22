"""Demo data for `sangathan demo`: consent records of the demo drive's applicants and two data requests
(an open correction, a copy handed over) so that /privacy/ has something to show."""

from sangathan.privacy import services
from sangathan.privacy.models import DataRequest
from sangathan.recruitment.models import Application


def demo_privacy(*, stdout=None) -> int:
    """Record every consent and add two requests (once). Returns how many requests it made."""
    services.consents_sync()
    if DataRequest.objects.exists():
        return 0
    applications = list(Application.objects.exclude(mobile__startswith=services.ERASED_PREFIX).order_by("pk")[:2])
    made = 0
    for application, kind, details in zip(
        applications,
        [DataRequest.Kind.CORRECTION, DataRequest.Kind.ACCESS],
        ["मेरा शिक्षा का विवरण 'एम.ए.' होना चाहिए, 'बी.ए.' नहीं।", ""],
        strict=False,
    ):
        services.request_create(kind=kind, application=application, details=details, via=DataRequest.Via.STATUS_PAGE)
        made += 1
    if stdout is not None and made:
        stdout.write("Personal data requests: /privacy/ (an open correction request is waiting).")
    return made
