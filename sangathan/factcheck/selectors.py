"""Reads of the fact-check desk: the tips a user may see, with what the matcher found for each."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sangathan.access.permissions import VIEW
from sangathan.factcheck.desk import SLA_STATUSES, sla_hours
from sangathan.factcheck.models import Claim, ClaimLink, ClaimText, Status, Tier, Tip, TipCluster
from sangathan.org.masking import mask_mobile


@dataclass(frozen=True)
class TipRow:
    """A tip as the desk's list shows it: the mobile masked, the matched claim's text in the reader's
    language (only when the claim is within the reader's scope)."""

    tip: Tip
    masked_mobile: str
    claim: Claim | None
    claim_text: str


def tips_for_user(*, user, tier: str = "") -> QuerySet[Tip]:
    """The tips ``user`` may view, newest first, optionally only one tier."""
    tips = Tip.objects.restrict(user, VIEW).select_related("unit", "cluster", "claim").order_by("-created_at", "-id")
    if tier in Tier.values:
        tips = tips.filter(tier=tier)
    return tips


def tip_rows(*, user, tips: list[Tip], language: str) -> list[TipRow]:
    """The rows of one page of tips: two queries whatever the page's length (the claims in scope, and
    their texts)."""
    claim_ids = {tip.claim_id for tip in tips if tip.claim_id is not None}
    visible = {
        claim.pk: claim
        for claim in Claim.objects.restrict(user, VIEW)
        .filter(pk__in=claim_ids)
        .prefetch_related(Prefetch("texts", queryset=ClaimText.objects.order_by("language")))
    }
    rows = []
    for tip in tips:
        claim = visible.get(tip.claim_id) if tip.claim_id is not None else None
        texts = {text.language: text.text for text in claim.texts.all()} if claim is not None else {}
        rows.append(
            TipRow(
                tip=tip,
                masked_mobile=mask_mobile(tip.reply_mobile),
                claim=claim,
                claim_text=texts.get(language) or next(iter(texts.values()), ""),
            )
        )
    return rows


# ---------------------------------------------------------------- the desk's claims


def claim_due_expression():
    """When the claim's SLA runs out (its status's hours after ``status_since``, else ``created_at``); NULL
    for a published claim. Computed in the database so the list is ordered overdue first on any page."""
    since = Coalesce("status_since", "created_at")
    whens = [
        When(status=status, then=ExpressionWrapper(since + Value(datetime.timedelta(hours=hours)), DateTimeField()))
        for status in SLA_STATUSES
        if (hours := sla_hours(status)) is not None
    ]
    return Case(*whens, default=Value(None), output_field=DateTimeField())


def claims_for_user(*, user, status: str = "", overdue: bool = False, now: datetime.datetime | None = None):
    """The claims ``user`` may view, the soonest due (overdue) first, then the published newest first."""
    claims = (
        Claim.objects.restrict(user, VIEW)
        .select_related("unit", "assigned_to", "cluster")
        .prefetch_related(Prefetch("texts", queryset=ClaimText.objects.order_by("language")))
        .annotate(due=claim_due_expression())
    )
    if status in Status.values:
        claims = claims.filter(status=status)
    if overdue:
        claims = claims.filter(due__lt=now or timezone.now())
    return claims.order_by(F("due").asc(nulls_last=True), F("published_at").desc(nulls_last=True), "-id")


def get_claim_for_user(*, user, pk: int) -> Claim:
    """The claim if ``user`` may view it; 404 otherwise (a sibling district learns nothing)."""
    claim = (
        Claim.objects.restrict(user, VIEW)
        .select_related("unit__level", "assigned_to", "escalated_to", "rebuttal_message")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def claim_tips(*, user, claim: Claim) -> QuerySet[Tip]:
    """The tips linked to the claim (auto-linked, in its cluster, or suggested) that ``user`` may see."""
    return (
        Tip.objects.restrict(user, VIEW)
        .filter(Q(claim=claim) | Q(cluster__claim=claim))
        .select_related("unit", "cluster")
        .order_by("-created_at", "-id")
    )


def claim_cluster(claim: Claim) -> TipCluster | None:
    return TipCluster.objects.filter(claim=claim).first()


def published_claim(*, pk: int) -> Claim:
    """A published claim for its public page; 404 for any other id."""
    claim = (
        Claim.objects.filter(pk=pk, status=Status.PUBLISHED)
        .prefetch_related("texts", Prefetch("links", queryset=ClaimLink.objects.order_by("kind", "id")))
        .first()
    )
    if claim is None:
        raise Http404
    return claim
