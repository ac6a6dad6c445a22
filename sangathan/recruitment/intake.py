"""The public form's write path: take a sent form in one INSERT, make applications of it in batches.

Why two steps (docs/adr/0005-application-intake.md): a drive is advertised by a QR code at a rally and
thousands send the form within minutes. The request therefore does the least that keeps the promise
"nothing submitted is ever lost, a retried POST is one application": it checks the form, stores it as a
``Submission`` row (unique one-time token) and answers with the reference. ``submissions_process`` turns
pending submissions into applications, their history and the applicant's message — in the order they
came, many per transaction, in a worker (or at once in the embedded mode).

The reference is settled when the form is taken, and every form gets a fresh one: a mobile number is
not proof of who sent the form, so the thank-you page never shows (or hints at) an earlier form's
reference. A form for a number that already has an application in the campaign is *held*: it changes
nothing until the number's owner confirms it with a code sent to that number (``submission_confirm``,
from the status page), and an application past screening is never changed from the public form. The
owner is told by a message that another form came with their number.
"""

import datetime
import logging
import re
import secrets

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_action
from sangathan.core.drains import Drain, drain_all
from sangathan.notifications.services import messages_queue_bulk
from sangathan.org.phones import normalise_mobile
from sangathan.recruitment import sql, tasks  # tasks calls this module too: by module, either loads first
from sangathan.recruitment.errors import RecruitmentError
from sangathan.recruitment.models import Application, ApplicationEvent, Campaign, Submission

logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
REFERENCE_LENGTHS = (4, 4, 5, 5, 6, 6)
E164_RE = re.compile(r"\+91[6-9]\d{9}")
APPLICANT_FIELDS = (
    "name_hi",
    "name_en",
    "email",
    "age",
    "gender",
    "occupation",
    "education",
    "languages",
    "social_accounts",
    "statement",
    "writing_sample",
)
BATCH = 500
DRAIN = Drain("recruitment:submissions-drain")  # a burst of forms is drained by one task a second, not one a form


def random_reference(campaign: Campaign, length: int = 4) -> str:
    return f"{campaign.reference_prefix}-{''.join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))}"


def _insert(*, campaign: Campaign, token: str, mobile: str, payload: dict, language: str, at) -> Submission:
    """Insert the submission with the applicant's reference (one statement, ``sql.submission_insert``: the
    public form's hot path); IntegrityError when the token was used."""
    row = sql.submission_insert(
        token=token,
        campaign_id=campaign.pk,
        mobile=mobile,
        payload=payload,
        language=language,
        at=at,
        candidates=(random_reference(campaign, length) for length in REFERENCE_LENGTHS),
    )
    if row is None:
        raise RecruitmentError(_("Please try again."), code="reference_exhausted")
    pk, reference, replaces_earlier = row
    return Submission(
        pk=pk,
        token=token,
        campaign=campaign,
        mobile=mobile,
        reference=reference,
        replaces_earlier=bool(replaces_earlier),
        payload=payload,
        language=language,
        at=at,
    )


def _payload(campaign: Campaign, data: dict) -> dict:
    """The cleaned form as JSON: the chosen post and place by id."""
    payload = {name: data.get(name) for name in APPLICANT_FIELDS if name in data}
    payload["applied_for"] = data["applied_for"].pk
    payload["home_unit"] = data["home_unit"].pk
    return payload


def submission_receive(
    *, campaign: Campaign, token: str, data: dict, language: str | None = None, at: datetime.datetime | None = None
) -> tuple[Submission, bool]:
    """Store one sent form. Returns (submission, new): ``new`` is False when this token came before (a
    double click, a retried POST), and the submission is then the first one. Checks what the form
    cannot (the window, the post and place belong to this campaign); writes one row."""
    at = at or timezone.now()
    if not campaign.is_open(at):
        raise RecruitmentError(_("Applications for this campaign are closed."), code="closed")
    if data["applied_for"].campaign_id != campaign.pk:
        raise RecruitmentError(_("Choose a post of this campaign."), code="position")
    if not data["home_unit"].is_within(campaign.scope_unit):
        raise RecruitmentError(_("Choose a place inside this campaign's area."), code="home_unit")
    mobile = data["mobile"]
    if not E164_RE.fullmatch(mobile or ""):  # the form has normalised it already; other callers may not
        mobile = normalise_mobile(mobile)
    insert = {
        "campaign": campaign,
        "token": token,
        "mobile": mobile,
        "payload": _payload(campaign, data),
        "language": language if language in ("hi", "en") else "",
        "at": at,
    }
    try:
        if connection.in_atomic_block:  # a savepoint, so that a used token leaves the caller's transaction usable
            with transaction.atomic():
                return _insert(**insert), True
        return _insert(**insert), True  # one statement: atomic on its own, no BEGIN/COMMIT round trips
    except IntegrityError:
        first = Submission.objects.filter(token=token).first()
        if first is None:
            raise
        return first, False


