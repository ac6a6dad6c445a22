"""Decisions on likely duplicates (``membership.duplicates`` finds them): merge, keeping one of the two, or
keep both. Every change is an audited save (the member revoked through ``services.member_revoke``, the kept
member's copied details, the case)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.membership import services
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import COUNTED, DuplicateCase, Member

KEEP_MEMBER, KEEP_OTHER, KEEP_BOTH = "keep_member", "keep_other", "keep_both"


def _merge_fields(kept: Member, gone: Member) -> list[str]:
    """What ``gone`` knew that ``kept`` lacks (relative's name, gender, voter ID): copied over."""
    changed = []
    if not kept.relative_name and gone.relative_name:
        kept.relative_name = gone.relative_name
        changed.append("relative_name")
    if not kept.gender and gone.gender:
        kept.gender = gone.gender
        changed.append("gender")
    if not kept.epic and gone.epic:
        proven = [Member.Status.VERIFIED, Member.Status.ACTIVE, Member.Status.LAPSED]
        if not Member.objects.filter(epic=gone.epic, status__in=proven).exclude(pk=gone.pk).exists():
            kept.epic = gone.epic
            changed.append("epic")
    return changed


@transaction.atomic
def duplicate_decide(*, case: DuplicateCase, decision: str, by) -> DuplicateCase:
    """A reviewer's decision: keep the later member (``keep_member``), the earlier (``keep_other``) — the
    other is revoked as a duplicate (``services.member_revoke``: counts, referrer and audit) and its missing
    details copied — or keep both. A decided case stays decided."""
    case = DuplicateCase.objects.select_for_update().get(pk=case.pk)
    if case.status != DuplicateCase.Status.OPEN:
        return case
    if decision not in (KEEP_MEMBER, KEEP_OTHER, KEEP_BOTH):
        raise MembershipError(_("Choose which member to keep, or keep both."), code="decision")
    case.decided_at, case.decided_by = timezone.now(), by
    if decision == KEEP_BOTH:
        case.status = DuplicateCase.Status.KEPT
        case.save(update_fields=["status", "decided_at", "decided_by"])
        return case
    pair = Member.objects.select_for_update().in_bulk([case.member_id, case.other_id])
    kept, gone = pair[case.member_id], pair[case.other_id]
    if decision == KEEP_OTHER:
        kept, gone = gone, kept
    if kept.status == Member.Status.REVOKED:
        raise MembershipError(_("That member was revoked meanwhile. Keep the other one."), code="kept_revoked")
    if gone.status in COUNTED and kept.status not in COUNTED and kept.status != Member.Status.LAPSED:
        raise MembershipError(
            _("Keep the verified member: the other has not confirmed their number."), code="keep_verified"
        )
    services.member_revoke(member=gone, via=Member.RevokedVia.DUPLICATE, reason=f"duplicate of member {kept.pk}", by=by)
    changed = _merge_fields(kept, gone)
    if changed:
        kept.save(update_fields=changed)  # audited (auditlog), EPIC masked
    case.status, case.kept = DuplicateCase.Status.MERGED, kept
    case.save(update_fields=["status", "kept", "decided_at", "decided_by"])
    # The revoked member's other cases are settled by this one.
    for other in DuplicateCase.objects.filter(Q(member=gone) | Q(other=gone), status=DuplicateCase.Status.OPEN):
        other.status, other.kept, other.decided_at, other.decided_by = case.status, kept, case.decided_at, by
        other.save(update_fields=["status", "kept", "decided_at", "decided_by"])
    return case
