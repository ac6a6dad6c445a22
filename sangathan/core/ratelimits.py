"""Rate limits of the public pages (django-ratelimit on the shared cache). The rate is a setting read at
each request, so deployments (and tests) can change it."""

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

# Every limit here counts per hour, so an hour is when asking again is sure to be let through.
RETRY_AFTER_SECONDS = 3600


def over_limit(request, *, group: str, setting: str, default: str, key="ip") -> bool:
    """Count this request against ``group``'s limit (``settings.<setting>``, else ``default``, e.g. "20/h");
    True once it is over. ``key`` is "ip" or a callable ``(group, request) -> str``."""
    rate = getattr(settings, setting, default)
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def limited_response(request, template: str, context: Mapping | None = None) -> HttpResponse:
    """The page that says "please wait": 429 with ``Retry-After``, rendered in the user's language."""
    response = render(request, template, dict(context or {}), status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class PublicLimits:
    """One app's public limits: its groups are named ``<app>.<group>``, each rate is a setting with this app's
    default, and ``refused`` is the app's "please wait" page."""

    def __init__(self, *, app: str, defaults: Mapping[str, str], page: str) -> None:
        self.app = app
        self.defaults = defaults
        self.page = page

    def over(self, request, group: str, setting: str, key="ip") -> bool:
        """Count this request against ``<app>.<group>`` (``settings.<setting>``, else this app's default)."""
        return over_limit(
            request, group=f"{self.app}.{group}", setting=setting, default=self.defaults[setting], key=key
        )

    def refused(self, request, **context) -> HttpResponse:
        return limited_response(request, self.page, context)
