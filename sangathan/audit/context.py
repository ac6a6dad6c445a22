"""Naming the actor of audit entries written outside a request (a worker's import, a command).

Inside a request the audit middleware names the signed-in user. A Celery task or a management command has
no request: entries written there had no actor, though the service knew who asked (``by``)."""

import contextlib
from collections.abc import Iterator

from auditlog.context import auditlog_value, set_actor, set_extra_data


@contextlib.contextmanager
def acting_as(by) -> Iterator[None]:
    """Entries written inside the block name ``by``, unless a request already names its user (left as it is).
    The previous audit context is put back afterwards (django-auditlog's ``set_actor`` leaves its own)."""
    try:
        current = auditlog_value.get()
    except LookupError:
        current = None
    if by is None or not getattr(by, "is_authenticated", False) or (current and current.get("actor") is not None):
        yield
        return
    try:
        with set_actor(by):
            yield
    finally:
        # No context before: one that names nobody and matches no receiver (django-auditlog's receivers are
        # global; a receiver connected by another thread's request reads ``signal_duid`` and would raise on {}).
        auditlog_value.set(current if current is not None else {"signal_duid": None})


@contextlib.contextmanager
def from_address(remote_addr: str | None) -> Iterator[None]:
    """Entries written inside the block carry ``remote_addr``: the address a stored public form came from, when a
    worker writes what it asked for after the request has ended. The previous audit context is put back."""
    try:
        current = auditlog_value.get()
    except LookupError:
        current = None
    if not remote_addr:
        yield
        return
    try:
        with set_extra_data({"remote_addr": remote_addr, "remote_port": None}):
            yield
    finally:
        auditlog_value.set(current if current is not None else {"signal_duid": None})
