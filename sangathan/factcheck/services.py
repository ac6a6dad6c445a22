"""Writes of the fact-check desk: claims and their texts, publishing a verdict, and tips as they arrive.

Every function is keyword-only, runs in one transaction and leaves an audit entry: single writes through
django-auditlog's signals (``audit/registry.py``), the loader's bulk inserts as one entry per kind on the
``ClaimLoad`` that made them (``audit_bulk_action``). The matcher's index follows the database by itself
(``matching.sync``): a new claim reaches it on the next match, without a rebuild.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sangathan.audit.services import audit_bulk_action
from sangathan.factcheck import images  # images re-match through this module: by module, either loads first
from sangathan.factcheck.clusters import cluster_for_key
from sangathan.factcheck.loading import ClaimRow
from sangathan.factcheck.matching import match_keys
from sangathan.factcheck.models import (
    TIP_TEXT_MAX,
    Claim,
    ClaimLoad,
    ClaimText,
    Status,
    Tier,
    Tip,
    TipChannel,
    TipCluster,
    TipClusterDistrict,
    TipMedia,
    Verdict,
)
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.tips import district_of, language_of, new_reference, reply_language
from sangathan.notifications.services import message_queue
from sangathan.org.models import Unit
from sangathan.org.paths import subtree_q

CHUNK = 500  # ids per IN (...) look-up: far below SQLite's limit on parameters
FILE_NAME_MAX = 255  # ClaimLoad.file_name: the end of a longer path is kept


class FactCheckError(ValueError):
    """A write refused for a reason the user can fix (the message is translated)."""


@dataclass
class LoadResult:
    claims_new: int = 0
    texts_new: int = 0
    texts_changed: int = 0
    texts_unchanged: int = 0
    load: ClaimLoad | None = None
    new_claim_ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.claims_new or self.texts_new or self.texts_changed)


def claim_create(*, external_id: str, texts: dict[str, str], unit: Unit | None = None, by=None) -> Claim:
    """A claim with its text in each language of ``texts`` ({language: text})."""
    if not texts:
        raise FactCheckError("A claim needs at least one text.")
    with transaction.atomic():
        claim = Claim.objects.create(external_id=external_id, unit=unit, created_by=by)
        for language, text in texts.items():
            key = normalise(text)
            if not key:
                raise FactCheckError(f"The {language} text has no words to match.")
            ClaimText.objects.create(claim=claim, language=language, text=text, key=key)
    return claim


def claims_load(*, rows: list[ClaimRow], file_name: str, digest: str, by=None) -> LoadResult:
    """Add the claims and texts of checked rows (``loading.read_claims``): new claims, new languages of
    known claims, and texts that differ from the stored ones. Rows already present change nothing, so
    loading a file twice writes nothing the second time (not even a ``ClaimLoad``)."""
    result = LoadResult()
    by_claim: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in rows:
        by_claim[row.external_id].append(row)
    with transaction.atomic():
        existing = _claims_by_external_id(list(by_claim))
        stored = _texts_of(list(existing.values()))
        new_claims = [Claim(external_id=external_id) for external_id in by_claim if external_id not in existing]
        if new_claims:
            Claim.objects.bulk_create(new_claims, batch_size=CHUNK)
            existing.update(_claims_by_external_id([claim.external_id for claim in new_claims]))
        new_texts: list[ClaimText] = []
        for external_id, claim_rows in by_claim.items():
            claim = existing[external_id]
            for row in claim_rows:
                text = stored.get((claim.pk, row.language))
                if text is None:
                    new_texts.append(ClaimText(claim=claim, language=row.language, text=row.text, key=row.key))
                elif text.text != row.text:
                    text.text, text.key = row.text, row.key
                    text.save(update_fields=["text", "key", "updated_at"])  # audited (signals)
                    result.texts_changed += 1
                else:
                    result.texts_unchanged += 1
        if new_texts:
            ClaimText.objects.bulk_create(new_texts, batch_size=CHUNK)
        result.claims_new, result.texts_new = len(new_claims), len(new_texts)
        result.new_claim_ids = [claim.external_id for claim in new_claims]
        if result.changed:
            result.load = ClaimLoad.objects.create(
                file_name=file_name[-FILE_NAME_MAX:],
                digest=digest,
                claims_new=result.claims_new,
                texts_new=result.texts_new,
                texts_changed=result.texts_changed,
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            audit_bulk_action(
                obj=result.load,
                what="claims_loaded",
                count=result.claims_new,
                model=Claim,
                ids=[existing[external_id].pk for external_id in result.new_claim_ids],
                by=by,
            )
            audit_bulk_action(
                obj=result.load,
                what="claim_texts_loaded",
                count=result.texts_new,
                model=ClaimText,
                ids=_text_ids(new_texts),
                by=by,
            )
    return result


def _claims_by_external_id(external_ids: list[str]) -> dict[str, Claim]:
    found: dict[str, Claim] = {}
    for start in range(0, len(external_ids), CHUNK):
        chunk = external_ids[start : start + CHUNK]
        found.update((claim.external_id, claim) for claim in Claim.objects.filter(external_id__in=chunk))
    return found


def _texts_of(claims: list[Claim]) -> dict[tuple[int, str], ClaimText]:
    found: dict[tuple[int, str], ClaimText] = {}
    ids = [claim.pk for claim in claims]
    for start in range(0, len(ids), CHUNK):
        for text in ClaimText.objects.filter(claim_id__in=ids[start : start + CHUNK]):
            found[(text.claim_id, text.language)] = text
    return found


def _text_ids(texts: list[ClaimText]) -> list[int]:
    """The new texts' ids (bulk_create sets them on PostgreSQL and on SQLite ≥ 3.35)."""
    return [text.pk for text in texts if text.pk is not None]


