"""Finding a person by mobile number for a write — appointing, reconstituting a committee, a trainer's walk-in —
without telling the user anything about numbers outside their scope.

A number is *new* (nobody has it: the write registers them), *usable* (its person is one the user may use
here) or *unusable*. Unusable is one answer for every reason, "This number cannot be used here; ask your state
office.": its person lives outside the user's area, or the user may see them but not use them here (an
office-bearer of the district who lives elsewhere, somebody outside a camp's area). A user cannot tell a number
registered in another district from one they may see but not appoint, so the answer says nothing about the
first. That a number is *not* new still shows (it is not registered as a new person), so look-ups are counted
per user (``MOBILE_LOOKUP_RATE_USER``, 60 an hour by default) and every unusable one is in the audit trail,
with the number masked, on the unit or camp it was for: an admin testing numbers is slowed down and seen.

The refusal's entry must outlive the refused write's transaction (which rolls back): the services that look
numbers up are wrapped in ``refusals_audited`` *outside* their ``transaction.atomic``; they are called outside
any transaction (views, the API, tasks).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from sangathan.audit.services import audit_mobile_lookup
from sangathan.core import ratelimits
from sangathan.org.errors import OrgError
from sangathan.org.models import Person

UNUSABLE = _("This number cannot be used here; ask your state office.")
# The code every refusal of a number has (the same for each reason, like the message).
UNUSABLE_CODE = "person_out_of_scope"
RATE_SETTING = "MOBILE_LOOKUP_RATE_USER"
RATE_DEFAULT = "60/h"
LIMITED_MESSAGE = _(
    "You have looked up many mobile numbers in a short time, so we have paused this for a while. "
    "Nothing was changed. Please try again in an hour."
)


@dataclass
class Refusal:
    """What the audit entry of a refused look-up says: where, for what, which number (kept masked), by whom."""

    obj: models.Model
    purpose: str
    mobile: str
    by: object
    recorded: bool = False


class MobileUnusable(OrgError):
    """The neutral refusal of a number (see the module's docstring)."""

    def __init__(self, refusal: Refusal):
        super().__init__(UNUSABLE, code=UNUSABLE_CODE)
        self.refusal = refusal


def person_by_mobile(
    *, mobile: str, usable: "models.QuerySet[Person]", obj: models.Model, purpose: str, by
) -> Person | None:
    """The person with ``mobile`` (already normalised), or None when nobody has it. Somebody who has it but is
    not in ``usable`` is refused with ``MobileUnusable``."""
    person = Person.objects.filter(mobile=mobile).first()
    if person is not None and not usable.filter(pk=person.pk).exists():
        raise MobileUnusable(Refusal(obj=obj, purpose=purpose, mobile=mobile, by=by))
    return person


def refusal_of(error: BaseException) -> Refusal | None:
    """The refused look-up behind ``error`` (raised as is, or as the cause of an app's own error)."""
    for candidate in (error, error.__cause__):
        refusal = getattr(candidate, "refusal", None)
        if isinstance(refusal, Refusal):
            return refusal
    return None


def refusals_audited(service: Callable) -> Callable:
    """Put above ``@transaction.atomic``: a refused look-up leaving ``service`` is recorded once its
    transaction has rolled back (once, however many wrapped services it passes through)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except Exception as error:
            refusal = refusal_of(error)
            if refusal is not None and not refusal.recorded:
                refusal.recorded = True
                audit_mobile_lookup(
                    obj=refusal.obj, purpose=refusal.purpose, mobile=refusal.mobile, outcome="refused", by=refusal.by
                )
            raise

    return wrapper


def found_outside_scope(*, person: Person, visible: "models.QuerySet[Person]", obj, purpose: str, by) -> None:
    """Record a look-up that was allowed to find somebody outside the user's scope (a camp's trainer may come
    from anywhere): nothing is refused, but the trail shows who looked whose number up, masked."""
    if not visible.filter(pk=person.pk).exists():
        audit_mobile_lookup(obj=obj, purpose=purpose, mobile=person.mobile, outcome="found_outside_scope", by=by)


# ---------------------------------------------------------------- the rate limit (pages and API)


def _user_key(group, request) -> str:
    return str(request.user.pk)


def lookups_over_limit(request, *, obj: models.Model | None = None, purpose: str, count: int = 1) -> bool:
    """Count ``count`` look-ups by mobile for ``request.user`` (``MOBILE_LOOKUP_RATE_USER``); True once over the
    limit. The first refusal of an hour is in the audit trail, on ``obj`` (else on the user's account)."""
    over = False
    for _n in range(max(count, 1)):
        over = ratelimits.over_limit(
            request, group="org.mobile-lookup", setting=RATE_SETTING, default=RATE_DEFAULT, key=_user_key
        )
    if over and cache.add(f"org.mobile-lookup-limited:{request.user.pk}", True, 3600):
        audit_mobile_lookup(
            obj=obj or request.user, purpose=purpose, mobile="", outcome="rate_limited", by=request.user
        )
    return over


def limited_response(request, *, back_url: str, back: str) -> HttpResponse:
    """The kind answer to a user over the limit: 429, in their language, with the way back."""
    context = {"message": LIMITED_MESSAGE, "back_url": back_url, "back": back}
    return ratelimits.limited_response(request, "org/lookups_limited.html", context)
