"""Writes of the privacy app: consent records, data requests, erasure and retention.

Erasure anonymises in place, with set-based ``UPDATE``s, so that every count (applications per status,
seats filled, camp attendance) stays what it was and no row that others point to disappears. The rows
are overwritten with placeholders (``erased-<id>``) that cannot be confused with a real mobile number.
Queryset updates send no signals, so the audit trail does not get a new copy of the erased values.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_action, audit_redact
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Appointment, Person, SocialAccount
from sangathan.privacy import subjects
from sangathan.privacy.errors import PrivacyError
from sangathan.privacy.models import ConsentRecord, DataRequest, Erasure, Notice, Purpose
from sangathan.recruitment.models import Application, ApplicationEvent, Campaign, Submission
from sangathan.training.models import WalkInRequest

ERASED_PREFIX = "erased-"
ERASED_NAME_HI = "मिटाया गया"
ERASED_NAME_EN = "Erased"
ERASED_TEXT = "[erased]"
DETAILS_MAX = 1000
NOTE_MAX = 500
DEFAULT_REJECTED_RETENTION_DAYS = 180
WALK_IN_RETENTION_DAYS = 30


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def is_erased_mobile(mobile: str) -> bool:
    return (mobile or "").startswith(ERASED_PREFIX)


def rejected_retention_days() -> int:
    return int(getattr(settings, "PRIVACY_REJECTED_RETENTION_DAYS", DEFAULT_REJECTED_RETENTION_DAYS))


# ---------------------------------------------------------------- notices and consent


def notice_for_campaign(campaign: Campaign, version: int | None = None) -> Notice:
    """The recruitment notice of ``campaign`` at ``version`` (its current one by default), copied into a
    ``Notice`` the first time it is needed. An older version first seen now has lost its text (the
    campaign keeps only the current one): it is recorded with empty text rather than the wrong one."""
    version = campaign.notice_version if version is None else version
    current = version == campaign.notice_version
    notice, _created = Notice.objects.get_or_create(
        purpose=Purpose.RECRUITMENT,
        campaign=campaign,
        version=version,
        defaults={
            "text_hi": campaign.notice_hi if current else "",
            "text_en": campaign.notice_en if current else "",
        },
    )
    return notice


def notice_record(*, campaign: Campaign) -> Notice:
    """Keep the text of the campaign's current notice version: called by the recruitment services that make
    a campaign or change its notice (``campaign_create``, ``campaign_update``). The campaign holds only the
    latest text; a version already recorded keeps the text it was first recorded with."""
    return notice_for_campaign(campaign)


def consents_sync(*, applications=None) -> int:
    """Write the consent record of every application that has none for the notice version it agreed to.

    The public form's intake (``recruitment.intake``) stores ``consent_at`` and ``consent_version`` on the
    application; this turns them into records, set-based: run by the daily job, on the status page and
    before any export, so a record exists whenever anybody looks. Returns how many were written."""
    applications = Application.objects.all() if applications is None else applications
    recorded = ConsentRecord.objects.filter(
        application=OuterRef("pk"), notice__version=OuterRef("consent_version"), purpose=Purpose.RECRUITMENT
    )
    missing = list(
        applications.exclude(mobile__startswith=ERASED_PREFIX)
        .filter(~Exists(recorded))
        .select_related("campaign")
        .only("pk", "campaign", "consent_at", "consent_version")
    )
    if not missing:
        return 0
    notices: dict[tuple[int, int], Notice] = {}
    rows = []
    for application in missing:
        key = (application.campaign_id, application.consent_version)
        if key not in notices:
            notices[key] = notice_for_campaign(application.campaign, application.consent_version)
        rows.append(
            ConsentRecord(
                notice=notices[key],
                purpose=Purpose.RECRUITMENT,
                application=application,
                given_at=application.consent_at,
            )
        )
    ConsentRecord.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def consent_withdraw(*, applications, at: datetime.datetime | None = None) -> int:
    """Mark the consents of these applications withdrawn (once; a second withdrawal changes nothing)."""
    at = at or timezone.now()
    consents_sync(applications=applications)
    return ConsentRecord.objects.filter(application__in=applications, withdrawn_at__isnull=True).update(withdrawn_at=at)


# ---------------------------------------------------------------- the data principal


@dataclass
class Subject:
    """Everything that identifies one data principal: their mobile number, every application made with
    it, and the ``Person`` the organisation keeps (an applicant who was appointed, an office-bearer)."""

    mobile: str
    applications: list[Application] = field(default_factory=list)
    person: Person | None = None

    @property
    def application_ids(self) -> list[int]:
        return [application.pk for application in self.applications]

    @property
    def unit(self):
        if self.applications:
            return self.applications[0].home_unit
        if self.person is not None:
            if self.person.home_unit_id:
                return self.person.home_unit
            appointment = self.person.appointments.select_related("unit").order_by("-start_date").first()
            if appointment is not None:
                return appointment.unit
        return None


def subject_of(
    *, application: Application | None = None, person: Person | None = None, as_applicant: bool = False
) -> Subject:
    """The data principal of an application or a person. ``as_applicant``: the person asked from the
    public status page, having proved they hold the application's number; they are the applicant of
    every application made with it, and the person appointed from one of them, but not whoever else
    the organisation keeps under that number (a number is reassigned, an office-bearer's record is the
    organisation's to hand over, through its staff)."""
    if application is not None:
        mobile = application.mobile
    elif person is not None:
        mobile = person.mobile
    else:
        raise ValueError("a subject needs an application or a person")
    if person is None and not as_applicant:
        person = Person.objects.filter(mobile=mobile).select_related("home_unit").first()
    if person is None and application is not None and application.appointment is not None:
        person = application.appointment.person
    applications = list(
        Application.objects.filter(mobile=mobile)
        .exclude(mobile__startswith=ERASED_PREFIX)
        .select_related("campaign", "home_unit", "applied_for__position")
        .order_by("submitted_at", "pk")
    )
    if application is not None and application.pk not in {a.pk for a in applications}:
        applications.insert(0, application)
    return Subject(mobile=mobile, applications=applications, person=person)


# ---------------------------------------------------------------- requests


def _clean_text(text: str, *, limit: int) -> str:
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch in "\n\t").strip()
    if len(text) > limit:
        raise PrivacyError(_("Please write at most %(limit)s characters.") % {"limit": limit}, code="too_long")
    return text


