"""Writes of the recruitment drive: submissions, screening, interview scheduling, scoring and the
decisions that appoint. Each function is one transaction; messages go through the outbox in it."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import APPOINT
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_created, audit_bulk_update
from sangathan.notifications.services import message_queue
from sangathan.org import services as org_services
from sangathan.org.errors import OrgError
from sangathan.org.models import Unit
from sangathan.org.phones import normalise_mobile
from sangathan.privacy.services import notice_record
from sangathan.recruitment.errors import RecruitmentError
from sangathan.recruitment.intake import (
    REFERENCE_ALPHABET,
    submission_confirm,
    submission_receive,
    submissions_process,
)
from sangathan.recruitment.models import (
    Application,
    ApplicationEvent,
    Campaign,
    CampaignPosition,
    InterviewDay,
    InterviewSlot,
    Panel,
    ScoreSheet,
    Submission,
)
from sangathan.recruitment.poster import clock_text, when_text
from sangathan.verification.models import MobileChallenge
from sangathan.verification.services import challenge_confirm, challenge_send

__all__ = ["REFERENCE_ALPHABET", "RecruitmentError"]

DISAGREEMENT_POINTS = Decimal(25)
RESERVED_SLUGS = {"status"}  # /a/status/ is the status page  # panel members this far apart (out of 100) are flagged


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _event(application: Application, kind: str, note: str = "", by=None) -> None:
    ApplicationEvent.objects.create(application=application, kind=kind, note=note[:500], by=_actor(by))


def _notify_applicant(
    application: Application, *, template: str, key: str, context: dict | None = None, language: str | None = None
) -> None:
    """Tell the applicant through every configured channel that can reach them (by mobile or email), in
    the language of the page they applied on (else Hindi, unless they gave only an English name)."""
    if language not in ("hi", "en"):
        language = "hi" if application.name_hi or not application.name_en else "en"
    for channel in settings.NOTIFY_DEFAULT_CHANNELS:
        recipient = application.email if channel == "email" else application.mobile
        if not recipient or channel == "telegram":
            continue
        message_queue(
            channel=channel,
            recipient=recipient,
            template=template,
            context={"application": application, "campaign": application.campaign, **(context or {})},
            language=language,
            idempotency_key=f"recruitment:{key}:{channel}",
        )


# ---------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(
    *,
    scope_unit: Unit,
    title_hi: str,
    title_en: str,
    slug: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    rubric,
    positions: list[tuple],
    reference_prefix: str,
    notice_hi: str,
    notice_en: str,
    parent: Campaign | None = None,
    by=None,
) -> Campaign:
    """A campaign for ``scope_unit``'s subtree; ``positions`` is [(Position, target or None), ...].

    A sub-campaign (``parent`` given) must lie inside its parent's unit and recruit for posts of
    levels below its own unit or at it.
    """
    if closes_at <= opens_at:
        raise RecruitmentError(_("The closing time must be after the opening time."), code="window")
    if parent is not None and not scope_unit.is_within(parent.scope_unit):
        raise RecruitmentError(_("A sub-campaign must be for a unit inside its parent's."), code="outside_parent")
    if not positions:
        raise RecruitmentError(_("Choose at least one post to recruit for."), code="no_positions")
    for position, _target in positions:
        if position.level.order < scope_unit.level.order:
            raise RecruitmentError(
                _("%(post)s is above this unit's level.") % {"post": position.title}, code="position_above"
            )
    if slug in RESERVED_SLUGS or Campaign.objects.filter(slug=slug).exists():
        raise RecruitmentError(_("This short link is already taken."), code="slug_taken")
    campaign = Campaign.objects.create(
        scope_unit=scope_unit,
        parent=parent,
        title_hi=title_hi.strip(),
        title_en=title_en.strip(),
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
        rubric=rubric,
        reference_prefix=reference_prefix.strip().upper(),
        notice_hi=notice_hi,
        notice_en=notice_en,
        created_by=_actor(by),
    )
    made = CampaignPosition.objects.bulk_create(
        [CampaignPosition(campaign=campaign, position=position, target=target) for position, target in positions]
    )
    # bulk_create sends no signals: one entry on the campaign
    audit_bulk_created(obj=campaign, what="campaign_positions", rows=made, by=by)
    notice_record(campaign=campaign)
    return campaign


# What a superuser may correct on a campaign after it was made (the admin's form; nothing else changes it).
CAMPAIGN_CORRECTABLE = frozenset(
    {"title_hi", "title_en", "opens_at", "closes_at", "rubric", "notice_hi", "notice_en", "notice_version"}
)


@transaction.atomic
def campaign_update(*, campaign: Campaign, changes: dict, by=None) -> Campaign:
    """Correct a campaign's texts, window or notice (``changes``: field name → new value, only fields of
    ``CAMPAIGN_CORRECTABLE``). The text of the notice's current version is recorded (privacy ``Notice``),
    so a new ``notice_version`` keeps the words applicants agree to from now on."""
    unknown = set(changes) - CAMPAIGN_CORRECTABLE
    if unknown:
        raise ValueError(f"not correctable here: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.save()
    notice_record(campaign=campaign)
    return campaign


# ---------------------------------------------------------------- the public form


def application_submit(
    *, campaign: Campaign, token: str, data: dict, at: datetime.datetime | None = None, language: str | None = None
) -> tuple[Application, bool]:
    """Take one form and make its application at once (tests, the demo, the embedded mode's callers).
    Returns (application, created). The public view takes the two steps itself: ``submission_receive``
    in the request, ``submissions_process`` in a worker (see sangathan.recruitment.intake)."""
    submission, _new = submission_receive(campaign=campaign, token=token, data=data, language=language, at=at)
    submissions_process(campaign_id=submission.campaign_id, mobile=submission.mobile)
    submission.refresh_from_db(fields=["application", "processed_at"])
    if submission.application is None:
        raise RecruitmentError(_("Please try again."), code="not_processed")
    return submission.application, not submission.replaces_earlier and _new


def _status_submission(*, reference: str, mobile: str) -> Submission | None:
    try:
        mobile = normalise_mobile(mobile)
    except OrgError:
        return None
    reference = (reference or "").strip().upper()
    return Submission.objects.filter(reference=reference, mobile=mobile).order_by("pk").first()


def application_status_code_send(
    *, reference: str, mobile: str, language: str = "hi", requested_from: str | None = None
) -> MobileChallenge | None:
    """The first step of the status page: send a code to ``mobile`` if a form with this reference came
    from it; None otherwise (the page answers the same either way). Raises ``VerificationError`` when
    the number has had its codes for the hour."""
    submission = _status_submission(reference=reference, mobile=mobile)
    if submission is None:
        return None
    return challenge_send(
        mobile=submission.mobile,
        purpose=MobileChallenge.Purpose.APPLICATION,
        subject=submission.reference,
        language=language,
        requested_from=requested_from,
    )


@dataclass
class StatusAnswer:
    application: Application
    challenge: MobileChallenge
    form_applied: bool  # a held form of this reference changed the application now
    form_refused: bool  # a held form came too late: the application is past screening


def application_status_confirm(*, reference: str, mobile: str, challenge_id: int | None, code: str) -> StatusAnswer:
    """The second step: the code sent to the number proves whoever asks holds it. Returns the
    application; a held form with this reference is applied to it now (if it is still waiting to be
    read). Raises ``VerificationError`` for a wrong, used or expired code."""
    submission = _status_submission(reference=reference, mobile=mobile)
    challenge = challenge_confirm(
        challenge_id=challenge_id if submission is not None else None,
        mobile=submission.mobile if submission is not None else "",
        purpose=MobileChallenge.Purpose.APPLICATION,
        subject=submission.reference if submission is not None else "",
        code=code,
    )
    assert submission is not None  # without a form there was no code to confirm: challenge_confirm raised
    if submission.application_id is None:  # still in the intake: make its application first
        submissions_process(campaign_id=submission.campaign_id, mobile=submission.mobile)
        submission.refresh_from_db()
    applied = submission_confirm(submission=submission)
    submission.refresh_from_db()
    if submission.application_id is None:  # the database refused the form (its problem is kept)
        raise RecruitmentError(_("Please try again."), code="not_processed")
    application = (
        Application.objects.filter(pk=submission.application_id)
        .select_related("campaign", "applied_for__position", "slot__panel__day", "home_unit__level")
        .get()
    )
    refused = submission.held_at is not None and not applied and application.status != Application.Status.SUBMITTED
    return StatusAnswer(application=application, challenge=challenge, form_applied=applied, form_refused=refused)


# ---------------------------------------------------------------- screening


SCREENABLE = {Application.Status.SUBMITTED, Application.Status.SHORTLISTED, Application.Status.REJECTED}


@transaction.atomic
def application_screen(*, application: Application, shortlist: bool, reason: str = "", by=None) -> Application:
    """Shortlist an application for interview, or reject it with a reason."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in SCREENABLE:
        raise RecruitmentError(_("This application is past screening."), code="past_screening")
    reason = (reason or "").strip()
    if not shortlist and not reason:
        raise RecruitmentError(_("Give a reason for rejecting."), code="reason_missing")
    if len(reason) > 500:
        raise RecruitmentError(_("The reason can be at most 500 characters long."), code="reason_too_long")
    application.status = Application.Status.SHORTLISTED if shortlist else Application.Status.REJECTED
    application.decision_reason = "" if shortlist else reason
    application.save(update_fields=["status", "decision_reason", "updated_at"])
    _event(application, application.status, reason, by)
    return application


def applications_screen_bulk(*, applications, shortlist: bool, reason: str = "", by=None) -> int:
    """Screen many at once; those past screening are skipped. Returns how many changed."""
    changed = 0
    for application in applications:
        try:
            application_screen(application=application, shortlist=shortlist, reason=reason, by=by)
            changed += 1
        except RecruitmentError:
            if not shortlist and not (reason or "").strip():
                raise
    return changed


# ---------------------------------------------------------------- interviews


def _day_times(day: InterviewDay) -> list[datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day.date, day.starts, tzinfo=tz)
    end = datetime.datetime.combine(day.date, day.ends, tzinfo=tz)
    step = datetime.timedelta(minutes=day.slot_minutes)
    times = []
    while start + step <= end:
        times.append(start)
        start += step
    return times


@transaction.atomic
def interviews_schedule(*, day: InterviewDay, by=None) -> tuple[int, int]:
    """Put shortlisted applicants without a slot into the day's free slots, panels in parallel,
    earliest first, in the order they applied. Returns (scheduled, left without a slot)."""
    InterviewDay.objects.select_for_update().get(pk=day.pk)
    panels = list(day.panels.all())
    if not panels:
        raise RecruitmentError(_("Add at least one panel to this day first."), code="no_panels")
    taken = set(InterviewSlot.objects.filter(panel__day=day).values_list("panel_id", "starts_at"))
    free = [(t, panel) for t in _day_times(day) for panel in panels if (panel.pk, t) not in taken]
    waiting = list(
        Application.objects.select_for_update(of=("self",))
        .filter(campaign=day.campaign, status=Application.Status.SHORTLISTED, slot__isnull=True)
        .order_by("submitted_at", "pk")
    )
    scheduled = 0
    for application, (starts_at, panel) in zip(waiting, free, strict=False):
        InterviewSlot.objects.create(panel=panel, starts_at=starts_at, application=application)
        application.status = Application.Status.SCHEDULED
        application.save(update_fields=["status", "updated_at"])
        _event(application, "scheduled", f"{panel.name} {timezone.localtime(starts_at):%d/%m/%Y %H:%M}", by)
        _notify_applicant(
            application,
            template="interview_scheduled",
            key=f"{application.pk}:slot:{panel.pk}:{starts_at.isoformat()}",
            context={"starts_at": starts_at, "venue": day.venue},
        )
        scheduled += 1
    return scheduled, len(waiting) - scheduled


@transaction.atomic
def slot_move(*, slot: InterviewSlot, panel: Panel, starts_at: datetime.datetime, by=None) -> InterviewSlot:
    """Reschedule one interview to a free time of a panel of the same day, within the day's window."""
    slot = (
        InterviewSlot.objects.select_for_update(of=("self",))
        .select_related("panel__day", "application")
        .get(pk=slot.pk)
    )
    if panel.day_id != slot.panel.day_id or starts_at not in _day_times(panel.day):
        raise RecruitmentError(_("Choose one of this day's interview times."), code="slot_time")
    if InterviewSlot.objects.filter(panel=panel, starts_at=starts_at).exclude(pk=slot.pk).exists():
        raise RecruitmentError(_("That panel already has an interview at that time."), code="slot_taken")
    slot.panel, slot.starts_at = panel, starts_at
    try:
        with transaction.atomic():
            slot.save(update_fields=["panel", "starts_at"])
    except IntegrityError:
        raise RecruitmentError(_("That panel already has an interview at that time."), code="slot_taken") from None
    _event(slot.application, "rescheduled", f"{panel.name} {timezone.localtime(starts_at):%d/%m/%Y %H:%M}", by)
    _notify_applicant(
        slot.application,
        template="interview_scheduled",
        key=f"{slot.application_id}:slot:{panel.pk}:{starts_at.isoformat()}",
        context={"starts_at": starts_at, "venue": panel.day.venue},
    )
    return slot


@transaction.atomic
def slot_mark_no_show(*, slot: InterviewSlot, by=None) -> InterviewSlot:
    slot = InterviewSlot.objects.select_for_update(of=("self",)).select_related("application").get(pk=slot.pk)
    if slot.application.score_sheets.exists():
        raise RecruitmentError(_("This applicant has been interviewed and scored."), code="already_scored")
    slot.status = InterviewSlot.Status.NO_SHOW
    slot.save(update_fields=["status"])
    application = Application.objects.select_for_update(of=("self",)).get(pk=slot.application_id)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.NO_SHOW)
    # A QuerySet.update sends no signals: the application's own entry, with its status before and after.
    audit_bulk_update(
        objects=[application], changes={"status": [application.status, Application.Status.NO_SHOW]}, by=by
    )
    _event(slot.application, "no_show", "", by)
    return slot