def submissions_schedule(submission: Submission) -> None:
    """After a form is taken: in the embedded mode (no broker) make its application at once; with a broker
    make sure a drain task is on its way within a second, after the commit (one task for a burst of
    forms, not one per form). A broker that is down loses nothing: the periodic drain finds the row."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        submissions_process(campaign_id=submission.campaign_id, mobile=submission.mobile)
        return
    DRAIN.ask_after_commit(tasks.drain_submissions)


# ---------------------------------------------------------------- making applications


def submissions_process(*, campaign_id: int | None = None, mobile: str | None = None, limit: int = BATCH) -> int:
    """Turn up to ``limit`` pending submissions into applications, oldest first, in one transaction.
    Returns how many it took. Safe to run in several workers at once (rows are claimed with SKIP LOCKED
    where the database has it) and again after a crash (nothing is marked done unless its application,
    history and message are written with it). A submission the database refuses is set aside with its
    problem, kept, and the rest go on."""
    with transaction.atomic():
        pending = Submission.objects.filter(processed_at__isnull=True, problem="")
        if campaign_id is not None:
            pending = pending.filter(campaign_id=campaign_id, mobile=mobile)
        batch = list(
            pending.select_for_update(skip_locked=True, of=("self",)).select_related("campaign").order_by("pk")[:limit]
        )
        if not batch:
            return 0
        try:
            with transaction.atomic():
                _materialise(batch)
        except (IntegrityError, DataError, ValueError, KeyError, TypeError):
            for submission in batch:  # one by one, to find the one that cannot go in
                try:
                    with transaction.atomic():
                        _materialise([submission])
                except (IntegrityError, DataError, ValueError, KeyError, TypeError) as error:
                    logger.exception("Submission %s could not be made into an application.", submission.pk)
                    Submission.objects.filter(pk=submission.pk).update(problem=str(error)[:300] or repr(error)[:300])
    return len(batch)


def submissions_drain(*, limit: int = BATCH) -> int:
    """Process batches until nothing is pending. Returns the total."""
    return drain_all(submissions_process, limit=limit)


def _materialise(batch: list[Submission]) -> None:
    """Make the applications of a batch. The first form of a number makes its application; a later one
    (from another batch, or later in this one) is held for the number's owner to confirm."""
    now = timezone.now()
    wanted: dict[int, set[str]] = {}
    for submission in batch:
        wanted.setdefault(submission.campaign_id, set()).add(submission.mobile)
    applications: dict[tuple[int, str], Application] = {}
    for campaign_id, mobiles in wanted.items():
        for application in Application.objects.filter(campaign_id=campaign_id, mobile__in=mobiles):
            applications[(campaign_id, application.mobile)] = application

    created: list[Application] = []
    steps: list[tuple[Submission, Application, bool]] = []
    for submission in batch:
        key = (submission.campaign_id, submission.mobile)
        application = applications.get(key)
        if application is None:
            application = Application(
                campaign=submission.campaign,
                mobile=submission.mobile,
                reference=submission.reference,
                submitted_at=submission.at,
                **_application_fields(submission),
            )
            applications[key] = application
            created.append(application)
            steps.append((submission, application, True))
        else:
            steps.append((submission, application, False))

    _free_references(created)
    Application.objects.bulk_create(created)
    held_note = _("Another form came with this mobile number. Nothing changes unless the number's owner confirms it.")
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application=application,
                kind="submitted" if first else "held",
                note="" if first else held_note,
                at=submission.at,
            )
            for submission, application, first in steps
        ]
    )
    # Each submission's application is the one of its campaign and mobile (one per pair): one UPDATE.
    Submission.objects.filter(pk__in=[submission.pk for submission in batch]).update(
        processed_at=now,
        application=Subquery(
            Application.objects.filter(campaign_id=OuterRef("campaign_id"), mobile=OuterRef("mobile")).values("pk")[:1]
        ),
    )
    held = [submission.pk for submission, _application, first in steps if not first]
    if held:
        Submission.objects.filter(pk__in=held).update(held_at=now)
    for submission, application, first in steps:
        submission.application, submission.processed_at = application, now
        submission.held_at = None if first else now
    _audit_intake([application for _submission, application, first in steps if first])
    messages_queue_bulk(
        message
        for submission, application, first in steps
        for message in _applicant_messages(submission, application, first)
    )