@transaction.atomic
def request_create(
    *,
    kind: str,
    application: Application | None = None,
    person: Person | None = None,
    details: str = "",
    via: str,
    by=None,
    as_applicant: bool = False,
) -> DataRequest:
    """Record a data request. A copy of the data is handed over at once (recorded as done); a correction
    waits for an admin; erasure withdraws consent at once and erases at once when nothing holds it up
    (an active appointment must be relieved first, by an admin, so it stays open for them)."""
    if kind not in DataRequest.Kind.values:
        raise PrivacyError(_("Choose what you are asking for."), code="kind")
    if via not in DataRequest.Via.values:
        raise PrivacyError(_("Choose what you are asking for."), code="via")
    subject = subject_of(application=application, person=person, as_applicant=as_applicant)
    if is_erased_mobile(subject.mobile):
        raise PrivacyError(_("This person's data has already been erased."), code="erased")
    details = _clean_text(details, limit=DETAILS_MAX)
    if kind == DataRequest.Kind.CORRECTION and not details:
        raise PrivacyError(_("Write what is wrong and what it should be."), code="details_missing")
    if kind == DataRequest.Kind.ERASURE:
        pending = _open_erasure(subject)
        if pending is not None:  # asked again while waiting for a post to be relieved: the same request
            return pending
    unit = subject.unit
    if unit is None:
        raise PrivacyError(_("This person belongs to no unit; ask the state office."), code="no_unit")
    now = timezone.now()
    request = DataRequest(
        kind=kind,
        via=via,
        application=application or (subject.applications[0] if subject.applications else None),
        person=subject.person,
        unit=unit,
        details=details,
        raised_by=_actor(by),
        created_at=now,
    )
    if kind == DataRequest.Kind.ACCESS:
        request.status = DataRequest.Status.DONE
        request.resolved_at = now
        request.resolved_by = _actor(by)
    request.save()
    if kind == DataRequest.Kind.ERASURE:
        consent_withdraw(applications=Application.objects.filter(pk__in=subject.application_ids), at=now)
        if not _blocking_appointments(subject).exists():
            subject_erase(subject=subject, request=request, by=by)
            request.status, request.resolved_at, request.resolved_by = (
                DataRequest.Status.DONE,
                timezone.now(),
                _actor(by),
            )
            request.save(update_fields=["status", "resolved_at", "resolved_by"])  # a save: in the audit trail
            request.refresh_from_db()
    return request