# ---------------------------------------------------------------- scoring


def _weighted(sheet_scores: dict[int, int], criteria) -> Decimal:
    """Weighted mean of the scores as a percentage of the best possible (0–100)."""
    total_weight = sum(c.weight for c in criteria)
    value = sum(Decimal(c.weight) * Decimal(sheet_scores[c.pk]) / Decimal(c.scale_max) for c in criteria)
    return (value * 100 / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def slot_scoring_open(*, slot: InterviewSlot, by, at: datetime.datetime | None = None) -> InterviewSlot:
    """Open scoring of one interview before its time (it started early). The caller has checked that ``by``
    may appoint on the applicant's unit; the slot's change is audited and written in the application's history."""
    slot = InterviewSlot.objects.select_for_update(of=("self",)).select_related("application").get(pk=slot.pk)
    at = at or timezone.now()
    if slot.status != InterviewSlot.Status.BOOKED:
        raise RecruitmentError(_("This interview has already taken place or was missed."), code="slot_not_booked")
    if slot.scoring_open(at):
        raise RecruitmentError(_("Scoring of this interview is already open."), code="scoring_already_open")
    slot.scoring_opened_at = at
    slot.save(update_fields=["scoring_opened_at"])
    _event(slot.application, "scoring_opened", f"{timezone.localtime(slot.starts_at):%d/%m/%Y %H:%M}", by)
    return slot


def _scoring_not_open(slot: InterviewSlot) -> RecruitmentError:
    opens = slot.scoring_opens_at
    when = clock_text(opens) if timezone.localdate(opens) == timezone.localdate() else when_text(opens)
    return RecruitmentError(
        _("Scoring of this interview opens at %(when)s. Nothing was saved; an admin can open it earlier.")
        % {"when": when},
        code="scoring_not_open",
    )


@transaction.atomic
def score_submit(
    *, application: Application, member, scores: dict[int, int], at: datetime.datetime | None = None
) -> ScoreSheet:
    """One panel member's scores, once, from the slot's time (``InterviewSlot.scoring_opens_at``). The
    application's score is the mean of the members' weighted scores; members more than ``DISAGREEMENT_POINTS``
    apart are flagged for a second look."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("slot__panel", "campaign")
        .get(pk=application.pk)
    )
    slot = getattr(application, "slot", None)
    if slot is None or not slot.panel.members.filter(pk=member.pk).exists():
        raise RecruitmentError(_("Only members of this applicant's panel can score them."), code="not_on_panel")
    if application.status not in (Application.Status.SCHEDULED, Application.Status.INTERVIEWED):
        raise RecruitmentError(_("This applicant is not waiting for scores."), code="not_scorable")
    if not slot.scoring_open(at):
        raise _scoring_not_open(slot)
    criteria = list(application.campaign.rubric.criteria.all())
    if set(scores) != {c.pk for c in criteria}:
        raise RecruitmentError(_("Score every criterion."), code="scores_missing")
    for criterion in criteria:
        value = scores[criterion.pk]
        if not isinstance(value, int) or not 1 <= value <= criterion.scale_max:
            raise RecruitmentError(
                _("%(criterion)s takes a score from 1 to %(max)d.")
                % {"criterion": criterion.name, "max": criterion.scale_max},
                code="score_range",
            )
    if ScoreSheet.objects.filter(application=application, member=member).exists():
        raise RecruitmentError(_("You have already scored this applicant."), code="already_scored")
    sheet = ScoreSheet.objects.create(
        application=application,
        member=member,
        scores={str(k): v for k, v in scores.items()},
        weighted=_weighted(scores, criteria),
    )
    values = list(ScoreSheet.objects.filter(application=application).values_list("weighted", flat=True))
    application.score = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    application.score_disagreement = max(values) - min(values) > DISAGREEMENT_POINTS
    application.status = Application.Status.INTERVIEWED
    application.save(update_fields=["score", "score_disagreement", "status", "updated_at"])
    if slot.status != InterviewSlot.Status.DONE:
        InterviewSlot.objects.filter(pk=slot.pk).update(status=InterviewSlot.Status.DONE)
        audit_bulk_update(objects=[slot], changes={"status": [slot.status, InterviewSlot.Status.DONE]}, by=member)
    _event(application, "scored", "", member)
    return sheet


def score_sheets_visible_to(*, application: Application, member) -> list[ScoreSheet]:
    """A member sees the others' scores only after submitting their own."""
    sheets = list(application.score_sheets.select_related("member"))
    if any(sheet.member_id == member.pk for sheet in sheets):
        return sheets
    return []


# ---------------------------------------------------------------- decisions


DECIDABLE = {Application.Status.INTERVIEWED, Application.Status.WAITLISTED}


@transaction.atomic
def application_decide(*, application: Application, decision: str, reason: str = "", by=None) -> Application:
    """Select (and so appoint), wait-list or reject an interviewed applicant.

    Selecting appoints the applicant to the post they applied for at the unit of that post's level
    above (or at) their home, in one transaction with a numbered letter; a full post refuses cleanly.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "applied_for__position__level", "home_unit")
        .get(pk=application.pk)
    )
    if application.status not in DECIDABLE:
        raise RecruitmentError(_("Only interviewed or wait-listed applicants can be decided."), code="not_decidable")
    reason = (reason or "").strip()[:500]
    if decision == "waitlist":
        application.status = Application.Status.WAITLISTED
    elif decision == "reject":
        if not reason:
            raise RecruitmentError(_("Give a reason for rejecting."), code="reason_missing")
        application.status = Application.Status.REJECTED
    elif decision == "select":
        _appoint(application, by=by)
    else:
        raise RecruitmentError(_("Unknown decision."), code="decision")
    application.decision_reason = reason
    application.save()
    _event(application, application.status, reason, by)
    return application


def appointment_unit_for(application: Application) -> Unit:
    """The unit whose committee has the post applied for: the home unit's ancestor at the post's level."""
    level = application.applied_for.position.level
    home = application.home_unit
    unit = Unit.objects.filter(path__in=home.ancestor_paths(include_self=True), level=level).first()
    if unit is None:
        raise RecruitmentError(
            _("There is no %(level)s above the place this applicant chose.") % {"level": level.name}, code="no_unit"
        )
    return unit


def _appoint(application: Application, *, by) -> None:
    unit = appointment_unit_for(application)
    if by is not None and not can(by, APPOINT, unit):
        raise RecruitmentError(
            _("You may not appoint to the committee of %(unit)s.") % {"unit": unit.display_name}, code="not_allowed"
        )
    letter_number = f"{application.campaign.reference_prefix}/{application.reference.rsplit('-', 1)[-1]}"
    appointment = org_services.appointment_create_for_mobile(
        unit=unit,
        position=application.applied_for.position,
        mobile=application.mobile,
        name_hi=application.name_hi,
        name_en=application.name_en,
        letter_number=letter_number,
        by=by,
    )
    application.status = Application.Status.APPOINTED
    application.appointment = appointment
    application.letter_number = letter_number
    _notify_applicant(
        application,
        template="application_appointed",
        key=f"{application.pk}:appointed",
        context={"unit": unit, "position": application.applied_for.position, "letter_number": letter_number},
    )


# ---- added for the staff pages


@transaction.atomic
def interview_day_create(
    *,
    campaign: Campaign,
    date: datetime.date,
    venue: str,
    starts: datetime.time = datetime.time(11, 0),
    ends: datetime.time = datetime.time(17, 0),
    slot_minutes: int = 15,
    by=None,
) -> InterviewDay:
    """A day of interviews at a venue; slots are cut from ``starts`` to ``ends``."""
    venue = (venue or "").strip()
    if not venue:
        raise RecruitmentError(_("Give the venue."), code="venue_missing")
    if len(venue) > 200:
        raise RecruitmentError(_("The venue can be at most 200 characters long."), code="venue_too_long")
    if ends <= starts:
        raise RecruitmentError(_("The day must end after it starts."), code="day_window")
    if not 5 <= slot_minutes <= 240:
        raise RecruitmentError(_("An interview takes between 5 and 240 minutes."), code="slot_length")
    return InterviewDay.objects.create(
        campaign=campaign, date=date, venue=venue, starts=starts, ends=ends, slot_minutes=slot_minutes
    )


@transaction.atomic
def panel_create(*, day: InterviewDay, name: str, members: list, by=None) -> Panel:
    """A panel of interviewers for one day; its name is unique within the day."""
    name = (name or "").strip()
    if not name:
        raise RecruitmentError(_("Give the panel a name."), code="panel_name_missing")
    if len(name) > 80:
        raise RecruitmentError(_("The panel name can be at most 80 characters long."), code="panel_name_too_long")
    if not members:
        raise RecruitmentError(_("A panel needs at least one member."), code="panel_no_members")
    InterviewDay.objects.select_for_update().get(pk=day.pk)
    if Panel.objects.filter(day=day, name=name).exists():
        raise RecruitmentError(_("This day already has a panel with this name."), code="panel_name_taken")
    panel = Panel.objects.create(day=day, name=name)
    panel.members.set(members)
    return panel