def claim_publish(*, claim: Claim, verdict: str, by=None) -> Claim:
    """Give the claim its verdict and publish it: from now on a tip that repeats it is answered at once."""
    if verdict not in Verdict.values:
        raise FactCheckError("Unknown verdict.")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        claim.verdict, claim.status = verdict, Status.PUBLISHED
        claim.published_at = claim.published_at or timezone.now()
        claim.status_since = timezone.now()  # the desk's SLA clock (desk.py): a published claim has none
        claim.save(update_fields=["verdict", "status", "published_at", "status_since", "updated_at"])  # audited
    return claim


# ---------------------------------------------------------------- tips


@dataclass(frozen=True)
class TipMediaIn:
    """A picture of an incoming tip: an uploaded file already checked to be an image (``forms``), or a
    provider's media id."""

    content_type: str
    file: UploadedFile | None = None
    provider_media_id: str = ""
    size: int = 0


@dataclass(frozen=True)
class TipOriginIn:
    """Where a rumour reported from a personal link comes from (``reported``): the place it was seen, the
    link (``ReportSource``) and its holder, the appointment (daily report link) or the delivery (cascade)."""

    seen_on: str
    reported_from: str
    appointment_id: int | None = None
    delivery_id: int | None = None

    def fields(self) -> dict[str, str | int | None]:
        return {
            "seen_on": self.seen_on,
            "reported_from": self.reported_from,
            "reported_appointment_id": self.appointment_id,
            "reported_delivery_id": self.delivery_id,
        }


REFERENCE_TRIES = 5
ANSWER_TEMPLATE = "factcheck_tip_answer"
REPLY_CHANNELS: dict[str, str] = {
    TipChannel.WEB: "sms",
    TipChannel.WHATSAPP: "whatsapp",
    TipChannel.TELEGRAM: "telegram",
}


