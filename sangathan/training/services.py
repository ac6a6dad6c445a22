"""Writes of the training app: camps (one or one per block in a single action), invitations and
reminders, attendance (QR check-in, roll call, walk-ins) and completion.

Every function is keyword-only, runs in one transaction and takes ``by=`` (the acting user, None for
the public check-in). Scope is checked by the callers (views) with ``access.scope.require``; the
services check the data rules and what follows from the user's scope for the people they touch.
Messages go through the notification outbox with idempotency keys, queued after the commit.
"""

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sangathan.access.permissions import MANAGE_TRAINING, VIEW
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_action, audit_mobile_lookup
from sangathan.notifications.services import notify_person
from sangathan.org import services as org_services
from sangathan.org.errors import OrgError
from sangathan.org.lookups import UNUSABLE, UNUSABLE_CODE, Refusal, refusals_audited
from sangathan.org.models import Appointment, Level, Person, Unit
from sangathan.org.paths import subtree_q
from sangathan.org.phones import normalise_mobile
from sangathan.training import (  # tasks import this module too: both by module, either loads first
    codes,
    counters,
    tasks,
)
from sangathan.training.models import (
    VENUE_MAX,
    WALK_IN_NAME_MAX,
    Attendance,
    Camp,
    Completion,
    Invitation,
    Module,
    Programme,
    WalkInRequest,
)
from sangathan.training.selectors import trained_person_ids

MAX_CAMP_HOURS = 24 * 7
MAX_BULK_CAMPS = 2000
# Invitations generated for one camp without a capacity: a state-level workshop does not invite the state.
MAX_GENERATED_INVITATIONS = 500


class TrainingError(ValidationError):
    """A training rule refused the change; nothing was written. ``code`` says which rule."""

    # A refused mobile look-up behind the error, recorded by ``org.lookups.refusals_audited`` (``_unusable``).
    refusal: Refusal | None = None


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# ---------------------------------------------------------------- camps


def _clean_camp(*, venue: str, starts_at: datetime.datetime, ends_at: datetime.datetime, capacity: int | None) -> str:
    venue = (venue or "").strip()
    if not venue:
        raise TrainingError(_("Enter the venue of the camp."), code="venue_missing")
    if len(venue) > VENUE_MAX:
        raise TrainingError(_("The venue can be at most 255 characters long."), code="venue_too_long")
    if starts_at is None or ends_at is None or timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise TrainingError(_("Enter when the camp starts and ends."), code="window_missing")
    if ends_at <= starts_at:
        raise TrainingError(_("The camp must end after it starts."), code="window_order")
    if ends_at - starts_at > datetime.timedelta(hours=MAX_CAMP_HOURS):
        raise TrainingError(_("A camp can last at most seven days."), code="window_too_long")
    if capacity is not None and capacity < 1:
        raise TrainingError(_("The capacity must be at least 1, or empty for no limit."), code="capacity")
    return venue


def _check_modules(programme: Programme, modules: Iterable[Module]) -> list[Module]:
    modules = list(modules or [])
    if any(module.programme_id != programme.pk for module in modules):
        raise TrainingError(_("A module of another programme was chosen."), code="module_programme")
    return modules


