"""Reads of the privacy app: the copy of a person's data (DPDP Act s.11, right to information) and the
request lists of the admin pages.

The copy holds the person's own data and nothing of anybody else: no other applicant, no panel
member's name or individual scores, no staff account (an event says "the organisation", not who)."""

import re

from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.notifications.models import OutboxMessage
from sangathan.privacy.models import ConsentRecord, DataRequest
from sangathan.privacy.services import Subject
from sangathan.recruitment.selectors import _event_labels
from sangathan.training.models import WalkInRequest


def _when(value):
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _unit(unit):
    if unit is None:
        return None
    return {"level": unit.level.name, "name": unit.display_name}


LINK_RE = re.compile(r"https?://\S+|(?<![\w/])/(?:m|t|a|c)/\S+")


def _without_links(text: str) -> str:
    """Message texts without their links: a personal link (a message's answer page, a certificate) opens
    something as that person, and a copy of one's data is handed over, forwarded and kept."""
    return LINK_RE.sub(str(_("[link removed]")), text or "")


def subject_data(subject: Subject, *, applicant_copy: bool = False) -> dict:
    """Everything held about the subject, as plain JSON-ready data. ``applicant_copy``: the copy the
    person downloads from the status page, holding what they gave as an applicant (their applications,
    consents and the messages about them), not the organisation's records of them in another capacity.
    The caller records pending consents first (``services.consents_sync``)."""
    labels = _event_labels()
    data: dict = {"generated_at": _when(timezone.now()), "mobile": subject.mobile, "applications": []}
    for application in subject.applications:
        slot = getattr(application, "slot", None) if application.pk else None
        data["applications"].append(
            {
                "reference": application.reference,
                "campaign": application.campaign.title,
                "post": application.applied_for.position.title,
                "status": application.get_status_display(),
                "where_you_live": _unit(application.home_unit),
                "name_hi": application.name_hi,
                "name_en": application.name_en,
                "mobile": application.mobile,
                "email": application.email,
                "age": application.age,
                "gender": application.get_gender_display() if application.gender else "",
                "occupation": application.occupation,
                "education": application.education,
                "languages": list(application.languages or []),
                "social_accounts": [
                    {key: account.get(key) for key in ("platform", "handle", "followers")}
                    for account in (application.social_accounts or [])
                    if isinstance(account, dict)
                ],
                "statement": application.statement,
                "writing_sample": application.writing_sample,
                "submitted_at": _when(application.submitted_at),
                "consent_at": _when(application.consent_at),
                "consent_version": application.consent_version,
                "score": str(application.score) if application.score is not None else None,
                "decision_reason": application.decision_reason,
                "letter_number": application.letter_number,
                "interview": (
                    {"at": _when(slot.starts_at), "venue": slot.panel.day.venue} if slot is not None else None
                ),
                "history": [
                    {"what": str(labels.get(event.kind, event.kind)), "at": _when(event.at), "note": event.note}
                    for event in application.events.all()
                ],
            }
        )
    person = None if applicant_copy else subject.person
    if person is not None:
        data["person"] = {
            "name_hi": person.name_hi,
            "name_en": person.name_en,
            "mobile": person.mobile,
            "email": person.email,
            "home_unit": _unit(person.home_unit) if person.home_unit_id else None,
            "languages": list(person.languages or []),
            "skills": list(person.skills or []),
            "social_accounts": [
                {"platform": account.get_platform_display(), "handle": account.handle, "followers": account.followers}
                for account in person.social_accounts.all()
            ],
            "appointments": [
                {
                    "post": appointment.position.title,
                    "unit": _unit(appointment.unit),
                    "status": appointment.get_status_display(),
                    "from": appointment.start_date.isoformat(),
                    "until": appointment.end_date.isoformat() if appointment.end_date else None,
                    "letter_number": appointment.letter_number,
                }
                for appointment in person.appointments.select_related("position", "unit__level")
            ],
            "training": {
                "invited_to": [
                    {"camp": invitation.camp.venue, "starts_at": _when(invitation.camp.starts_at)}
                    for invitation in person.training_invitations.select_related("camp")
                ],
                "attended": [
                    {"camp": attendance.camp.venue, "checked_in_at": _when(attendance.checked_in_at)}
                    for attendance in person.training_attendances.select_related("camp")
                ],
                "completed": [
                    {"programme": str(completion.programme), "at": _when(completion.completed_at)}
                    for completion in person.training_completions.select_related("programme")
                ],
            },
        }
    if not applicant_copy:
        walk_in_filter = Q(mobile=subject.mobile) | (Q(person=person) if person is not None else Q(pk__in=[]))
        data["training_walk_in_requests"] = [
            {"camp": walk_in.camp.venue, "name_given": walk_in.name, "at": _when(walk_in.requested_at)}
            for walk_in in WalkInRequest.objects.filter(walk_in_filter).select_related("camp")
        ]
    consents = ConsentRecord.objects.filter(
        Q(application_id__in=subject.application_ids) | (Q(person=person) if person is not None else Q(pk__in=[]))
    ).select_related("notice")
    data["consents"] = [
        {
            "purpose": consent.get_purpose_display(),
            "notice_version": consent.notice.version,
            "notice_hi": consent.notice.text_hi,
            "notice_en": consent.notice.text_en,
            "given_at": _when(consent.given_at),
            "withdrawn_at": _when(consent.withdrawn_at),
        }
        for consent in consents
    ]
    if applicant_copy:  # the messages about their applications (their keys name the application)
        message_filter = Q(pk__in=[])
        for pk in subject.application_ids:
            message_filter |= Q(idempotency_key__startswith=f"recruitment:{pk}:")
    else:
        recipients = [value for value in {subject.mobile, *(a.email for a in subject.applications)} if value]
        message_filter = Q(recipient__in=recipients)
        if person is not None:
            message_filter |= Q(person=person)
    data["messages"] = [
        {
            "channel": message.get_channel_display(),
            "to": message.recipient,
            "at": _when(message.created_at),
            "status": message.get_status_display(),
            "text": _without_links(message.body),
        }
        for message in OutboxMessage.objects.filter(message_filter).order_by("created_at", "pk")
    ]
    request_filter = Q(application_id__in=subject.application_ids)
    if person is not None:
        request_filter |= Q(person=person)
    data["requests"] = [
        {
            "what": request.get_kind_display(),
            "status": request.get_status_display(),
            "at": _when(request.created_at),
            "details": request.details,
            "resolved_at": _when(request.resolved_at),
            "note": request.resolution,
        }
        for request in DataRequest.objects.filter(request_filter)
    ]
    return data


def requests_for(user, *, status: str = ""):
    requests = DataRequest.objects.restrict(user, "view_personal").select_related(
        "application", "person", "unit__level", "raised_by", "resolved_by"
    )
    if status in DataRequest.Status.values:
        requests = requests.filter(status=status)
    open_first = Case(When(status=DataRequest.Status.OPEN, then=Value(0)), default=Value(1))
    return requests.order_by(open_first, "-created_at", "-id")