@transaction.atomic
def subject_request_create(
    *, kind: str, subject_kind: str, subject_id: int, details: str = "", via: str, by=None
) -> DataRequest:
    """Record a data request about a person kept by a higher app (``privacy.subjects``: a member), handled like
    an applicant's: a copy is handed over at once (done); a correction waits for the privacy officer of the
    person's unit; erasure withdraws consent and erases at once through the owning app (``SubjectKind.erase``),
    and a second one while it runs finds the subject gone. The caller proved the person holds the number
    (the public pages' ticket) or is staff in scope."""
    if kind not in DataRequest.Kind.values or via not in DataRequest.Via.values:
        raise PrivacyError(_("Choose what you are asking for."), code="kind")
    registered = subjects.get(subject_kind)
    obj = registered.find(pk=subject_id) if registered is not None else None
    if registered is None or obj is None:
        raise PrivacyError(_("This person's data has already been erased."), code="erased")
    details = _clean_text(details, limit=DETAILS_MAX)
    if kind == DataRequest.Kind.CORRECTION and not details:
        raise PrivacyError(_("Write what is wrong and what it should be."), code="details_missing")
    now = timezone.now()
    request = DataRequest(
        kind=kind,
        via=via,
        subject_kind=registered.code,
        subject_id=subject_id,
        unit=registered.unit_of(obj=obj),
        details=details,
        raised_by=_actor(by),
        created_at=now,
    )
    if kind != DataRequest.Kind.CORRECTION:
        request.status, request.resolved_at, request.resolved_by = DataRequest.Status.DONE, now, _actor(by)
    request.save()
    if kind == DataRequest.Kind.ERASURE:
        counts = registered.erase(obj=obj, by=by)
        request.resolution = _clean_text(
            ", ".join(f"{table}: {n}" for table, n in sorted(counts.items())), limit=NOTE_MAX
        )
        request.save(update_fields=["resolution"])  # a save: in the audit trail
    return request


def subject_for_request(request: DataRequest):
    """(the registered kind, its row or None when erased) of a request about a higher app's person, or
    (None, None) for an applicant's or a person's request."""
    registered = subjects.get(request.subject_kind)
    if registered is None or request.subject_id is None:
        return None, None
    return registered, registered.find(pk=request.subject_id)


def _open_erasure(subject: Subject) -> DataRequest | None:
    condition = Q(application_id__in=subject.application_ids)
    if subject.person is not None:
        condition |= Q(person=subject.person)
    return DataRequest.objects.filter(condition, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN).first()