@transaction.atomic
def camp_create(
    *,
    programme: Programme,
    host_unit: Unit,
    venue: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    trainers: Iterable[Person] = (),
    modules: Iterable[Module] = (),
    capacity: int | None = None,
    allow_walk_ins: bool = False,
    by=None,
) -> Camp:
    """Schedule one camp of ``programme`` at ``host_unit``. Trainers may be anyone (e.g. the national team)."""
    venue = _clean_camp(venue=venue, starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    modules = _check_modules(programme, modules)
    camp = Camp.objects.create(
        programme=programme,
        host_unit=host_unit,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        allow_walk_ins=allow_walk_ins,
        created_by=_actor(by),
    )
    if modules:
        camp.modules.set(modules)
    trainers = list(trainers or [])
    if trainers:
        camp.trainers.set(trainers)
        _trainers_from_elsewhere(trainers, obj=camp, by=by)
    return camp


def _trainers_from_elsewhere(trainers: list[Person], *, obj, by) -> None:
    """Trainers may come from anywhere, so the form finds them by number across the whole organisation: each
    one outside ``by``'s scope is an audit entry (masked), a look-up that found somebody outside it."""
    by = _actor(by)
    if by is None or not trainers:
        return
    visible = set(
        Person.objects.restrict(by, VIEW).filter(pk__in=[p.pk for p in trainers]).values_list("pk", flat=True)
    )
    for person in trainers:
        if person.pk not in visible:
            audit_mobile_lookup(obj=obj, purpose="trainers", mobile=person.mobile, outcome="found_outside_scope", by=by)


@dataclass
class BulkResult:
    created: list[Camp]
    skipped: list[Unit]  # units that already had a camp of the programme that week
    invited: int


def spread_days(count: int, days: int) -> list[int]:
    """Day offsets for ``count`` camps spread evenly over ``days`` days: 5 over 7 → 0, 1, 2, 4, 5."""
    return [index * days // count for index in range(count)] if count else []


@transaction.atomic
def camps_bulk_create(
    *,
    programme: Programme,
    parent: Unit,
    level: Level,
    week_start: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    venue: str,
    days: int = 6,
    capacity: int | None = None,
    allow_walk_ins: bool = False,
    trainers: Iterable[Person] = (),
    invite_appointees: bool = True,
    by=None,
) -> BulkResult:
    """ "One camp in every block of this district in the week of ...": one camp per unit of ``level`` in
    ``parent``'s subtree, spread over the first ``days`` days of the week, in one transaction.

    Units that already have a camp of this programme in that week are skipped, so running it twice
    creates nothing new. Camps go in with one INSERT per table; the invitees of all camps are found
    with one query over the subtree's appointments.
    """
    if level.order <= parent.level.order:
        raise TrainingError(_("Choose a level below the unit."), code="level_not_below")
    if not 1 <= days <= 7:
        raise TrainingError(_("Spread the camps over 1 to 7 days."), code="days")
    if not 15 <= duration_minutes <= 24 * 60:
        raise TrainingError(_("A camp in a bulk plan lasts between 15 minutes and one day."), code="duration")
    hosts = list(Unit.objects.filter(subtree_q([parent.path]), level=level).select_related("level").order_by("path"))
    if by is not None:
        hosts = [unit for unit in hosts if can(by, MANAGE_TRAINING, unit)]
    if not hosts:
        raise TrainingError(_("There is no unit of this level in the chosen area."), code="no_units")
    if len(hosts) > MAX_BULK_CAMPS:
        raise TrainingError(
            _("At most %(count)d camps can be planned at once; choose a smaller area.") % {"count": MAX_BULK_CAMPS},
            code="too_many",
        )
    zone = timezone.get_current_timezone()
    week_begins = datetime.datetime.combine(week_start, datetime.time.min, tzinfo=zone)
    week_ends = week_begins + datetime.timedelta(days=7)
    probe_start = datetime.datetime.combine(week_start, start_time, tzinfo=zone)
    venue = _clean_camp(
        venue=venue,
        starts_at=probe_start,
        ends_at=probe_start + datetime.timedelta(minutes=duration_minutes),
        capacity=capacity,
    )
    # Serialise bulk plans of one area: a double click waits for the first and then skips every unit.
    Unit.objects.select_for_update().filter(pk=parent.pk).first()
    taken = set(
        Camp.objects.filter(
            programme=programme,
            host_unit__in=[unit.pk for unit in hosts],
            starts_at__gte=week_begins,
            starts_at__lt=week_ends,
        )
        .exclude(status=Camp.Status.CANCELLED)
        .values_list("host_unit_id", flat=True)
    )
    skipped = [unit for unit in hosts if unit.pk in taken]
    hosts = [unit for unit in hosts if unit.pk not in taken]
    camps = []
    for unit, offset in zip(hosts, spread_days(len(hosts), days), strict=True):
        starts_at = datetime.datetime.combine(week_start + datetime.timedelta(days=offset), start_time, tzinfo=zone)
        camps.append(
            Camp(
                programme=programme,
                host_unit=unit,
                venue=venue,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=duration_minutes),
                capacity=capacity,
                allow_walk_ins=allow_walk_ins,
                created_by=_actor(by),
            )
        )
    created = Camp.objects.bulk_create(camps)
    if not all(camp.pk for camp in created):  # databases that do not return ids from a bulk insert
        created = list(
            Camp.objects.filter(programme=programme, host_unit__in=[u.pk for u in hosts], starts_at__gte=week_begins)
            .filter(starts_at__lt=week_ends)
            .select_related("host_unit")
        )
    # bulk_create sends no signals: one entry on the area's unit for the camps, one for their trainers.
    camp_ids = [camp.pk for camp in created]
    audit_bulk_action(obj=parent, what="camps_planned", count=len(created), model=Camp, ids=camp_ids, by=_actor(by))
    trainers = list(trainers or [])
    if trainers and created:
        through = Camp.trainers.through
        through.objects.bulk_create(
            [through(camp_id=camp.pk, person_id=person.pk) for camp in created for person in trainers]
        )
        _trainers_from_elsewhere(trainers, obj=parent, by=by)
        audit_bulk_action(
            obj=parent,
            what="camp_trainers_set",
            count=len(created) * len(trainers),
            model=Camp,
            ids=camp_ids,
            by=_actor(by),
        )
    invited = _invite_appointees(created, source_by=by) if invite_appointees and created else 0
    return BulkResult(created=created, skipped=skipped, invited=invited)


@transaction.atomic
def camp_update(
    *,
    camp: Camp,
    venue: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int | None,
    trainers: Iterable[Person] | None = None,
    by=None,
) -> Camp:
    """Change a camp's venue, time, capacity or trainers. When the venue or the time changes, every invitee
    is told (once per distinct change: the key holds the new time and venue). Once people have attended,
    the time can no longer change: their attendance was checked against it."""
    camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    venue = _clean_camp(venue=venue, starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    moved = (starts_at, ends_at) != (camp.starts_at, camp.ends_at)
    if moved and camp.attendances.exists():
        raise TrainingError(_("People have already checked in; the time of this camp cannot change."), code="attended")
    if capacity is not None and camp.invitations.count() > capacity:
        raise TrainingError(_("More people are invited than the new capacity allows."), code="capacity_below_invited")
    changed = moved or venue != camp.venue
    camp.venue, camp.starts_at, camp.ends_at, camp.capacity = venue, starts_at, ends_at, capacity
    camp.save(update_fields=["venue", "starts_at", "ends_at", "capacity"])
    if trainers is not None:
        trainers = list(trainers)
        before = set(camp.trainers.values_list("pk", flat=True))
        camp.trainers.set(trainers)
        _trainers_from_elsewhere([p for p in trainers if p.pk not in before], obj=camp, by=by)
    if changed:
        place = hashlib.sha256(venue.encode()).hexdigest()[:12]
        stamp = f"{int(starts_at.timestamp())}:{int(ends_at.timestamp())}:{place}"
        for invitation in camp.invitations.select_related("person"):
            _notify(
                invitation.person,
                camp,
                template="training_camp_changed",
                key=f"training:change:{invitation.pk}:{stamp}",
            )
    return camp


@transaction.atomic
def camp_set_walk_ins(*, camp: Camp, allow: bool, by=None) -> Camp:
    """The trainer opens (or closes) the camp to people who were not invited."""
    camp.allow_walk_ins = allow
    camp.save(update_fields=["allow_walk_ins"])  # a save, not an update: the change is in the audit trail
    return camp


@transaction.atomic
def camp_cancel(*, camp: Camp, by=None) -> Camp:
    """Cancel a camp and tell the invitees (once each). A camp someone attended is not cancelled."""
    camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        return camp
    if camp.attendances.exists():
        raise TrainingError(_("People have attended this camp; it cannot be cancelled."), code="attended")
    camp.status = Camp.Status.CANCELLED
    camp.save(update_fields=["status"])
    for invitation in camp.invitations.select_related("person"):
        _notify(invitation.person, camp, template="training_camp_cancelled", key=f"training:cancel:{invitation.pk}")
    return camp


# ---------------------------------------------------------------- invitations


def _already_invited_elsewhere(programme: Programme, camp_ids: list[int]):
    """People invited to another camp of the programme that is still ahead (not cancelled, not over)."""
    return (
        Invitation.objects.filter(camp__programme=programme, camp__ends_at__gt=timezone.now())
        .exclude(camp__status=Camp.Status.CANCELLED)
        .exclude(camp_id__in=camp_ids)
        .values("person_id")
    )


def _invite_appointees(camps: list[Camp], *, source_by=None) -> int:
    """Invite the untrained appointees below each camp's host unit, set-based: one query for the
    appointments of all hosts, one INSERT for the invitations. At most the camp's capacity (or
    ``MAX_GENERATED_INVITATIONS``) are invited, higher posts first: the unit's own committee before
    the booths below it."""
    if not camps:
        return 0
    programme = camps[0].programme
    camp_ids = [camp.pk for camp in camps]
    by_path = {camp.host_unit.path: camp for camp in camps}
    lengths = sorted({len(path) for path in by_path}, reverse=True)  # the deepest host first
    query = subtree_q(list(by_path), "unit__path")
    rows = (
        Appointment.objects.filter(query, status=Appointment.Status.ACTIVE)
        .exclude(person_id__in=_trained(programme))
        .exclude(person_id__in=_already_invited_elsewhere(programme, camp_ids))
        .exclude(person_id__in=Invitation.objects.filter(camp_id__in=camp_ids).values("person_id"))
        .order_by("unit__depth", "unit__path", "position__order", "id")
        .values_list("person_id", "unit__path")
    )
    chosen: dict[int, Camp] = {}
    counts = dict(
        Invitation.objects.filter(camp_id__in=camp_ids)
        .values("camp_id")
        .annotate(n=Count("id"))
        .values_list("camp_id", "n")
    )
    room = {camp.pk: (camp.capacity or MAX_GENERATED_INVITATIONS) - counts.get(camp.pk, 0) for camp in camps}
    for person_id, path in rows:
        if person_id in chosen:
            continue
        camp = next((by_path[path[:n]] for n in lengths if path[:n] in by_path), None)
        if camp is None or room[camp.pk] <= 0:
            continue
        chosen[person_id] = camp
        room[camp.pk] -= 1
    invitations = [
        Invitation(camp=camp, person_id=person_id, source=Invitation.Source.APPOINTEES, invited_by=_actor(source_by))
        for person_id, camp in chosen.items()
    ]
    Invitation.objects.bulk_create(invitations, ignore_conflicts=True)
    # bulk_create sends no signals: one entry per camp
    for camp in camps:
        count = sum(1 for invitation in invitations if invitation.camp is camp)
        audit_bulk_action(obj=camp, what="invitations_generated", count=count, model=Invitation, by=_actor(source_by))
    if invitations:
        transaction.on_commit(lambda: _queue_invitation_messages(camp_ids), robust=True)
    return len(invitations)


def _trained(programme: Programme):
    return trained_person_ids(programme=programme)


def _queue_invitation_messages(camp_ids: list[int]) -> None:
    for camp_id in camp_ids:
        tasks.send_invitations.delay(camp_id)


@transaction.atomic
def invitations_generate(*, camp: Camp, by=None) -> int:
    """Invite the appointees below the camp's host unit who are not yet trained for its programme
    (nor invited to another camp of it that is still ahead). Returns how many were invited."""
    camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    return _invite_appointees([camp], source_by=by)


@transaction.atomic
def invitation_add(*, camp: Camp, mobile: str, by=None) -> Invitation:
    """Invite one person by hand, found by mobile number among the people ``by`` can see."""
    camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    try:
        mobile = normalise_mobile(mobile)
    except OrgError as error:
        raise TrainingError(error.messages[0], code="mobile_invalid") from None
    people = Person.objects.restrict(by, VIEW) if by is not None else Person.objects.all()
    person = people.filter(mobile=mobile).first()
    if person is None:
        raise TrainingError(_("Nobody with this mobile number is registered in your area."), code="unknown_person")
    if camp.invitations.filter(person=person).exists():
        raise TrainingError(
            _("%(person)s is already invited to this camp.") % {"person": person.name}, code="already_invited"
        )
    if camp.capacity and camp.invitations.count() >= camp.capacity:
        raise TrainingError(_("The camp is full."), code="full")
    invitation = Invitation.objects.create(
        camp=camp, person=person, source=Invitation.Source.HAND, invited_by=_actor(by)
    )
    invitation_notify(invitation=invitation)
    return invitation


def invitation_notify(*, invitation: Invitation) -> None:
    """Queue the invitation message, with the personal check-in code (idempotent: the key is the invitation)."""
    _notify(
        invitation.person,
        invitation.camp,
        template="training_invitation",
        key=f"training:invite:{invitation.pk}",
        code=invitation.check_in_code,
    )


# Sending a code again from the roll call: one message per invitation per this many seconds, so a double
# tap (or two trainers tapping) sends one message.
CODE_RESEND_SECONDS = 300


@transaction.atomic
def invitation_code_resend(*, invitation: Invitation, by=None, at: datetime.datetime | None = None) -> Invitation:
    """The trainer sends an invitee their personal check-in code again (e.g. an invitation made before
    codes existed, or a lost message) and unlocks a code locked by wrong tries. The code stays the same."""
    at = at or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("person", "camp__programme", "camp__host_unit")
        .get(pk=invitation.pk)
    )
    camp = invitation.camp
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    if camp.ends_at <= at:
        raise TrainingError(_("This camp is over."), code="over")
    invitation.code_failures = 0
    invitation.code_sent_at = at
    invitation.save(update_fields=["code_failures", "code_sent_at"])
    _notify(
        invitation.person,
        camp,
        template="training_check_in_code",
        key=f"training:code:{invitation.pk}:{int(at.timestamp()) // CODE_RESEND_SECONDS}",
        code=invitation.check_in_code,
    )
    return invitation


@transaction.atomic
def invitations_remind(*, camp: Camp, by=None, on: datetime.date | None = None) -> int:
    """Remind the invitees who have not checked in; at most one reminder per invitation per day."""
    camp = Camp.objects.select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    if camp.ends_at <= timezone.now():
        raise TrainingError(_("This camp is over."), code="over")
    day = (on or timezone.localdate()).isoformat()
    present = Attendance.objects.filter(camp=camp).values("person_id")
    pending = list(camp.invitations.exclude(person_id__in=present).select_related("person"))
    for invitation in pending:
        _notify(
            invitation.person,
            camp,
            template="training_reminder",
            key=f"training:remind:{invitation.pk}:{day}",
            code=invitation.check_in_code,
        )
    Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=timezone.now())
    return len(pending)


