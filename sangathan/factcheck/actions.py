"""The desk's actions that have no button on the web pages yet and that its API offers: an office-bearer
signed in reports a rumour (``tip_report``), the desk links a tip to a claim or unlinks it
(``tip_link`` / ``tip_unlink``), and escalates a claim to the state control room before its SLA runs out
(``claim_escalate``).

Same rules as ``desk``: keyword-only, one transaction, audited (the ``Tip`` and ``Claim`` saves go through
django-auditlog's signals; the reporter's mobile is masked there); working on a tip or a claim needs
``desk.DESK`` at its unit, refused with a ``FactCheckError`` (a translated message) otherwise.

A desk's link counts as a linked tip (``tier`` auto): the claim's answer reaches its tipster, at once when
the claim is published (as a tip the matcher links on arrival). A tip linked to another claim, or unlinked,
leaves that claim's cluster for one of its own, so the other claim's answer no longer reaches it and its
counters (tips, districts) count it no more.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import VIEW
from sangathan.access.scope import can
from sangathan.factcheck import desk
from sangathan.factcheck.models import Claim, Status, Tier, Tip, TipChannel, TipCluster
from sangathan.factcheck.services import (
    FactCheckError,
    TipMediaIn,
    _tip_answer,
    tip_cluster_move,
    tip_receive,
)
from sangathan.org.models import Unit
from sangathan.org.shaping import state_of


def tip_report(*, unit: Unit, by, text: str = "", link: str = "", media: list[TipMediaIn] | None = None) -> Tip:
    """A rumour an office-bearer saw, reported while signed in: a tip on the cascade channel carrying
    ``unit`` (one of theirs), matched, clustered and answered like every other (``services.tip_receive``)."""
    if not can(by, VIEW, unit):
        raise FactCheckError(_("You may not report for this unit."))
    if not (text.strip() or link.strip() or media):
        raise FactCheckError(_("Paste the message, a link or a photo: the form is empty."))
    tip, _new = tip_receive(channel=TipChannel.CASCADE, text=text, link=link, media=media, unit=unit, reported_by=by)
    return tip


def _locked_tip(tip: Tip, by) -> Tip:
    found = Tip.objects.restrict(by, desk.DESK).select_for_update(of=("self",)).filter(pk=tip.pk).first()
    if found is None:
        raise FactCheckError(_("You may not work on this tip."))
    return found


def _leave_cluster(tip: Tip) -> None:
    """Move the tip out of its cluster into a new one of its own (the caller saves ``cluster``); the
    counters of both follow in ``services.tip_cluster_move``, as for a picture's re-match."""
    tip_cluster_move(tip=tip, to=TipCluster.objects.create(key=tip.key))


def tip_link(*, tip: Tip, claim: Claim, by) -> Tip:
    """Link the tip to ``claim`` (one the user may see: a claim of their area, or one of no unit)."""
    with transaction.atomic():
        tip = _locked_tip(tip, by)
        claim = Claim.objects.restrict(by, VIEW).filter(pk=claim.pk).prefetch_related("texts").first()
        if claim is None:
            raise FactCheckError(_("There is no such claim."))
        fields = ["claim", "tier"]
        cluster_claim = TipCluster.objects.filter(pk=tip.cluster_id).values_list("claim_id", flat=True).first()
        if cluster_claim is not None and cluster_claim != claim.pk:
            _leave_cluster(tip)
            fields.append("cluster")
        tip.claim, tip.tier = claim, Tier.AUTO
        tip.save(update_fields=fields)  # audited
        if claim.status == Status.PUBLISHED and tip.answered_at is None:
            _tip_answer(tip=tip, claim=claim)
    return tip


def tip_unlink(*, tip: Tip, by) -> Tip:
    """The tip repeats none of the claims: no claim, tier none, out of its claim's cluster."""
    with transaction.atomic():
        tip = _locked_tip(tip, by)
        if tip.claim_id is None:
            raise FactCheckError(_("This tip is not linked to a claim."))
        fields = ["claim", "tier"]
        if TipCluster.objects.filter(pk=tip.cluster_id, claim__isnull=False).exists():
            _leave_cluster(tip)
            fields.append("cluster")
        tip.claim, tip.tier = None, Tier.NONE
        tip.save(update_fields=fields)  # audited
    return tip


def claim_escalate(*, claim: Claim, by) -> Claim:
    """Escalate a district's (or a lower desk's) claim to its state's control room now, once; the control
    room is told as by the SLA sweep (``desk.claims_escalate``), which then leaves the claim alone."""
    with transaction.atomic():
        claim = desk._unpublished(claim, by)
        if claim.escalated_at is not None:
            raise FactCheckError(_("This claim has been escalated already."))
        unit = Unit.objects.select_related("level").get(pk=claim.unit_id) if claim.unit_id else None
        if unit is None or unit.depth <= desk.STATE_DEPTH:
            raise FactCheckError(_("A state or national desk's claim is the control room's already."))
        state = state_of(unit)
        claim.escalated_at, claim.escalated_to = timezone.now(), state
        claim.save(update_fields=["escalated_at", "escalated_to", "updated_at"])  # audited
        if state is not None:
            claim.unit = unit
            desk._notify_control_room(claim=claim, state=state)
    return claim
