"""Answering a rumour: one action sends a published claim's rebuttal down the cascade and replies to the
people who sent it in.

* The cascade: a message (``outreach.services``) to the subtree of the unit whose desk raised the claim,
  down to the lowest level, with the rebuttal's Hindi, English, WhatsApp, X and Facebook texts. The unit's
  four-eyes rule applies: when a second person must approve, the message is submitted and waits on the
  cascade's approval page; otherwise it goes out at once. The claim keeps its message
  (``rebuttal_message``), so the action repeated never makes a second one; it sends the approved message.
* The tipsters: every tip linked to the claim (automatically, or in the claim's cluster) that has a reply
  address and no answer yet gets the verdict and the rebuttal in its language through the outbox. The
  idempotency key is the tip's (the same as the automatic answer's, so a tip is answered once either way)
  and, for the same person writing several tips, the person's address per claim: each tipster once.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from sangathan.factcheck.desk import DESK
from sangathan.factcheck.models import Claim, Language, Tier, Tip, TipChannel, Verdict
from sangathan.factcheck.services import REPLY_CHANNELS, FactCheckError
from sangathan.factcheck.tips import reply_language
from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import message_queue
from sangathan.org.models import Level
from sangathan.outreach import services as outreach
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Message

REBUTTAL_TEMPLATE = "factcheck_rebuttal"
TITLE_MAX = 150


@dataclass
class AnswerResult:
    message: Message | None
    message_status: str
    tipsters: int


def public_url(claim: Claim, language: str = "hi") -> str:
    path = reverse("factcheck_public:claim", kwargs={"pk": claim.pk, "lang": "en" if language == "en" else "hi"})
    return outreach.public_base_url() + path


def claim_texts(claim: Claim) -> dict[str, str]:
    return {text.language: text.text for text in claim.texts.all()}


def claim_answer(*, claim: Claim, by) -> AnswerResult:
    """Send the rebuttal down the cascade and to the tipsters (see the module docstring)."""
    with transaction.atomic():
        found = (
            Claim.objects.restrict(by, DESK)
            .select_for_update(of=("self",))
            .select_related("unit__level")
            .filter(pk=claim.pk)
            .first()
        )
        if found is None:
            raise FactCheckError(_("You may not work on this claim."))
        claim = found
        if not claim.is_published:
            raise FactCheckError(_("Publish the claim before answering it."))
        if claim.unit is None:
            raise FactCheckError(_("This claim belongs to no unit: there is no cascade to send it down."))
        message = _cascade_message(claim=claim, by=by)
        tipsters = _answer_tipsters(claim=claim)
        claim.answered_at = claim.answered_at or timezone.now()
        claim.save(update_fields=["answered_at", "rebuttal_message", "updated_at"])
    if message.status in (Message.Status.DRAFT, Message.Status.APPROVED):
        # Its own transaction (the chunks are queued on its commit); four eyes decides whether it may go.
        try:
            message = outreach.message_send(message=message, by=by)
        except OutreachError as error:
            raise FactCheckError(" ".join(error.messages)) from error
    return AnswerResult(message=message, message_status=message.status, tipsters=tipsters)


def _cascade_message(*, claim: Claim, by) -> Message:
    if claim.rebuttal_message_id is not None:
        return Message.objects.get(pk=claim.rebuttal_message_id)
    unit = claim.unit
    assert unit is not None  # claim_answer refuses a claim of no unit
    lowest = Level.objects.filter(state__isnull=True, order__gt=unit.level.order).order_by("-order").first()
    if lowest is None:
        raise FactCheckError(_("There are no units below this one to send to."))
    texts = claim_texts(claim)
    with override("hi"):
        verdict_hi = str(Verdict(claim.verdict).label)
    with override("en"):
        verdict_en = str(Verdict(claim.verdict).label)
    body_hi = _body(claim.rebuttal_hi, verdict_hi, public_url(claim, "hi")) if claim.rebuttal_hi.strip() else ""
    body_en = _body(claim.rebuttal_en, verdict_en, public_url(claim, "en")) if claim.rebuttal_en.strip() else ""
    title = (texts.get(Language.HINDI) or texts.get(Language.ENGLISH) or claim.external_id)[: TITLE_MAX - 20]
    try:
        message = outreach.message_create(
            unit=unit,
            target_level=lowest,
            by=by,
            title=f"{verdict_hi}: {title}"[:TITLE_MAX],
            body_hi=body_hi,
            body_en=body_en,
            text_whatsapp=claim.rebuttal_whatsapp,
            text_x=claim.rebuttal_x,
            text_facebook=claim.rebuttal_facebook,
            priority=Message.Priority.URGENT,
        )
    except OutreachError as error:
        raise FactCheckError(" ".join(error.messages)) from error
    if outreach.four_eyes_required(unit):
        message = outreach.message_submit(message=message, by=by)
    claim.rebuttal_message = message
    return message


def _body(rebuttal: str, verdict: str, url: str) -> str:
    return f"{verdict}\n\n{rebuttal.strip()}\n\n{url}"


def _answer_tipsters(*, claim: Claim) -> int:
    """Queue the answer to each tipster of the claim's linked tips not answered yet; returns how many."""
    tips = (
        Tip.objects.filter(Q(claim=claim, tier=Tier.AUTO) | Q(cluster__claim=claim))
        .filter(answered_at__isnull=True)
        .order_by("created_at", "pk")
    )
    texts = claim_texts(claim)
    answered_ids, queued = [], 0
    for tip in tips:
        channel = REPLY_CHANNELS.get(tip.channel)
        recipient = tip.reply_chat if tip.channel == TipChannel.TELEGRAM else tip.reply_mobile
        if channel is None or not recipient:
            continue
        language = reply_language(tip.language)
        person_key = hashlib.sha256(f"{channel}:{recipient}".encode()).hexdigest()[:32]
        key = f"factcheck-claim-answer-{claim.pk}-{person_key}"
        answered_ids.append(tip.pk)
        if OutboxMessage.objects.filter(idempotency_key__in=[key, f"factcheck-tip-answer-{tip.pk}"]).exists():
            continue  # this person already has the answer (an earlier tip of theirs)
        with override(language):
            verdict = str(Verdict(claim.verdict).label)
        rebuttal = (
            claim.rebuttal_en if language == "en" and claim.rebuttal_en else claim.rebuttal_hi or claim.rebuttal_en
        )
        message_queue(
            channel=channel,
            recipient=recipient,
            template=REBUTTAL_TEMPLATE,
            context={
                "reference": tip.reference,
                "claim_text": texts.get(language) or next(iter(texts.values()), ""),
                "verdict": verdict,
                "rebuttal": rebuttal,
                "url": public_url(claim, language),
            },
            language=language,
            idempotency_key=key,
        )
        queued += 1
    if answered_ids:
        Tip.objects.filter(pk__in=answered_ids, answered_at__isnull=True).update(answered_at=timezone.now())
    return queued