def reminders_send_due(*, today: datetime.date | None = None) -> int:
    """The daily job: remind the invitees of every camp that starts tomorrow (local time). Queues one
    task per camp after the commit (fan-out in sets, not one task per person); each task is idempotent
    through the outbox keys, so running the day twice sends nothing twice. Returns the number of camps."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    camp_ids = list(
        Camp.objects.filter(
            status=Camp.Status.SCHEDULED,
            starts_at__gte=tomorrow,
            starts_at__lt=tomorrow + datetime.timedelta(days=1),
        ).values_list("pk", flat=True)
    )
    if camp_ids:
        day = today.isoformat()

        def queue() -> None:
            for camp_id in camp_ids:
                tasks.send_reminders.delay(camp_id, day)

        transaction.on_commit(queue, robust=True)
    return len(camp_ids)


def _notify(person: Person, camp: Camp, *, template: str, key: str, code: str = "") -> None:
    language = "hi" if person.name_hi or not person.name_en else "en"
    starts = timezone.localtime(camp.starts_at)
    context = {
        "name": person.name_hi if language == "hi" and person.name_hi else (person.name_en or person.name_hi),
        "programme": camp.programme.name_hi if language == "hi" else (camp.programme.name_en or camp.programme.name_hi),
        "unit": camp.host_unit.name_hi if language == "hi" else (camp.host_unit.name_en or camp.host_unit.name_hi),
        "venue": camp.venue,
        "starts_at": starts,
        "ends_at": timezone.localtime(camp.ends_at),
        "code": code,
    }
    notify_person(person=person, template=template, context=context, idempotency_key=key, language=language)


# ---------------------------------------------------------------- attendance


@dataclass
class CheckIn:
    attendance: Attendance
    created: bool
    completion: Completion | None


# The one answer of the QR page to a number it cannot check in: not invited, unknown, a wrong or locked
# code all read the same, so the page tells nobody whether a number is on the list.
NOT_RECOGNISED = _lazy(
    "This mobile number and code do not match an invitation to this camp. Check the personal code in your "
    "invitation message, or ask the trainer to mark you present."
)
# Walk-in requests waiting for the trainer at one camp: a flood from one link stops here.
MAX_PENDING_WALK_INS = 200


def _mobile(mobile: str) -> str:
    try:
        return normalise_mobile(mobile)
    except OrgError as error:
        raise TrainingError(error.messages[0], code="mobile_invalid") from None


def _open_camp(camp: Camp, at: datetime.datetime) -> Camp:
    """The camp, locked, if people may check in at ``at``: the window is 30 minutes before the start to the end."""
    camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    if at < camp.check_in_opens_at():
        raise TrainingError(_("Check-in has not opened yet: it opens 30 minutes before the camp."), code="too_early")
    if at > camp.ends_at:
        raise TrainingError(_("This camp is over; check-in is closed."), code="too_late")
    return camp


def attendance_check_in(*, camp: Camp, mobile: str, code: str, at: datetime.datetime | None = None) -> CheckIn:
    """The QR page: an invitee checks in with their mobile number and the personal code of their invitation.

    The QR link (hung at the venue) and the window prove presence; the code proves the invitation is
    theirs. A number that is not invited, unknown, or comes with a wrong code gets ``NOT_RECOGNISED``; a
    wrong code counts against the invitation, and after ``codes.MAX_FAILURES`` the code is locked (even
    the right one is refused) until the trainer sends it again. Checking in twice finds the first check-in
    and creates nothing. Nobody is registered here: people who were not invited ask the trainer
    (``walk_in_request_create``).
    """
    at = at or timezone.now()
    mobile = _mobile(mobile)
    with transaction.atomic():
        camp = _open_camp(camp, at)
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(camp=camp, person__mobile=mobile)
            .first()
        )
        proven = codes.matches(
            invitation.pk if invitation else None, invitation.check_in_secret if invitation else "", code
        )
        if invitation is not None and proven and not invitation.code_locked:
            existing = Attendance.objects.filter(camp=camp, person=invitation.person).first()
            if existing is not None:
                return CheckIn(
                    attendance=existing, created=False, completion=_completion_of(invitation.person, camp.programme)
                )
            return _attend(camp, invitation.person, method=Attendance.Method.QR, at=at, by=None)
        if invitation is not None and not invitation.code_locked:
            # Saved (and audited) although the answer is a refusal: the count is what locks a guesser out.
            invitation.code_failures += 1
            invitation.save(update_fields=["code_failures"])
    raise TrainingError(NOT_RECOGNISED, code="not_recognised")


# Characters that only hide or reorder text (zero-width space, word joiner, BOM, bidirectional controls)
# and other control characters; ZWJ/ZWNJ stay, written Hindi needs them.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def _clean_name(name: str) -> str:
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", name or "")).split())


def walk_in_request_create(*, camp: Camp, mobile: str, name: str, at: datetime.datetime | None = None) -> WalkInRequest:
    """The QR page of a camp that takes walk-ins: somebody asks the trainer to let them join. Only a
    request is recorded; the trainer confirms or rejects it on the roll call. Asking again with the same
    number returns the first request unchanged, whatever became of it."""
    at = at or timezone.now()
    mobile = _mobile(mobile)
    name = _clean_name(name)
    if not name:
        raise TrainingError(_("Enter your name."), code="name_missing")
    if len(name) > WALK_IN_NAME_MAX:
        raise TrainingError(_("A name can be at most 120 characters long."), code="name_too_long")
    with transaction.atomic():
        camp = _open_camp(camp, at)
        if not camp.allow_walk_ins:
            raise TrainingError(_("This camp takes invited people only. Please ask the trainer."), code="no_walk_ins")
        existing = WalkInRequest.objects.filter(camp=camp, mobile=mobile).first()
        if existing is not None:
            return existing
        if WalkInRequest.objects.filter(camp=camp, status=WalkInRequest.Status.PENDING).count() >= MAX_PENDING_WALK_INS:
            raise TrainingError(
                _("Many people are waiting for the trainer already. Please go to the trainer directly."),
                code="too_many_waiting",
            )
        try:
            with transaction.atomic():
                return WalkInRequest.objects.create(camp=camp, mobile=mobile, name=name, requested_at=at)
        except IntegrityError:  # the same number from a second phone at the same moment
            return WalkInRequest.objects.get(camp=camp, mobile=mobile)


def in_camp_area(person: Person, camp: Camp) -> bool:
    """Does ``person`` belong to the camp's area: living in the host unit's subtree, or holding a post there?"""
    area = [camp.host_unit.path]
    if person.home_unit_id and Unit.objects.filter(subtree_q(area), pk=person.home_unit_id).exists():
        return True
    return Appointment.objects.filter(
        subtree_q(area, "unit__path"), person=person, status=Appointment.Status.ACTIVE
    ).exists()


def _unusable(camp: Camp, mobile: str, by) -> TrainingError:
    """The one neutral answer for a number whose person the trainer may not bring in here: registered outside
    what the trainer sees, or outside the camp's area (``org.lookups``; audited by ``refusals_audited``)."""
    error = TrainingError(UNUSABLE, code=UNUSABLE_CODE)
    error.refusal = Refusal(obj=camp, purpose="walk_in", mobile=mobile, by=_actor(by))
    return error


