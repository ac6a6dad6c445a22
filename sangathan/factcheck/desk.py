"""The desk's workflow: a claim goes new → triage → verifying → verdict → published, is assigned to a
fact-checker of its area, gathers evidence and a rebuttal, and is escalated to the state control room when
it sits in a status longer than that status's SLA.

Every write is keyword-only, one transaction and audited (django-auditlog's signals on ``Claim``,
``ClaimLink``, ``ClaimFile``). Who may write: a user who may do ``DESK`` on the claim's unit (the desk's own
action ``FACT_CHECK``, which the fact-checker, the control room and the state and national admins hold; a
unit admin may send messages but not verify or publish a fact-check). A claim of no unit (the national
desk's, an imported archive) is read by every desk and changed only by a superuser.

The SLA clock is ``status_since`` (set by every transition; ``created_at`` before the first one). Hours per
status come from the settings ``FACTCHECK_SLA_HOURS_<STATUS>``; a published claim has no clock.
Escalation (``claims_escalate``, run by the ``factcheck.tasks.escalate_overdue`` beat task) marks the claim
``escalated_at`` in the same UPDATE that decides it, so two sweeps at once escalate it once; the message to
the state control room is queued in that transaction with an idempotency key per claim and person.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.permissions import FACT_CHECK, ROLE_ACTIONS
from sangathan.access.scope import can, scope_paths
from sangathan.core.paths import STEPLEN
from sangathan.factcheck import images
from sangathan.factcheck.models import (
    REBUTTAL_MAX,
    REBUTTAL_X_MAX,
    Claim,
    ClaimFile,
    ClaimLink,
    ClaimText,
    Language,
    LinkKind,
    Status,
    Verdict,
)
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import FactCheckError
from sangathan.factcheck.tips import REFERENCE_ALPHABET
from sangathan.logins.models import Login
from sangathan.notifications.services import message_queue, notify_person
from sangathan.org.models import Unit
from sangathan.org.shaping import state_of

DESK = FACT_CHECK  # the desk's action (see the module docstring)
STATE_DEPTH = 2  # the root is the nation; its children the states
ESCALATION_TEMPLATE = "factcheck_escalation"
ESCALATE_BATCH = 200

# Forward one step; back one step from verifying and verdict (more checking needed). Published is final here
# (a correction is a new claim).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.TRIAGE,),
    Status.TRIAGE: (Status.VERIFYING,),
    Status.VERIFYING: (Status.VERDICT, Status.TRIAGE),
    Status.VERDICT: (Status.PUBLISHED, Status.VERIFYING),
    Status.PUBLISHED: (),
}
SLA_STATUSES = (Status.NEW, Status.TRIAGE, Status.VERIFYING, Status.VERDICT)


def sla_hours(status: str) -> float | None:
    """How long a claim may sit in ``status`` (settings ``FACTCHECK_SLA_HOURS``); None: no clock."""
    hours = settings.FACTCHECK_SLA_HOURS.get(status)
    return float(hours) if hours else None


def sla_due(claim: Claim) -> datetime.datetime | None:
    hours = sla_hours(claim.status)
    if hours is None:
        return None
    return (claim.status_since or claim.created_at) + datetime.timedelta(hours=hours)


@dataclass(frozen=True)
class Sla:
    """A claim's SLA as the desk shows it: ``state`` is ok, soon (the last quarter), overdue or none."""

    state: str
    due: datetime.datetime | None


def sla_of(claim: Claim, *, now: datetime.datetime | None = None) -> Sla:
    due = sla_due(claim)
    if due is None:
        return Sla("none", None)
    now = now or timezone.now()
    if now > due:
        return Sla("overdue", due)
    hours = sla_hours(claim.status) or 0
    if due - now <= datetime.timedelta(hours=hours / 4):
        return Sla("soon", due)
    return Sla("ok", due)


def may_import(user) -> bool:
    """Archives belong to no unit (every desk reads them): loaded by a superuser or a national desk."""
    paths = scope_paths(user, DESK)
    return paths is None or any(len(path) <= STEPLEN for path in paths)


def _locked(claim: Claim, by) -> Claim:
    """The claim re-read with its row locked, if ``by`` may work on it; else a refusal."""
    found = Claim.objects.restrict(by, DESK).select_for_update(of=("self",)).filter(pk=claim.pk).first()
    if found is None:
        raise FactCheckError(_("You may not work on this claim."))
    return found


def _unpublished(claim: Claim, by) -> Claim:
    """``_locked``, and a refusal once the claim is published: its page, its ClaimReview and its rebuttal went
    out as they were (to the cascade and to tipsters); a correction is a new claim, reviewed again."""
    claim = _locked(claim, by)
    if claim.status == Status.PUBLISHED:
        raise FactCheckError(_("A published fact-check is final: open a new claim to correct it."))
    return claim


