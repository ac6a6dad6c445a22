"""The members export of a unit's subtree (CSV streamed, or XLSX): scoped like the member list, the mobile
always masked (a list that leaves the system is not a calling list), the voter ID masked, the age as a
decade unless the user may see personal data at the unit; every export is one audit entry on the unit
(who, which format, how many rows, their ids). The cells go through ``core.exports`` (no spreadsheet
formula survives)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_action
from sangathan.core.exports import Column
from sangathan.membership.masking import mask_epic
from sangathan.membership.models import Member
from sangathan.org.masking import age_band, mask_mobile
from sangathan.org.models import Unit


def columns(*, full_age: bool) -> list[Column]:
    return [
        (_("Name"), lambda m: m.name),
        (_("Relative's name"), lambda m: m.relative_name),
        (_("Mobile"), lambda m: mask_mobile(m.mobile)),
        (_("Voter ID"), lambda m: mask_epic(m.epic)),
        (_("Age"), (lambda m: m.age) if full_age else (lambda m: age_band(m.age))),
        (_("Gender"), lambda m: m.get_gender_display() if m.gender else ""),
        (_("Booth / unit"), lambda m: m.unit.display_name),
        (_("Status"), lambda m: m.get_status_display()),
        # The day in India: a member who joined at 00:10 IST is not listed under the day before (UTC).
        (_("Joined"), lambda m: timezone.localdate(m.joined_at).isoformat()),
        (_("Verified"), lambda m: timezone.localdate(m.verified_at).isoformat() if m.verified_at else ""),
        (_("Referral link"), lambda m: m.referred_by.code if m.referred_by else ""),
    ]


def members_export_audit(*, unit: Unit, members, kind: str, by) -> int:
    """Record the export of ``members`` (a queryset) of ``unit`` by ``by``; returns the row count."""
    ids = list(members.order_by().values_list("pk", flat=True)[:1000])
    count = members.order_by().count()
    audit_bulk_action(obj=unit, what=f"membership export {kind}", count=count, model=Member, ids=ids, by=by)
    return count