def _walk_in(camp: Camp, *, mobile: str, name: str, at: datetime.datetime, by) -> CheckIn:
    """Mark present somebody the trainer let in (``camp`` locked and open): an invitee is simply ticked; a
    person of the camp's area is invited by hand and ticked; a new number is registered in the host unit
    with the name given. Somebody registered outside the camp's area gets the neutral refusal (``_unusable``)."""
    person = Person.objects.filter(mobile=mobile).first()
    if person is not None:
        existing = Attendance.objects.filter(camp=camp, person=person).first()
        if existing is not None:
            return CheckIn(attendance=existing, created=False, completion=_completion_of(person, camp.programme))
        if Invitation.objects.filter(camp=camp, person=person).exists():
            return _attend(camp, person, method=Attendance.Method.ROLL_CALL, at=at, by=by)
        if not in_camp_area(person, camp):
            raise _unusable(camp, mobile, by)
    if camp.capacity and Attendance.objects.filter(camp=camp).count() >= camp.capacity:
        raise TrainingError(_("The camp is full."), code="full")
    if person is None:
        name = _clean_name(name)
        if not name:
            raise TrainingError(_("Enter the name of the person."), code="name_missing")
        hindi = any("\u0900" <= ch <= "\u097f" for ch in name)
        try:
            person = org_services.person_create(
                name_hi=name if hindi else "", name_en="" if hindi else name, mobile=mobile, home_unit=camp.host_unit
            )
        except OrgError as error:
            raise TrainingError(error.messages[0], code="person_invalid") from None
    Invitation.objects.get_or_create(
        camp=camp, person=person, defaults={"source": Invitation.Source.HAND, "invited_by": _actor(by)}
    )
    return _attend(camp, person, method=Attendance.Method.WALK_IN, at=at, by=by)