def tip_receive(
    *,
    channel: str,
    text: str = "",
    link: str = "",
    media: list[TipMediaIn] | None = None,
    reply_mobile: str = "",
    reply_chat: str = "",
    unit: Unit | None = None,
    reported_by=None,
    provider_message_id: str = "",
    forwarded: bool = False,
    origin: TipOriginIn | None = None,
) -> tuple[Tip, bool]:
    """Store a tip, matched and clustered; answer it at once when it repeats a published claim.

    Returns (tip, new): a provider message already stored (a webhook delivered twice) gives back the
    stored tip and changes nothing. The matcher runs before the transaction (it reads an in-memory index);
    the tip, its pictures, its cluster's counters and the answer in the outbox are one transaction."""
    if channel not in TipChannel.values:
        raise FactCheckError("Unknown channel.")
    text = text.strip()[:TIP_TEXT_MAX]
    if provider_message_id:
        existing = Tip.objects.filter(channel=channel, provider_message_id=provider_message_id).first()
        if existing is not None:
            return existing, False
    key = normalise(text)
    match = match_keys([key])[0] if key else None
    tier = match.tier if match is not None else Tier.NONE
    claim = Claim.objects.filter(external_id=match.claim_id).first() if match and match.claim_id else None
    joins = cluster_for_key(key)
    try:
        with transaction.atomic():
            cluster = _cluster_for(key=key, claim=claim if tier == Tier.AUTO else None, joins=joins)
            tip = _tip_create(
                channel=channel,
                text=text,
                link=link,
                key=key,
                language=language_of(text, key),
                forwarded=forwarded,
                reply_mobile=reply_mobile,
                reply_chat=reply_chat,
                unit=unit,
                reported_by=reported_by if getattr(reported_by, "is_authenticated", False) else None,
                provider_message_id=provider_message_id,
                claim=claim,
                tier=tier,
                score=match.score if match is not None else 0.0,
                cluster=cluster,
                **(origin.fields() if origin is not None else {}),
            )
            for item in media or []:
                TipMedia.objects.create(
                    tip=tip,
                    file=item.file,
                    provider_media_id=item.provider_media_id,
                    content_type=item.content_type,
                    size=item.size,
                )
            _cluster_count(cluster=cluster, unit=unit)
            if tier == Tier.AUTO and claim is not None and claim.is_published:
                _tip_answer(tip=tip, claim=claim)
            if any(item.file for item in media or []):
                images.tip_images_queue(tip)  # hashes and the text in the pictures, after the commit
    except IntegrityError:
        # The same provider message, stored by a concurrent delivery of the webhook.
        existing = Tip.objects.filter(channel=channel, provider_message_id=provider_message_id).first()
        if not provider_message_id or existing is None:
            raise
        return existing, False
    return tip, True


TIER_RANK: dict[str, int] = {Tier.NONE: 0, Tier.SUGGEST: 1, Tier.AUTO: 2}


def tip_rematch(*, tip: Tip, text: str) -> Tip:
    """Match the text found in a tip's pictures (``images``), and take the match when it is better than
    the tip's own: a higher tier, or the same tier with a higher score. Linked automatically, the tip moves
    to the claim's cluster (``tip_cluster_move``: its first cluster counts it no more, tip nor district) and,
    the claim published, its tipster is answered (once: ``answered_at``). A tip without words of its own
    takes the language of the text."""
    key = normalise(text[:TIP_TEXT_MAX])
    if not key:
        return tip
    match = match_keys([key])[0]
    if match.claim_id is None:
        return tip
    claim = Claim.objects.filter(external_id=match.claim_id).first()
    if claim is None:
        return tip
    with transaction.atomic():
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
        better = (TIER_RANK[match.tier], match.score) > (TIER_RANK[tip.tier], tip.score)
        if not better:
            return tip
        tip.claim, tip.tier, tip.score = claim, match.tier, match.score
        fields = ["claim", "tier", "score"]
        if not tip.text:
            tip.language = language_of(text, key)
            fields.append("language")
        if match.tier == Tier.AUTO:
            cluster = _cluster_for(key=key, claim=claim, joins=None)
            if cluster.pk != tip.cluster_id:
                tip_cluster_move(tip=tip, to=cluster)
                fields.append("cluster")
        tip.save(update_fields=fields)  # audited
        if match.tier == Tier.AUTO and claim.is_published and tip.answered_at is None:
            _tip_answer(tip=tip, claim=claim)
    return tip


def _tip_create(**fields) -> Tip:
    """The tip with a fresh reference number (another one on the rare clash of two)."""
    for _attempt in range(REFERENCE_TRIES - 1):
        try:
            with transaction.atomic():
                return Tip.objects.create(reference=new_reference(), **fields)
        except IntegrityError:
            provider_id = fields["provider_message_id"]
            if provider_id and Tip.objects.filter(channel=fields["channel"], provider_message_id=provider_id).exists():
                raise
    return Tip.objects.create(reference=new_reference(), **fields)