def claim_open(
    *, unit: Unit, texts: dict[str, str], by, external_id: str = "", now: datetime.datetime | None = None
) -> Claim:
    """A new claim of ``unit``'s desk with its text in Hindi and/or English, opened at ``now`` (its number
    carries the day in India then)."""
    if not can(by, DESK, unit):
        raise FactCheckError(_("You may not open claims for this unit."))
    texts = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    if not texts:
        raise FactCheckError(_("Write the claim in Hindi or English."))
    now = now or timezone.now()
    with transaction.atomic():
        claim = Claim.objects.create(
            external_id=external_id or new_external_id(now=now),
            unit=unit,
            created_by=by,
            status_since=now,
        )
        _texts_set(claim=claim, texts=texts)
    return claim


def new_external_id(*, now: datetime.datetime) -> str:
    """ "FC-20261207-" and five letters or digits (the tipline's alphabet, read out over the phone): the day
    is India's (``TIME_ZONE``) at ``now``, so a claim opened at 00:30 IST (19:00 UTC the day before) is
    numbered by the day the desk worked it."""
    return f"FC-{timezone.localdate(now):%Y%m%d}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def _texts_set(*, claim: Claim, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        if language not in Language.values:
            raise FactCheckError(_("Unknown language."))
        key = normalise(text)
        if not key:
            raise FactCheckError(_("The claim's text has no words to match."))
        ClaimText.objects.update_or_create(claim=claim, language=language, defaults={"text": text, "key": key})


def claim_edit(
    *,
    claim: Claim,
    by,
    texts: dict[str, str] | None = None,
    rebuttal: dict[str, str] | None = None,
) -> Claim:
    """Change the claim's texts ({language: text}; an empty text is left as it was) and its rebuttal
    (``rebuttal_hi``, ``rebuttal_en``, ``rebuttal_whatsapp``, ``rebuttal_x``, ``rebuttal_facebook``)."""
    limits = {
        "rebuttal_hi": REBUTTAL_MAX,
        "rebuttal_en": REBUTTAL_MAX,
        "rebuttal_whatsapp": REBUTTAL_MAX,
        "rebuttal_x": REBUTTAL_X_MAX,
        "rebuttal_facebook": REBUTTAL_MAX,
    }
    with transaction.atomic():
        claim = _unpublished(claim, by)
        if texts:
            _texts_set(claim=claim, texts={k: v.strip() for k, v in texts.items() if v and v.strip()})
        if rebuttal:
            unknown = set(rebuttal) - set(limits)
            if unknown:
                raise TypeError(f"unknown rebuttal fields: {sorted(unknown)}")
            for name, value in rebuttal.items():
                value = (value or "").strip()
                if len(value) > limits[name]:
                    raise FactCheckError(_("The rebuttal is too long."))
                setattr(claim, name, value)
            claim.save(update_fields=[*rebuttal, "updated_at"])
    return claim


def claim_transition(*, claim: Claim, to: str, by, verdict: str = "") -> Claim:
    """Move the claim to status ``to``: only the moves in ``TRANSITIONS``. Giving a verdict needs one of
    ``Verdict``; publishing needs the verdict and a rebuttal in Hindi or English."""
    with transaction.atomic():
        claim = _locked(claim, by)
        if to not in TRANSITIONS.get(claim.status, ()):
            raise FactCheckError(
                _("A claim cannot go from “%(from)s” to “%(to)s”.")
                % {"from": Status(claim.status).label, "to": Status(to).label if to in Status.values else to}
            )
        fields = ["status", "status_since", "updated_at"]
        if to == Status.VERDICT:
            if verdict not in Verdict.values:
                raise FactCheckError(_("Choose a verdict."))
            claim.verdict = verdict
            fields.append("verdict")
        if to == Status.PUBLISHED:
            if not (claim.rebuttal_hi.strip() or claim.rebuttal_en.strip()):
                raise FactCheckError(_("Write the rebuttal in Hindi or English before publishing."))
            claim.published_at = claim.published_at or timezone.now()
            fields.append("published_at")
        claim.status, claim.status_since = to, timezone.now()
        claim.save(update_fields=fields)  # audited (signals)
    return claim


def desk_users(claim: Claim):
    """The users who may work on the claim: a role granting ``DESK`` at its unit or above."""
    if claim.unit is None:
        return get_user_model().objects.filter(is_superuser=True, is_active=True)
    roles = [role for role, actions in ROLE_ACTIONS.items() if DESK in actions]
    holders = RoleAssignment.objects.filter(role__in=roles, unit__path__in=claim.unit.ancestor_paths())
    return get_user_model().objects.filter(is_active=True, pk__in=holders.values("user_id")).order_by("username")


