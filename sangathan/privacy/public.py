"""The applicant's data actions on the public status page, shown only after the applicant proved they
hold the mobile number with a code sent to it (``sangathan.verification``). Each action then posts a
signed, short-lived ticket naming the application and the code that was confirmed."""

from django.core import signing

from sangathan.privacy import services, subjects
from sangathan.privacy.forms import CorrectionForm
from sangathan.privacy.models import ConsentRecord, DataRequest
from sangathan.recruitment.models import Application
from sangathan.verification.models import MobileChallenge
from sangathan.verification.services import is_confirmed

TICKET_SALT = "sangathan.privacy.subject.v2"
TICKET_SECONDS = 30 * 60


def ticket_for(application: Application, challenge: MobileChallenge) -> str:
    """A signed note "whoever holds this confirmed the code sent to the mobile of application N",
    valid 30 minutes."""
    return signing.dumps({"a": application.pk, "c": challenge.pk}, salt=TICKET_SALT)


def application_for_ticket(ticket: str) -> Application | None:
    try:
        data = signing.loads(ticket or "", salt=TICKET_SALT, max_age=TICKET_SECONDS)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("c"), int):
        return None
    application = (
        Application.objects.filter(pk=data["a"])
        .select_related("campaign", "home_unit__level", "applied_for__position", "appointment__person")
        .first()
    )
    if application is None or services.is_erased_mobile(application.mobile):
        return None
    # The code was confirmed for this application's number (and the number has not changed since).
    if not is_confirmed(challenge_id=data["c"], mobile=application.mobile, purpose=MobileChallenge.Purpose.APPLICATION):
        return None
    return application


def privacy_context(*, application: Application, challenge: MobileChallenge) -> dict:
    """What the status page needs for the "Your data" box. Records the consent first if the intake has
    not yet (so the box shows it)."""
    services.consents_sync(applications=Application.objects.filter(pk=application.pk))
    ticket = ticket_for(application, challenge)
    consent = (
        ConsentRecord.objects.filter(application=application, notice__version=application.consent_version)
        .select_related("notice")
        .first()
    )
    return {
        "privacy": {
            "application": application,
            "consent": consent,
            "ticket": ticket,
            "erasure_pending": DataRequest.objects.filter(
                application=application, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
            ).exists(),
            "correction_form": CorrectionForm(initial={"ticket": ticket}, auto_id="privacy_%s"),
        }
    }


# ---------------------------------------------------------------- people kept by higher apps (``privacy.subjects``)

SUBJECT_TICKET_SALT = "sangathan.privacy.registered-subject.v1"


def subject_ticket_for(*, kind: str, subject_id: int, challenge_id: int) -> str:
    """A signed note "whoever holds this confirmed code ``challenge_id`` for subject ``kind``/``subject_id``",
    valid 30 minutes; honoured by ``subject_for_ticket`` only while the code matches the subject's number."""
    return signing.dumps({"k": kind, "s": subject_id, "c": challenge_id}, salt=SUBJECT_TICKET_SALT)


def subject_for_ticket(ticket: str):
    """(the registered kind, its row) a posted ticket names, or None: a bad or expired signature, a subject
    gone or erased, or a code not confirmed for the subject's current number, purpose and subject."""
    try:
        data = signing.loads(ticket or "", salt=SUBJECT_TICKET_SALT, max_age=TICKET_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    if not isinstance(data.get("s"), int) or not isinstance(data.get("c"), int):
        return None
    registered = subjects.get(data["k"])
    obj = registered.find(pk=data["s"]) if registered is not None else None
    if obj is None:
        return None
    purpose, subject = registered.challenge_of(obj=obj)
    if not is_confirmed(challenge_id=data["c"], mobile=registered.mobile_of(obj=obj), purpose=purpose, subject=subject):
        return None
    return registered, obj
