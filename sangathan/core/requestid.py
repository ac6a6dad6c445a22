"""A request id on every request and every log line it writes.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the ``X-Request-ID`` a proxy in front set (nginx's
``$request_id``, a load balancer's) when it is a plain token, or makes one; the id is put on the response's
``X-Request-ID`` and, through ``RequestIdLogFilter``, on every log record written while the request runs
(``request_id``), so the lines of one request can be found in the JSON logs of several machines.

A client may send anything in that header: an id longer than ``MAX_LENGTH`` or with any character but letters,
digits and ``-_.:`` (a newline to forge a log line, 10 kB to bloat every line) is not used; a new one is made.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery import current_task
from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
MAX_LENGTH = 64
_VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_.:]*")

_current: ContextVar[str] = ContextVar("request_id", default="")


def valid_request_id(value: str | None) -> str | None:
    """``value`` when it is fit to be logged as a request id, else None."""
    if not value or len(value) > MAX_LENGTH or not _VALID.fullmatch(value):
        return None
    return value


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request this code runs for ("" outside a request)."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = valid_request_id(request.META.get(META_KEY)) or new_request_id()
        request.request_id = request_id
        # Not reset when the response leaves the middleware: Django logs a 4xx or 5xx answer after the
        # middleware chain returns (BaseHandler.get_response). Cleared when the request has finished.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="core-request-id-clear")
def clear_request_id(**kwargs) -> None:
    """The request is over (its response closed): lines logged afterwards in this thread belong to none."""
    _current.set("")


class RequestIdLogFilter(logging.Filter):
    """Puts ``request_id`` on every record (empty outside a request) and, in a Celery worker, ``task_id`` (the
    task being run, empty outside one), for the formatters to show."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _current.get()
        if not getattr(record, "task_id", ""):
            task = current_task
            record.task_id = (getattr(task.request, "id", None) or "") if task else ""
        return True
