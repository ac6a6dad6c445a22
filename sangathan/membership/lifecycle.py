"""The statuses after verification, moved by the daily run, set-based:

* **active**: a verified member who has brought at least one verified member through their own link
  (``ReferralCode.verified_count`` ≥ 1). The product knows this without asking anyone, and it separates
  members who take part in the drive from those who only joined. Both count the same; "active" is a mark
  on the member's row and card, not a second count.
* **lapsed**: the term (``MEMBERSHIP_TERM_DAYS``, counted from the day the number was proven) has run
  out. A lapsed member stops counting: the counters, the day rows (the day of the lapse) and the
  referrer's count go down with the same set-based writes as the promotion of paper forms.

Both runs are one SELECT of the rows that move and one UPDATE, the counters with a few UPDATEs per
distinct difference (``counters.apply_many``), and one audit entry per member (``audit_bulk_update``);
safe to run twice (a second run finds nothing to move). Revoking by an admin with a reason is
``services.member_revoke`` (the review page and the member list's revoke form).
"""

import datetime
from collections import Counter as Tally

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sangathan.audit.services import audit_bulk_update
from sangathan.membership import counters
from sangathan.membership.models import COUNTED, Member, ReferralCode

DEFAULT_TERM_DAYS = 3 * 365


def term_days() -> int:
    """How long a membership lasts after the number was proven (``MEMBERSHIP_TERM_DAYS``)."""
    return int(getattr(settings, "MEMBERSHIP_TERM_DAYS", DEFAULT_TERM_DAYS))


def lapse_cutoff(now: datetime.datetime) -> datetime.datetime:
    """Members verified at or before this moment have lapsed."""
    return now - datetime.timedelta(days=term_days())


@transaction.atomic
def members_activate(*, today: datetime.date | None = None) -> int:
    """Verified members whose own link has brought a verified member become active. Returns how many."""
    brought = ReferralCode.objects.filter(member__isnull=False, verified_count__gte=1).values("member_id")
    rows = Member.objects.select_for_update().filter(status=Member.Status.VERIFIED, pk__in=brought)
    moved = list(rows.select_related("unit"))
    if not moved:
        return 0
    Member.objects.filter(pk__in=[m.pk for m in moved]).update(status=Member.Status.ACTIVE)
    audit_bulk_update(objects=moved, changes={"status": [Member.Status.VERIFIED, Member.Status.ACTIVE]})
    return len(moved)


@transaction.atomic
def members_lapse(*, today: datetime.date | None = None, at: datetime.datetime | None = None) -> int:
    """Members whose term ran out stop counting: verified or active → lapsed. Returns how many."""
    now = at or timezone.now()
    due = Member.objects.select_for_update().filter(status__in=COUNTED, verified_at__lte=lapse_cutoff(now))
    rows = list(due.order_by("pk").values_list("pk", "unit_id", "referred_by_id", "age", "gender", "status"))
    if not rows:
        return 0
    per_unit: dict[int, list[int]] = {}
    referrers: Tally = Tally()
    for _pk, unit_id, referral_id, age, gender, _status in rows:
        delta = per_unit.setdefault(unit_id, [0, 0, 0, 0])
        delta[0] -= 1
        delta[2] -= int(counters.is_youth(age))
        delta[3] -= int(counters.is_woman(gender))
        if referral_id is not None:
            referrers[referral_id] += 1
    ids = [row[0] for row in rows]
    objects = list(Member.objects.filter(pk__in=ids).select_related("unit"))
    befores = {row[0]: row[5] for row in rows}
    Member.objects.filter(pk__in=ids).update(status=Member.Status.LAPSED)
    counters.apply_many({unit_id: tuple(delta) for unit_id, delta in per_unit.items()}, day=timezone.localdate(now))
    for n in set(referrers.values()):  # a frozen link's count stands still until it is recounted
        ReferralCode.objects.filter(pk__in=[pk for pk, m in referrers.items() if m == n], frozen=False).update(
            verified_count=F("verified_count") - n
        )
    for status in set(befores.values()):
        audit_bulk_update(
            objects=[m for m in objects if befores[m.pk] == status], changes={"status": [status, Member.Status.LAPSED]}
        )
    return len(rows)
