"""When PostgreSQL or Redis is down: every page answers 503 "please try again in a minute", never a bare 500.

Django turns an exception raised anywhere in a request (a view, or a middleware: the session, the rate
limits, the sign-in) into a response with the project's ``handler500`` (``config/urls.py``), still inside the
``except`` block: ``server_error`` looks at that exception and answers an outage with ``503.html`` and
``Retry-After``; anything else keeps the usual 500 page.

Neither page needs the database or the cache to render: they are rendered without the request (no context
processors, so no user, no session) and their text is in both languages, fixed in the template (no catalogue
look-up that could fail half-way).

A form sent during an outage was not stored. The page says so, and for the public forms (no login: the
application form, the join page, the acknowledgement and report links, ...) it carries what the person
typed back in hidden fields with a "send again" button to the same address: nothing typed is lost, and the
forms' one-time tokens make a second press one submission. Passwords are never written back into a page;
files cannot be (the page says to choose them again).
"""

import sys

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.urls import Resolver404, resolve

RETRY_AFTER_SECONDS = 60
OUTAGE_ERRORS = (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# The public forms whose typed values the try-again page keeps (URL namespaces; signed-in pages are left out:
# an office-bearer's session may be the thing that could not be read).
RESENDABLE_NAMESPACES = frozenset(
    {
        "apply",
        "membership_public",
        "factcheck_public",
        "outreach_public",
        "controlroom_public",
        "training_public",
    }
)
NEVER_WRITTEN_BACK = ("password",)


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` (or an error it was raised from) says the database or Redis cannot be reached."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _kept_fields(request) -> tuple[list[tuple[str, str]], bool] | None:
    """The fields of a public form's POST to write back into the page (name, value), and whether files came
    with it; None when the request was no such POST."""
    if request.method != "POST":
        return None
    try:
        namespace = resolve(request.path_info).namespace
    except Resolver404:
        return None
    if namespace not in RESENDABLE_NAMESPACES:
        return None
    try:
        fields = [
            (name, value)
            for name, values in request.POST.lists()
            if not any(word in name.lower() for word in NEVER_WRITTEN_BACK)
            for value in values
        ]
        had_files = bool(request.FILES)
    except Exception:  # noqa: BLE001 - a body that cannot be read again: the page without the "send again" form
        return None
    return fields, had_files


def try_again_response(request) -> HttpResponse:
    kept = _kept_fields(request)
    context = {"kept": kept[0] if kept else None, "had_files": bool(kept and kept[1]), "action": request.path}
    response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request) -> HttpResponse:
    """The project's ``handler500``: an outage of the database or Redis is a 503 "try again"; anything else
    the plain 500 page."""
    if is_outage(sys.exc_info()[1]):
        return try_again_response(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
