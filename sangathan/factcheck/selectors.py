"""Reads of the fact-check desk: the tips a user may see, with what the matcher found for each."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from sangathan.access.permissions import VIEW
from sangathan.factcheck.models import Claim, ClaimText, Tier, Tip
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
