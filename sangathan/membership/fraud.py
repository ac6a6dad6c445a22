"""Fraud signals of the membership drive: reasons to doubt a sign-up, each with the numbers that explain it
on the review page. Past drives were inflated by one person enrolling many phones, numbers bought in
series, and links that signed up hundreds overnight; a signal holds the sign-up for a reviewer (it does
not refuse it: a village meeting also signs up many people at once, from one phone's hotspot).

The thresholds are settings (``MEMBERSHIP_FRAUD_*``) with the defaults below. Each check is one indexed
count over the last hour or day (by referral link, address or unit and ``joined_at``), so checking a
sign-up costs a few milliseconds however large the drive.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.membership.models import FraudSignal, Member, ReferralCode

Kind = FraudSignal.Kind

DEFAULTS = {
    "REFERRAL_PER_HOUR": 30,  # sign-ups through one link in an hour (the number)
    "NIGHT_START": 0,  # the night, in local hours [start, end): few real people join then
    "NIGHT_END": 5,
    "NIGHT_PER_HOUR": 10,  # sign-ups at one unit in an hour of the night
    "PER_ADDRESS": 10,  # numbers from one address in a day
    "CONSECUTIVE_RUN": 5,  # numbers in one run n, n+1, n+2, ... signed up in a day
    "NOT_ME_MIN": 5,  # a link's "not me" answers before its rate is judged
    "NOT_ME_RATE": 20,  # percent of a link's members who said "not me"
}


def threshold(name: str) -> int:
    return int(getattr(settings, f"MEMBERSHIP_FRAUD_{name}", DEFAULTS[name]))


def _is_night(at: datetime.datetime) -> bool:
    hour = timezone.localtime(at).hour
    return threshold("NIGHT_START") <= hour < threshold("NIGHT_END")


def _consecutive_run(mobile: str, since: datetime.datetime) -> int:
    """The length of the run of consecutive numbers around ``mobile`` among the day's sign-ups."""
    if not mobile[1:].isdigit():
        return 1
    reach = threshold("CONSECUTIVE_RUN")
    number = int(mobile[1:])
    near = {f"+{number + step}" for step in range(-reach, reach + 1)}
    seen = set(Member.objects.filter(mobile__in=near, joined_at__gte=since).values_list("mobile", flat=True))
    seen.add(mobile)
    low = high = number
    while f"+{low - 1}" in seen:
        low -= 1
    while f"+{high + 1}" in seen:
        high += 1
    return high - low + 1


def signals_for(member: Member, *, at: datetime.datetime) -> list[tuple[str, dict]]:
    """The signals a new sign-up raises, as (kind, numbers for the explanation). ``member`` is saved."""
    found: list[tuple[str, dict]] = []
    hour_ago, day_ago = at - datetime.timedelta(hours=1), at - datetime.timedelta(days=1)
    recent = Member.objects.filter(joined_at__gt=hour_ago, joined_at__lte=at)
    if member.referred_by_id is not None:
        n = recent.filter(referred_by_id=member.referred_by_id).count()
        if n > threshold("REFERRAL_PER_HOUR"):
            found.append((Kind.REFERRAL_BURST, {"n": n, "limit": threshold("REFERRAL_PER_HOUR")}))
    if _is_night(at):
        n = recent.filter(unit_id=member.unit_id).count()
        if n > threshold("NIGHT_PER_HOUR"):
            found.append((Kind.NIGHT_BURST, {"n": n, "limit": threshold("NIGHT_PER_HOUR")}))
    if member.join_address:
        n = Member.objects.filter(join_address=member.join_address, joined_at__gt=day_ago).count()
        if n > threshold("PER_ADDRESS"):
            found.append((Kind.SHARED_ADDRESS, {"n": n, "limit": threshold("PER_ADDRESS")}))
    run = _consecutive_run(member.mobile, day_ago)
    if run >= threshold("CONSECUTIVE_RUN"):
        found.append((Kind.CONSECUTIVE, {"n": run, "limit": threshold("CONSECUTIVE_RUN")}))
    return found


def not_me_rate(referral: ReferralCode) -> tuple[int, int] | None:
    """(percent, "not me" answers) of a link whose members say "not me" too often; None otherwise."""
    members = Member.objects.filter(referred_by=referral)
    not_me = members.filter(revoked_via=Member.RevokedVia.NOT_ME).count()
    if not_me < threshold("NOT_ME_MIN"):
        return None
    total = members.count()
    percent = round(100 * not_me / total)
    return (percent, not_me) if percent >= threshold("NOT_ME_RATE") else None


def explain(signal: FraudSignal) -> str:
    """What the review page says about a signal, with its numbers."""
    d = signal.detail
    if signal.kind == Kind.REFERRAL_BURST:
        return _("%(n)d people signed up through this link within one hour (more than %(limit)d).") % d
    if signal.kind == Kind.NIGHT_BURST:
        return _("%(n)d people signed up at this unit within one hour at night (more than %(limit)d).") % d
    if signal.kind == Kind.SHARED_ADDRESS:
        return (
            _("%(n)d mobile numbers signed up from the same internet address within a day (more than %(limit)d).") % d
        )
    if signal.kind == Kind.CONSECUTIVE:
        return _("This number is in a run of %(n)d consecutive mobile numbers signed up within a day.") % d
    return _("%(percent)d%% of this link's members said “not me” (%(n)d people).") % d