@refusals_audited
@transaction.atomic
def walk_in_request_decide(
    *, walk_in: WalkInRequest, confirm: bool, by, at: datetime.datetime | None = None
) -> WalkInRequest:
    """The trainer confirms (the person is marked present, see ``_walk_in``) or rejects a walk-in request.
    A request is decided once; the caller checks that ``by`` may manage training at the camp."""
    at = at or timezone.now()
    walk_in = WalkInRequest.objects.select_for_update().get(pk=walk_in.pk)
    if walk_in.status != WalkInRequest.Status.PENDING:
        raise TrainingError(_("This request was already answered."), code="decided")
    if confirm:
        camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=walk_in.camp_id)
        if camp.is_cancelled:
            raise TrainingError(_("This camp was cancelled."), code="cancelled")
        if at < camp.check_in_opens_at():
            raise TrainingError(_("The camp has not started yet."), code="too_early")
        result = _walk_in(camp, mobile=walk_in.mobile, name=walk_in.name, at=at, by=by)
        walk_in.person = result.attendance.person
    walk_in.status = WalkInRequest.Status.CONFIRMED if confirm else WalkInRequest.Status.REJECTED
    walk_in.decided_by = _actor(by)
    walk_in.decided_at = at
    walk_in.save(update_fields=["status", "person", "decided_by", "decided_at"])
    return walk_in