def _cluster_for(*, key: str, claim: Claim | None, joins: int | None) -> TipCluster:
    """The claim's cluster when the tip is linked to a claim; else the earlier tips' cluster it repeats;
    else a new one. A cluster of tips that had no claim takes the claim its first linked tip brings."""
    if claim is None:
        found = TipCluster.objects.filter(pk=joins).first() if joins is not None else None
        return found or TipCluster.objects.create(key=key)
    found = TipCluster.objects.select_for_update().filter(claim=claim).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            if joins is not None and TipCluster.objects.filter(pk=joins, claim__isnull=True).update(claim=claim):
                return TipCluster.objects.get(pk=joins)
            return TipCluster.objects.create(key=key, claim=claim)
    except IntegrityError:
        # The claim's first two tips at the same moment: the other one made its cluster first.
        return TipCluster.objects.get(claim=claim)


def _cluster_count(*, cluster: TipCluster, unit: Unit | None) -> None:
    """One more tip, and one more district the first time the cluster hears from it: counters moved with
    ``F()`` in the tip's transaction (no count on any page).

    The tip count's UPDATE comes first: it takes the cluster's row lock before the district row is looked
    at, so a tip of the same district leaving the cluster (``tip_cluster_move``, which holds that lock while
    it decides whether the district goes) is either seen whole or not at all."""
    TipCluster.objects.filter(pk=cluster.pk).update(tip_count=F("tip_count") + 1, last_tip_at=timezone.now())
    district = district_of(unit)
    if district is not None:
        _row, created = TipClusterDistrict.objects.get_or_create(cluster=cluster, district=district)
        if created:
            TipCluster.objects.filter(pk=cluster.pk).update(district_count=F("district_count") + 1)


def tip_cluster_move(*, tip: Tip, to: TipCluster) -> None:
    """The tip leaves its cluster for ``to`` (the caller, holding the tip's row lock, saves ``cluster``):
    the old cluster counts one tip fewer and, when no other tip of it came from the tip's district, loses
    that district's row and counts one district fewer; ``to`` counts the tip as a new one (``_cluster_count``).

    The one place a tip leaves a cluster: a picture's re-match (``tip_rematch``) and the desk's link or
    unlink (``actions``) both come here, so the counters stay equal to a count of the tips. Both clusters'
    rows are locked (in id order) before anything is read, and the counters move with ``F()``."""
    old_id = tip.cluster_id
    if old_id == to.pk:
        return
    locked = TipCluster.objects.select_for_update().filter(pk__in=[old_id, to.pk]).order_by("pk")
    list(locked.values_list("pk", flat=True))  # both rows' locks, taken in id order
    TipCluster.objects.filter(pk=old_id, tip_count__gt=0).update(tip_count=F("tip_count") - 1)
    district = district_of(tip.unit)
    if district is not None:
        others = Tip.objects.filter(subtree_q([district.path], "unit__path"), cluster_id=old_id).exclude(pk=tip.pk)
        if not others.exists() and TipClusterDistrict.objects.filter(cluster_id=old_id, district=district).delete()[0]:
            TipCluster.objects.filter(pk=old_id, district_count__gt=0).update(district_count=F("district_count") - 1)
    tip.cluster = to
    _cluster_count(cluster=to, unit=tip.unit)


def _tip_answer(*, tip: Tip, claim: Claim) -> None:
    """Queue the published verdict to the tipster, in their language, once per tip."""
    channel = REPLY_CHANNELS.get(tip.channel)
    recipient = tip.reply_chat if tip.channel == TipChannel.TELEGRAM else tip.reply_mobile
    if channel is None or not recipient:
        return
    language = reply_language(tip.language)
    texts = {text.language: text.text for text in claim.texts.all()}
    message_queue(
        channel=channel,
        recipient=recipient,
        template=ANSWER_TEMPLATE,
        context={
            "reference": tip.reference,
            "claim_text": texts.get(language) or next(iter(texts.values()), ""),
            "verdict": Verdict(claim.verdict).label,
        },
        language=language,
        idempotency_key=f"factcheck-tip-answer-{tip.pk}",
    )
    Tip.objects.filter(pk=tip.pk).update(answered_at=timezone.now())