def _audit_intake(applications: list[Application]) -> None:
    """Bulk writes send no signals: one audit entry per campaign for the applications the intake made or
    updated."""
    by_campaign: dict[int, list[Application]] = {}
    for application in applications:
        by_campaign.setdefault(application.campaign_id, []).append(application)
    for rows in by_campaign.values():
        audit_bulk_action(
            obj=rows[0].campaign,
            what="applications_from_intake",
            count=len(rows),
            model=Application,
            ids=[a.pk for a in rows],
        )


def _application_fields(submission: Submission) -> dict:
    payload = submission.payload
    fields = {name: payload[name] for name in APPLICANT_FIELDS if name in payload}
    accounts = payload.get("social_accounts") or []
    fields.update(
        applied_for_id=payload["applied_for"],
        home_unit_id=payload["home_unit"],
        followers_total=sum(int(account.get("followers") or 0) for account in accounts),
        consent_at=submission.at,
        consent_version=submission.campaign.notice_version,
        updated_at=timezone.now(),
    )
    return fields


def _free_references(created: list[Application]) -> None:
    """Two new applicants given the same code at the same moment (a one-in-a-million race): the later one
    gets another code for the application; their submission keeps the code they saw, which still finds it."""
    taken = set(
        Application.objects.filter(reference__in=[a.reference for a in created]).values_list("reference", flat=True)
    )
    for application in created:
        while application.reference in taken:
            application.reference = random_reference(application.campaign, 6)
        taken.add(application.reference)


def _applicant_messages(submission: Submission, application: Application, first: bool):
    """The message to the number's owner: "we have your application", or, for a held form, "another form
    came with your number; confirm it with this reference if it was you" (so a stranger's form is noticed
    by the person it names)."""
    language = submission.language
    if language not in ("hi", "en"):
        language = "hi" if application.name_hi or not application.name_en else "en"
    key = f"{application.pk}:{'received' if first else 'held'}:{submission.token}"
    for channel in settings.NOTIFY_DEFAULT_CHANNELS:
        recipient = application.email if channel == "email" else application.mobile
        if not recipient or channel == "telegram" or (channel == "email" and not first):
            continue  # the held form's message goes to the number only: the e-mail is the earlier form's
        yield {
            "channel": channel,
            "recipient": recipient,
            "template": "application_received" if first else "application_held",
            "context": {"application": application, "campaign": submission.campaign, "reference": submission.reference},
            "language": language,
            "idempotency_key": f"recruitment:{key}:{channel}",
        }


# ---------------------------------------------------------------- a held form, confirmed by the number's owner


@transaction.atomic
def submission_confirm(*, submission: Submission, at: datetime.datetime | None = None) -> bool:
    """Apply a held form to its application, once the number's owner proved the number (a code sent to
    it). Only an application still waiting to be read changes; past screening nothing changes from the
    public form. Returns whether the application changed. Safe to call twice."""
    at = at or timezone.now()
    submission = Submission.objects.select_for_update().select_related("campaign").get(pk=submission.pk)
    if submission.held_at is None or submission.confirmed_at is not None or submission.application_id is None:
        return False
    application = Application.objects.select_for_update().get(pk=submission.application_id)
    submission.confirmed_at = at
    submission.save(update_fields=["confirmed_at"])
    if application.status != Application.Status.SUBMITTED:
        return False
    for name, value in _application_fields(submission).items():
        setattr(application, name, value)
    application.save()  # one row, through the model: the audit trail records every changed field
    ApplicationEvent.objects.create(application=application, kind="confirmed", at=at)
    return True