def _attend(camp: Camp, person: Person, *, method: str, at: datetime.datetime, by) -> CheckIn:
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                camp=camp, person=person, checked_in_at=at, method=method, recorded_by=_actor(by)
            )
    except IntegrityError:
        # The same person checked in from a second phone at the same moment.
        attendance = Attendance.objects.get(camp=camp, person=person)
        return CheckIn(attendance=attendance, created=False, completion=_completion_of(person, camp.programme))
    completion = completion_check(person=person, programme=camp.programme, camp=camp, at=at)
    return CheckIn(attendance=attendance, created=True, completion=completion)


def _completion_of(person: Person, programme: Programme) -> Completion | None:
    return Completion.objects.filter(person=person, programme=programme).first()


@transaction.atomic
def attendance_mark(
    *, camp: Camp, person: Person, present: bool, by=None, at: datetime.datetime | None = None
) -> Attendance | None:
    """The trainer's roll call: tick (or untick) an invitee present. Unticking a mistake also takes back
    a completion that rested on it."""
    at = at or timezone.now()
    camp = Camp.objects.select_for_update().select_related("programme").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    if at < camp.check_in_opens_at():
        raise TrainingError(_("The camp has not started yet."), code="too_early")
    if not camp.invitations.filter(person=person).exists():
        raise TrainingError(_("This person is not invited to this camp."), code="not_invited")
    existing = Attendance.objects.filter(camp=camp, person=person).first()
    if present:
        if existing is not None:
            return existing
        return _attend(camp, person, method=Attendance.Method.ROLL_CALL, at=at, by=by).attendance
    if existing is not None:
        existing.delete()
        if not _covers_programme(person, camp.programme):
            taken, _rows = Completion.objects.filter(person=person, programme=camp.programme).delete()
            if taken and not Completion.objects.filter(person=person).exists():
                counters.person_untrained(person_id=person.pk)
    return None


