"""Data principals held by apps above privacy (membership's members), registered here so that their data
requests go through privacy's pages, desk and records without privacy importing those apps.

``privacy`` lies below membership in the layers (pyproject.toml). An app registers a ``SubjectKind`` from its
``AppConfig.ready``; a ``DataRequest`` then names its subject as (``subject_kind``, ``subject_id``) beside the
application / person it names for recruitment. The kind's functions do what only the owning app knows: find
the row, say its unit (which privacy officers see the request) and mobile number, which code proves that
number (the mobile-ownership service's purpose and subject), the copy of the data, and erasure (what stays
for the counts, what goes). Each takes keyword arguments only.

A public ticket (``privacy.public.subject_ticket_for``) names the subject and a confirmed code; the ticket is
honoured only while that code was confirmed for the subject's current number and the kind's purpose and
subject, so a ticket can never be aimed at another person.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

CODE = re.compile(r"^[a-z][a-z_]{0,15}$")  # DataRequest.subject_kind is 16 characters


@dataclass(frozen=True)
class SubjectKind:
    """How privacy reaches one kind of data principal kept by a higher app.

    * ``find(pk=)``: the row, or None when it is gone or already erased (a request cannot be made).
    * ``unit_of(obj=)``: the unit whose privacy officers handle the request.
    * ``mobile_of(obj=)``: the number the person proves they hold.
    * ``challenge_of(obj=)``: ``(purpose, subject)`` of the code (``verification``) that proves it.
    * ``data_of(obj=)``: the copy handed over (a JSON-able dict).
    * ``erase(obj=, by=)``: withdraw consent and erase; returns rows touched per table. Idempotent.
    * ``describe(obj=)``: a masked one-line description for the staff pages (no full name or number).
    * ``back_url()``: the person's own data page, where the public pages lead back to.
    * ``find_by_mobile(user=, mobile=)``: the row with this number that ``user`` may act for (in their scope),
      or None; how staff record a request on the person's behalf (``/privacy/new/``).
    """

    code: str
    label: str | Promise
    find: Callable[..., Any]
    unit_of: Callable[..., Any]
    mobile_of: Callable[..., str]
    challenge_of: Callable[..., tuple[str, str]]
    data_of: Callable[..., dict]
    erase: Callable[..., dict[str, int]]
    describe: Callable[..., str]
    back_url: Callable[[], str]
    find_by_mobile: Callable[..., Any]


_kinds: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> SubjectKind:
    """Add ``kind`` (the same code again replaces it)."""
    if not CODE.match(kind.code):
        raise ValueError(f"A subject kind needs a short lower-case code, not {kind.code!r}.")
    _kinds[kind.code] = kind
    return kind


def get(code: str) -> SubjectKind | None:
    return _kinds.get(code or "")


def registered() -> list[SubjectKind]:
    """Every registered kind, by code."""
    return [_kinds[code] for code in sorted(_kinds)]
