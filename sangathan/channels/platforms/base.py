"""One interface for reading an official account's numbers from its platform's API.

An adapter has ``fetch(account_id=..., token=..., since=..., today=...) -> list[DayNumbers]``: the numbers it
can give for the days from ``since`` to ``today`` (the APIs that only give today's totals return today's row).
It raises

- ``RateLimited(wait_seconds)`` on HTTP 429 (``Retry-After``, or X's ``x-rate-limit-reset`` epoch): the run
  stops for that channel and resumes after the wait from the last day stored, so no day is lost;
- ``CredentialRejected`` when the platform refuses the token or the account (401, 403, Meta's OAuth error 190,
  Telegram's "Unauthorized"/"chat not found"): retrying cannot help until a person sets a new token;
- ``PlatformError`` for everything that may pass (5xx, timeouts, a connection refused, an unreadable answer).

HTTP goes through ``get_json`` (``urllib``, a timeout on every call, no redirects). Tokens travel in URLs for
some platforms (Telegram's bot path, YouTube's key, Meta's access_token), so no error text here ever contains
the URL, and ``paging.next`` is only followed on the API's own host.
"""

import datetime
import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from sangathan.channels import conf

ERROR_BODY_CHARS = 300
MAX_WAIT_SECONDS = 24 * 3600


class PlatformError(Exception):
    """The numbers could not be read this time; the next run tries again."""


class CredentialRejected(PlatformError):
    """The platform refused the token or the account id: a person must set a new one."""


class RateLimited(PlatformError):
    """HTTP 429: wait ``wait_seconds`` before asking again."""

    def __init__(self, message: str, wait_seconds: int):
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass
class DayNumbers:
    """One day's numbers of an account; None where the platform does not give them."""

    day: datetime.date
    followers: int | None = None
    followers_change: int | None = None
    posts: int | None = None
    posts_total: int | None = None
    reach: int | None = None
    impressions: int | None = None

    FIELDS: ClassVar[tuple[str, ...]] = (
        "followers",
        "followers_change",
        "posts",
        "posts_total",
        "reach",
        "impressions",
    )

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.FIELDS if getattr(self, name) is not None}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: Any = field(default=None)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def wait_seconds(headers: dict[str, str], *, now: float | None = None) -> int:
    """How long a 429 asks us to wait: ``Retry-After`` (seconds or an HTTP date), else X's
    ``x-rate-limit-reset`` (epoch seconds), else 15 minutes; at most a day."""
    now = time.time() if now is None else now
    retry_after = headers.get("retry-after", "").strip()
    wait: float | None = None
    if retry_after.isdigit():
        wait = int(retry_after)
    elif retry_after:
        parsed = email.utils.parsedate_to_datetime(retry_after) if retry_after else None
        if parsed is not None:
            wait = parsed.timestamp() - now
    if wait is None and headers.get("x-rate-limit-reset", "").strip().isdigit():
        wait = int(headers["x-rate-limit-reset"]) - now
    if wait is None:
        wait = 15 * 60
    return int(min(max(wait, 1), MAX_WAIT_SECONDS))


def rate_limited(wait: int) -> RateLimited:
    return RateLimited(
        _("The platform's rate limit was reached; the next try waits %(seconds)d seconds.") % {"seconds": wait}, wait
    )


def get_json(url: str, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Response:
    """GET ``url`` (with ``params``) and decode its JSON. 2xx and 4xx answers with a JSON body are returned
    (platforms explain a refused token in the body); 429 raises ``RateLimited``; 5xx, timeouts and unreadable
    answers raise ``PlatformError``."""
    if not url.startswith(("https://", "http://")):
        raise PlatformError(_("The platform's address must start with https:// or http://."))
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Accept": "application/json", **(headers or {})})  # noqa: S310
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=conf.http_timeout()) as answer:
            status, answer_headers, raw = answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        status, answer_headers = error.code, dict(error.headers.items()) if error.headers else {}
        try:
            raw = error.read() or b""
        except OSError:
            raw = b""
        finally:
            error.close()
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or isinstance(error, TimeoutError):
            raise PlatformError(_("The platform did not answer in time.")) from None
        raise PlatformError(_("Could not reach the platform: %(reason)s") % {"reason": reason}) from None
    lowered = {k.lower(): v for k, v in answer_headers.items()}
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if status == 429:
        # Telegram says how long in the body (parameters.retry_after) rather than in a header.
        in_body = body.get("parameters", {}).get("retry_after") if isinstance(body, dict) else None
        if "retry-after" not in lowered and isinstance(in_body, int):
            lowered["retry-after"] = str(in_body)
        raise rate_limited(wait_seconds(lowered))
    if status >= 500 or (status >= 300 and body is None):
        detail = raw[:ERROR_BODY_CHARS].decode("utf-8", "replace").strip()
        raise PlatformError(
            _("The platform answered HTTP %(status)d: %(detail)s") % {"status": status, "detail": detail}
        )
    if status < 300 and not isinstance(body, dict):
        raise PlatformError(_("The platform answered with something that is not JSON."))
    return Response(status=status, headers=lowered, body=body)


def same_host(url: str, base: str) -> bool:
    """A ``paging.next`` link is followed only on the API's own scheme and host (the token goes with it)."""
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


COUNT_MAX = 2**31 - 1  # the snapshot's integer columns on PostgreSQL: a bigger number is a broken answer


def count(value) -> int | None:
    """A platform's number (an int, or a string of digits as YouTube sends) or None, also for a number too
    big to be an account's (it would fail the day's write)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= COUNT_MAX:
        return value
    return None


class Adapter:
    """Reads one platform's numbers. Subclasses set ``platforms`` (the channel platforms they serve)."""

    platforms: ClassVar[tuple[str, ...]] = ()
    name: ClassVar[str] = ""

    def fetch(
        self, *, account_id: str, token: str, since: datetime.date | None, today: datetime.date
    ) -> list[DayNumbers]:
        raise NotImplementedError


_ADAPTERS: dict[str, Adapter] = {}


def register(adapter_class: type[Adapter]) -> type[Adapter]:
    adapter = adapter_class()
    for platform in adapter_class.platforms:
        _ADAPTERS[platform] = adapter
    return adapter_class


def adapter_for(platform: str) -> Adapter | None:
    return _ADAPTERS.get(platform)


def api_platforms() -> list[str]:
    return sorted(_ADAPTERS)