@refusals_audited
@transaction.atomic
def attendance_add_walk_in(
    *, camp: Camp, mobile: str, name: str = "", by, at: datetime.datetime | None = None
) -> CheckIn:
    """The trainer records someone who came without an invitation (e.g. without a smartphone): invited by
    hand and marked present in one step. The trainer's entry is the permission, so this works whether or
    not the QR page accepts walk-ins. The person must be one ``by`` can see and of the camp's area, or a
    new number (registered with the name given, living in the host unit): any other number gets the one
    neutral answer, which says neither whose it is nor whether it is registered elsewhere (audited)."""
    at = at or timezone.now()
    mobile = _mobile(mobile)
    camp = Camp.objects.select_for_update().select_related("programme", "host_unit").get(pk=camp.pk)
    if camp.is_cancelled:
        raise TrainingError(_("This camp was cancelled."), code="cancelled")
    if at < camp.check_in_opens_at():
        raise TrainingError(_("The camp has not started yet."), code="too_early")
    person = Person.objects.filter(mobile=mobile).first()
    if person is not None and not Person.objects.restrict(by, VIEW).filter(pk=person.pk).exists():
        raise _unusable(camp, mobile, by)
    return _walk_in(camp, mobile=mobile, name=name, at=at, by=by)


# ---------------------------------------------------------------- completion