def claim_assign(*, claim: Claim, assignee, by) -> Claim:
    """Give the claim to a fact-checker who may work on it (None: to nobody)."""
    with transaction.atomic():
        claim = _locked(claim, by)
        if assignee is not None and not desk_users(claim).filter(pk=assignee.pk).exists():
            raise FactCheckError(_("This person cannot work on claims of this area."))
        claim.assigned_to = assignee
        claim.save(update_fields=["assigned_to", "updated_at"])
    return claim


def claim_link_add(*, claim: Claim, url: str, by, kind: str = LinkKind.EVIDENCE, title: str = "") -> ClaimLink:
    if kind not in LinkKind.values:
        raise FactCheckError(_("Unknown kind of link."))
    with transaction.atomic():
        claim = _unpublished(claim, by)
        link, _created = ClaimLink.objects.get_or_create(
            claim=claim, kind=kind, url=url, defaults={"title": title.strip()[:200], "created_by": by}
        )
    return link


def claim_link_remove(*, link: ClaimLink, by) -> None:
    with transaction.atomic():
        _unpublished(link.claim, by)
        link.delete()


def claim_file_add(*, claim: Claim, upload, content_type: str, by) -> ClaimFile:
    """Keep an evidence file checked by ``desk_forms.checked_evidence``."""
    with transaction.atomic():
        claim = _unpublished(claim, by)
        evidence = ClaimFile.objects.create(
            claim=claim,
            file=upload,
            name=(upload.name or "file")[-255:],
            content_type=content_type,
            size=upload.size or 0,
            created_by=by,
        )
        if content_type.startswith("image/"):
            images.claim_file_queue(evidence)  # its perceptual hashes, after the commit
        return evidence


# ---------------------------------------------------------------- escalation


def _overdue_q(now: datetime.datetime) -> Q:
    condition = Q(pk__in=[])
    for status in SLA_STATUSES:
        hours = sla_hours(status)
        if hours is None:
            continue
        before = now - datetime.timedelta(hours=hours)
        condition |= Q(status=status) & (
            Q(status_since__lt=before) | Q(status_since__isnull=True, created_at__lt=before)
        )
    return condition


def claims_overdue(*, now: datetime.datetime | None = None):
    return Claim.objects.filter(_overdue_q(now or timezone.now()))


def claims_escalate(*, now: datetime.datetime | None = None) -> int:
    """Escalate every overdue claim of a district desk (or below) to its state's control room, once.
    Returns how many claims were escalated."""
    now = now or timezone.now()
    due = claims_overdue(now=now).filter(escalated_at__isnull=True, unit__depth__gt=STATE_DEPTH)
    # A claim of a state's own desk (or the nation's) is the control room's already: not escalated.
    escalated = 0
    while True:
        with transaction.atomic():
            batch = list(due.select_related("unit").order_by("pk")[:ESCALATE_BATCH])
            if not batch:
                break
            for claim in batch:
                # Decided by the UPDATE: a concurrent sweep that got here first leaves 0 rows.
                state = state_of(claim.unit)
                if not Claim.objects.filter(pk=claim.pk, escalated_at__isnull=True).update(
                    escalated_at=now, escalated_to=state
                ):
                    continue
                escalated += 1
                if state is not None:
                    _notify_control_room(claim=claim, state=state)
    return escalated


def _notify_control_room(*, claim: Claim, state: Unit) -> None:
    text = claim.texts.order_by("language").values_list("text", flat=True).first() or ""
    context = {
        "reference": claim.external_id,
        "unit": claim.unit.display_name if claim.unit else "",
        "status": Status(claim.status).label,
        "claim_text": text[:300],
    }
    key = f"factcheck-escalate:{claim.pk}"
    users = list(
        RoleAssignment.objects.filter(role=Role.CONTROL_ROOM, unit=state).select_related("user").order_by("user_id")
    )
    logins = {login.user_id: login.person for login in Login.objects.filter(user__in=[r.user for r in users])}
    reached = False
    for assignment in users:
        person = logins.get(assignment.user_id)
        if person is not None:
            reached |= bool(
                notify_person(
                    person=person, template=ESCALATION_TEMPLATE, context=context, idempotency_key=f"{key}:p{person.pk}"
                )
            )
        elif assignment.user.email:
            message_queue(
                channel="email",
                recipient=assignment.user.email,
                template=ESCALATION_TEMPLATE,
                context=context,
                idempotency_key=f"{key}:u{assignment.user_id}",
            )
            reached = True
    if not reached:
        # No control-room operator to reach: the state's console (or its in-charge's channels) hears it.
        message_queue(
            channel="console",
            recipient=f"unit:{state.pk}",
            template=ESCALATION_TEMPLATE,
            context=context,
            idempotency_key=f"{key}:state{state.pk}",
        )