@transaction.atomic
def request_resolve(*, request: DataRequest, done: bool, note: str = "", by=None) -> DataRequest:
    """Close an open request: done (for erasure: erase now) or refused (a reason is required)."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DataRequest.Status.OPEN:
        raise PrivacyError(_("This request has already been closed."), code="closed")
    note = _clean_text(note, limit=NOTE_MAX)
    if not done and not note:
        raise PrivacyError(_("Give a reason for refusing."), code="reason_missing")
    if done and request.kind == DataRequest.Kind.ERASURE and request.subject_kind:
        registered, obj = subject_for_request(request)
        if registered is not None and obj is not None:
            registered.erase(obj=obj, by=by)
    elif done and request.kind == DataRequest.Kind.ERASURE:
        subject = subject_of(application=request.application, person=request.person)
        if not is_erased_mobile(subject.mobile):
            if _blocking_appointments(subject).exists():
                raise PrivacyError(
                    _("This person still holds a post. Relieve them first, then erase their data."),
                    code="appointed",
                )
            subject_erase(subject=subject, request=request, by=by)
    request.status = DataRequest.Status.DONE if done else DataRequest.Status.REFUSED
    request.resolution = note
    request.resolved_by = _actor(by)
    request.resolved_at = timezone.now()
    request.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    return request


# ---------------------------------------------------------------- erasure


def _blocking_appointments(subject: Subject):
    if subject.person is None:
        return Appointment.objects.none()
    return Appointment.objects.filter(person=subject.person, status=Appointment.Status.ACTIVE)


def _anonymise_applications(ids: list[int], *, keep_consent: bool = True) -> dict[str, int]:
    """Overwrite the personal fields of these applications, their forms, history notes and messages."""
    counts: dict[str, int] = {}
    if not ids:
        return counts
    updated = 0
    for pk in ids:  # the placeholder differs per row (unique mobile per campaign)
        updated += Application.objects.filter(pk=pk).update(
            name_hi=ERASED_NAME_HI,
            name_en=ERASED_NAME_EN,
            mobile=f"{ERASED_PREFIX}{pk}",
            email="",
            occupation="",
            education="",
            social_accounts=[],
            statement="",
            writing_sample="",
            decision_reason="",
            updated_at=timezone.now(),
        )
    counts["applications"] = updated
    # The forms as they came: keep what counts need (the post, the place), drop the rest.
    submissions = list(Submission.objects.filter(application_id__in=ids).only("pk", "application_id", "payload"))
    for submission in submissions:
        payload = submission.payload or {}
        kept = {key: payload[key] for key in ("applied_for", "home_unit") if key in payload}
        Submission.objects.filter(pk=submission.pk).update(
            mobile=f"{ERASED_PREFIX}{submission.application_id}", payload=kept
        )
    counts["submissions"] = len(submissions)
    counts["events"] = ApplicationEvent.objects.filter(application_id__in=ids).exclude(note="").update(note="")
    message_keys = Q()
    for pk in ids:
        message_keys |= Q(idempotency_key__startswith=f"recruitment:{pk}:")
    counts["messages"] = _anonymise_messages(OutboxMessage.objects.filter(message_keys))
    counts["requests"] = DataRequest.objects.filter(application_id__in=ids).exclude(details="").update(details="")
    return counts


def _anonymise_messages(messages) -> int:
    """The outbox keeps that a message went (for counts and delivery reports), not to whom or what."""
    unsent = [OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED, OutboxMessage.Status.SENDING]
    messages.filter(status__in=unsent).update(status=OutboxMessage.Status.DEAD, last_error=ERASED_TEXT, claimed_at=None)
    return messages.update(recipient=ERASED_TEXT, subject="", body=ERASED_TEXT, person=None)


def _anonymise_walk_ins(requests) -> int:
    """A training walk-in request keeps that somebody asked (the roll call's counts), not who."""
    erased = 0
    for pk in requests.exclude(mobile__startswith=ERASED_PREFIX).values_list("pk", flat=True):
        erased += WalkInRequest.objects.filter(pk=pk).update(name=ERASED_NAME_EN, mobile=f"{ERASED_PREFIX}w{pk}")
    return erased


def _anonymise_person(person: Person) -> dict[str, int]:
    counts = {
        "people": Person.objects.filter(pk=person.pk).update(
            name_hi=ERASED_NAME_HI,
            name_en=ERASED_NAME_EN,
            mobile=f"{ERASED_PREFIX}p{person.pk}",
            email="",
            languages=[],
            skills=[],
            updated_at=timezone.now(),
        ),
        # Kept as rows (counts), emptied without signals: a delete would copy the handle into the audit trail.
        "social_accounts": sum(
            SocialAccount.objects.filter(pk=pk).update(handle=f"{ERASED_PREFIX}{pk}", followers=None)
            for pk in SocialAccount.objects.filter(person=person).values_list("pk", flat=True)
        ),
    }
    recipients = [value for value in (person.mobile, person.email) if value]
    counts["messages"] = _anonymise_messages(
        OutboxMessage.objects.filter(Q(person=person) | Q(recipient__in=recipients))
    )
    counts["requests"] = DataRequest.objects.filter(person=person).exclude(details="").update(details="")
    return counts


@transaction.atomic
def subject_erase(*, subject: Subject, request: DataRequest | None = None, by=None) -> dict[str, int]:
    """Anonymise the data principal everywhere: every application made with their mobile number, the
    forms, history notes and messages of those applications, the ``Person`` and their social accounts,
    every outbox message to their number or address. Rows stay (counts, seats, attendance and the audit
    trail do not change); what identified the person does not. Refused while they hold a post."""
    if _blocking_appointments(subject).exists():
        raise PrivacyError(
            _("This person still holds a post. Relieve them first, then erase their data."), code="appointed"
        )
    ids = subject.application_ids
    words = _identifying_words(subject)
    consent_withdraw(applications=Application.objects.filter(pk__in=ids))
    counts = _anonymise_applications(ids)
    # Any other message to the number or address (e.g. sent before the person existed as a Person).
    mobiles = [value for value in {subject.mobile, *(a.email for a in subject.applications)} if value]
    counts["messages"] = counts.get("messages", 0) + _anonymise_messages(
        OutboxMessage.objects.filter(recipient__in=mobiles)
    )
    counts["walk_in_requests"] = _anonymise_walk_ins(
        WalkInRequest.objects.filter(
            Q(mobile=subject.mobile) | (Q(person=subject.person) if subject.person is not None else Q(pk__in=[]))
        )
    )
    reason = Erasure.Reason.REQUEST if request is not None else Erasure.Reason.RETENTION
    _audit(Application, ids, by)
    for pk in ids:
        Erasure.objects.get_or_create(
            application_id=pk, defaults={"reason": reason, "request": request, "by": _actor(by), "counts": counts}
        )
    if subject.person is not None:
        person_counts = _anonymise_person(subject.person)
        Erasure.objects.get_or_create(
            person=subject.person,
            defaults={"reason": reason, "request": request, "by": _actor(by), "counts": person_counts},
        )
        counts.update({key: counts.get(key, 0) + value for key, value in person_counts.items()})
    counts["audit_entries"] = _redact_audit(subject, words)
    if subject.person is not None:
        _audit(Person, [subject.person.pk], by)
    return counts


def _identifying_words(subject: Subject) -> set[str]:
    """What named the person before the erasure, to take out of old audit entries: names, e-mail, social
    handles and the mobile number (as stored and as ten digits)."""
    words = {subject.mobile, subject.mobile[-10:]}
    for application in subject.applications:
        words |= {application.name_hi, application.name_en, application.email}
        words |= {str(account.get("handle", "")) for account in application.social_accounts or []}
    if subject.person is not None:
        person = subject.person
        words |= {person.name_hi, person.name_en, person.email, person.mobile, person.mobile[-10:]}
        words |= set(SocialAccount.objects.filter(person=person).values_list("handle", flat=True))
    return {word for word in words if word and not word.startswith(ERASED_PREFIX)}


def _redact_audit(subject: Subject, words: set[str]) -> int:
    objects: list[Model] = list(Application.objects.filter(pk__in=subject.application_ids))
    if subject.person is not None:
        objects += [subject.person, *SocialAccount.objects.filter(person=subject.person)]
    return audit_redact(objects=objects, words=words)


def _audit(model, ids: list[int], by) -> None:
    """One audit entry per anonymised object, written after the anonymisation (so the entry names the
    object as it is now, "Erased"), saying who erased it and when; no personal data in it."""
    for obj in model.objects.filter(pk__in=ids):
        audit_bulk_action(obj=obj, what="personal_data_erased", count=1, model=model, ids=[obj.pk], by=_actor(by))


@transaction.atomic
def application_anonymise(*, application: Application, by=None) -> dict[str, int]:
    """Anonymise one application (its form, history notes and messages), not the person: used by the
    retention rule, where the same person may hold a post or have applied elsewhere."""
    words = _identifying_words(Subject(mobile=application.mobile, applications=[application]))
    consent_withdraw(applications=Application.objects.filter(pk=application.pk))
    counts = _anonymise_applications([application.pk])
    counts["audit_entries"] = _redact_audit(Subject(mobile=application.mobile, applications=[application]), words)
    _audit(Application, [application.pk], by)
    Erasure.objects.get_or_create(
        application=application, defaults={"reason": Erasure.Reason.RETENTION, "by": _actor(by), "counts": counts}
    )
    return counts


# ---------------------------------------------------------------- retention (the daily job)


def retention_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: record consents not yet recorded, anonymise rejected applications untouched for
    ``PRIVACY_REJECTED_RETENTION_DAYS`` (default 180) days and training walk-in requests of camps that
    ended 30 days ago."""
    today = today or timezone.localdate()
    recorded = consents_sync()
    cutoff = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min)) - datetime.timedelta(
        days=rejected_retention_days()
    )
    due = list(
        Application.objects.filter(status=Application.Status.REJECTED, updated_at__lt=cutoff)
        .exclude(mobile__startswith=ERASED_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in due:
        application_anonymise(application=Application.objects.get(pk=pk))
    # A walk-in request is of use while its camp runs: 30 days after the camp, who asked is forgotten.
    walk_in_cutoff = timezone.now() - datetime.timedelta(days=WALK_IN_RETENTION_DAYS)
    walk_ins = _anonymise_walk_ins(WalkInRequest.objects.filter(camp__ends_at__lt=walk_in_cutoff))
    return {"consents_recorded": recorded, "rejected_anonymised": len(due), "walk_in_requests_anonymised": walk_ins}