def _covers_programme(person: Person, programme: Programme) -> bool:
    """Do the camps ``person`` attended together cover every module of ``programme``?"""
    all_modules = set(Module.objects.filter(programme=programme).values_list("pk", flat=True))
    attended = Camp.objects.filter(programme=programme, attendances__person=person).exclude(
        status=Camp.Status.CANCELLED
    )
    whole = attended.filter(modules__isnull=True)
    if whole.exists():
        return True
    if not attended.exists():
        return False
    covered = set(Camp.modules.through.objects.filter(camp__in=attended).values_list("module_id", flat=True))
    return all_modules <= covered


@transaction.atomic
def completion_check(
    *, person: Person, programme: Programme, camp: Camp | None = None, at: datetime.datetime | None = None
) -> Completion | None:
    """Record that ``person`` completed ``programme`` once the camps they attended cover all its modules.
    Idempotent: an existing completion is returned unchanged."""
    existing = _completion_of(person, programme)
    if existing is not None:
        return existing
    if not _covers_programme(person, programme):
        return None
    at = at or timezone.now()
    try:
        with transaction.atomic():
            completion = Completion.objects.create(person=person, programme=programme, camp=camp, completed_at=at)
    except IntegrityError:
        return _completion_of(person, programme)
    if not Completion.objects.filter(person=person).exclude(pk=completion.pk).exists():
        counters.person_trained(person_id=person.pk)  # the first: the person's posts now count as trained
    year = timezone.localtime(at).year
    completion.certificate_number = f"{programme.code.upper()[:16]}-{year}-{completion.pk:06d}"
    completion.save(update_fields=["certificate_number"])
    return completion
