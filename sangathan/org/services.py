"""Writes to the organisation structure. Each function is one transaction and keeps the
coverage counters true. Views, the API, the admin, commands and tasks call these; nothing
else writes org models."""

import calendar
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_update
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org import coverage, hooks, representation, shaping
from sangathan.org.errors import OrgError
from sangathan.org.lookups import person_by_mobile, refusals_audited
from sangathan.org.models import Appointment, CommitteeEvent, Level, Person, Position, Unit, Wing
from sangathan.org.paths import subtree_q
from sangathan.org.phones import normalise_mobile

NAME_MAX = 150
REASON_MAX = 500


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _clean_reason(reason: str, missing_message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OrgError(missing_message, code="reason_missing")
    if len(reason) > REASON_MAX:
        raise OrgError(
            _("The reason can be at most %(max)d characters long.") % {"max": REASON_MAX}, code="reason_too_long"
        )
    return reason


# ---------------------------------------------------------------- units


def _plain(*values) -> None:
    """Names, codes, stations, skills are plain text: the rule of the model fields (core.validators), here
    too because every web form, API call and command writes through these services."""
    for value in values:
        items = value if isinstance(value, list | tuple) else [value]
        if any(has_markup(item) for item in items):
            raise OrgError(str(MARKUP_MESSAGE), code="markup")


def _clean_names(name_hi: str, name_en: str, max_length: int = NAME_MAX) -> tuple[str, str]:
    name_hi, name_en = (name_hi or "").strip(), (name_en or "").strip()
    _plain(name_hi, name_en)
    if not name_hi and not name_en:
        raise OrgError(_("Give a name in Hindi or in English."), code="name_missing")
    if len(name_hi) > max_length or len(name_en) > max_length:
        raise OrgError(_("A name can be at most %(max)d characters long.") % {"max": max_length}, code="name_too_long")
    return name_hi, name_en


def _check_level_below(parent: Unit | None, level: Level) -> None:
    if parent is not None and level.order <= parent.level.order:
        raise OrgError(
            _("A %(child)s cannot be placed under a %(parent)s.") % {"child": level.name, "parent": parent.level.name},
            code="level_order",
        )


def _check_unique_in_parent(*, parent, level, number, name_hi, name_en, exclude_pk=None) -> None:
    siblings = Unit.objects.filter(parent=parent, level=level)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    if number is not None:
        if siblings.filter(number=number).exists():
            raise OrgError(
                _("%(level)s number %(number)s already exists here.") % {"level": level.name, "number": number},
                code="duplicate_number",
            )
    elif (name_en and siblings.filter(number__isnull=True, name_en=name_en).exists()) or (
        name_hi and siblings.filter(number__isnull=True, name_hi=name_hi).exists()
    ):
        raise OrgError(
            _("A %(level)s with this name already exists here.") % {"level": level.name}, code="duplicate_name"
        )


def _check_number_unique_in_area(*, parent: Unit | None, level: Level, number: int | None, exclude_pk=None) -> None:
    """Booth numbers are unique within their assembly constituency, whatever blocks or mandals lie between."""
    if number is None or parent is None or not level.numbered_within_id:
        return
    area = Unit.objects.filter(path__in=parent.ancestor_paths(), level_id=level.numbered_within_id).first()
    if area is None:
        return
    clash = Unit.objects.filter(subtree_q([area.path]), level=level, number=number)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise OrgError(
            _("%(level)s number %(number)s already exists in %(area)s.")
            % {"level": level.name, "number": number, "area": area.display_name},
            code="duplicate_number",
        )


@transaction.atomic
def unit_create(
    *,
    parent: Unit | None,
    level: Level,
    name_hi: str = "",
    name_en: str = "",
    number: int | None = None,
    code: str = "",
    polling_station: str = "",
    by=None,
) -> Unit:
    """Add a unit under ``parent`` (a root when None) and count it in every ancestor's roll-up."""
    name_hi, name_en = _clean_names(name_hi, name_en)
    _plain(code, polling_station)
    _check_level_below(parent, level)
    if not shaping.level_belongs_to(level, parent):
        raise OrgError(_("This level exists in another state only."), code="level_elsewhere")
    if number is not None and number < 0:
        raise OrgError(_("The number must be positive."), code="number_invalid")
    unit = Unit(
        name_hi=name_hi,
        name_en=name_en,
        level=level,
        number=number,
        code=(code or "").strip()[:16],
        polling_station=(polling_station or "").strip()[:255],
        parent=parent,
    )
    if parent is None:
        _check_unique_in_parent(parent=None, level=level, number=number, name_hi=name_hi, name_en=name_en)
        unit = Unit.objects.add_root(instance=unit)
    else:
        coverage.lock_chain(parent)  # structural writes under one parent are serialised
        _check_unique_in_parent(parent=parent, level=level, number=number, name_hi=name_hi, name_en=name_en)
        _check_number_unique_in_area(parent=parent, level=level, number=number)
        try:
            with transaction.atomic():
                unit = Unit.objects.add_child(parent, instance=unit)
        except IntegrityError:
            raise OrgError(_("A unit with this name or number already exists here."), code="duplicate") from None
        contribution = coverage.Contribution()
        contribution.units[level.id] = 1
        coverage.apply_to_ancestors(unit, contribution)
    return unit


@transaction.atomic
def unit_update(
    *, unit: Unit, name_hi: str, name_en: str, number: int | None, code: str = "", polling_station: str = "", by=None
) -> Unit:
    """Rename or renumber a unit (its place in the tree does not change)."""
    name_hi, name_en = _clean_names(name_hi, name_en)
    _plain(code, polling_station)
    if number is not None and number < 0:
        raise OrgError(_("The number must be positive."), code="number_invalid")
    coverage.lock_chain(unit)
    unit = Unit.objects.select_related("level", "parent").get(pk=unit.pk)
    _check_unique_in_parent(
        parent=unit.parent, level=unit.level, number=number, name_hi=name_hi, name_en=name_en, exclude_pk=unit.pk
    )
    _check_number_unique_in_area(parent=unit.parent, level=unit.level, number=number, exclude_pk=unit.pk)
    unit.name_hi, unit.name_en, unit.number = name_hi, name_en, number
    unit.code, unit.polling_station = (code or "").strip()[:16], (polling_station or "").strip()[:255]
    try:
        with transaction.atomic():
            unit.save(update_fields=["name_hi", "name_en", "number", "code", "polling_station"])
    except IntegrityError:
        raise OrgError(_("A unit with this name or number already exists here."), code="duplicate") from None
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit, by=None) -> Unit:
    """Move a unit and its whole subtree under ``new_parent``; refuses cycles and level inversions."""
    coverage.lock_chain(unit, new_parent)
    unit = Unit.objects.select_related("level", "parent").get(pk=unit.pk)
    new_parent = Unit.objects.select_related("level").get(pk=new_parent.pk)
    if new_parent.is_within(unit):
        raise OrgError(_("A unit cannot be moved under itself or one of its own sub-units."), code="cycle")
    if unit.parent_id == new_parent.pk:
        return unit
    _check_level_below(new_parent, unit.level)
    if not shaping.level_belongs_to(unit.level, new_parent):
        raise OrgError(_("This level exists in another state only."), code="level_elsewhere")
    shaping.check_move(unit, new_parent)
    _check_unique_in_parent(
        parent=new_parent,
        level=unit.level,
        number=unit.number,
        name_hi=unit.name_hi,
        name_en=unit.name_en,
    )
    _check_number_unique_in_area(parent=new_parent, level=unit.level, number=unit.number, exclude_pk=unit.pk)
    contribution = coverage.unit_contribution(unit)
    coverage.apply_to_ancestors(unit, contribution.negated())
    appointees = representation.unit_moving(unit)
    hooks.unit_moving(unit=unit)
    Unit.objects.move(unit, new_parent, "last-child")
    unit = Unit.objects.get(pk=unit.pk)
    unit.parent = new_parent
    unit.save(update_fields=["parent"])
    coverage.apply_to_ancestors(unit, contribution)
    representation.unit_moved(unit, appointees)
    hooks.unit_moved(unit=unit)
    return unit


# ---------------------------------------------------------------- people


def _person_fields(name_hi, name_en, mobile, email, home_unit, languages, skills, *, exclude_pk=None) -> dict:
    """A person's fields, checked and cleaned for ``person_create`` and ``person_update``; a mobile number
    another person has is refused."""
    name_hi, name_en = _clean_names(name_hi, name_en, max_length=120)
    _plain(list(languages or []), list(skills or []))
    mobile = normalise_mobile(mobile)
    if Person.objects.filter(mobile=mobile).exclude(pk=exclude_pk).exists():
        raise OrgError(_("A person with this mobile number already exists."), code="mobile_taken")
    return {
        "name_hi": name_hi,
        "name_en": name_en,
        "mobile": mobile,
        "email": (email or "").strip(),
        "home_unit": home_unit,
        "languages": list(languages or []),
        "skills": list(skills or []),
    }


@transaction.atomic
def person_create(
    *,
    name_hi: str = "",
    name_en: str = "",
    mobile: str,
    email: str = "",
    home_unit: Unit | None = None,
    languages: list[str] | None = None,
    skills: list[str] | None = None,
    by=None,
) -> Person:
    fields = _person_fields(name_hi, name_en, mobile, email, home_unit, languages, skills)
    try:
        with transaction.atomic():
            return Person.objects.create(**fields)
    except IntegrityError:
        raise OrgError(_("A person with this mobile number already exists."), code="mobile_taken") from None


@transaction.atomic
def person_update(
    *,
    person: Person,
    name_hi: str,
    name_en: str,
    mobile: str,
    email: str = "",
    home_unit: Unit | None = None,
    languages: list[str] | None = None,
    skills: list[str] | None = None,
    by=None,
) -> Person:
    fields = _person_fields(name_hi, name_en, mobile, email, home_unit, languages, skills, exclude_pk=person.pk)
    person = Person.objects.select_for_update().get(pk=person.pk)
    for name, value in fields.items():
        setattr(person, name, value)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise OrgError(_("A person with this mobile number already exists."), code="mobile_taken") from None
    return person


@refusals_audited
def appointment_lookup(*, unit: Unit, mobile: str, by=None, purpose: str = "appoint") -> Person | None:
    """Who an appointment at ``unit`` by this mobile number would be for: the person, or None for a new
    number. A person whose home unit is not in ``by``'s appoint scope — registered elsewhere, or seen here
    but living elsewhere — is refused with one neutral answer (``lookups.MobileUnusable``), audited: only
    someone responsible for that person may bring them into another committee."""
    return _person_to_appoint(mobile=normalise_mobile(mobile), unit=unit, by=by, purpose=purpose)


def _person_to_appoint(*, mobile: str, unit: Unit, by, purpose: str) -> Person | None:
    usable = Person.objects.restrict(by, APPOINT) if by is not None else Person.objects.all()
    return person_by_mobile(mobile=mobile, usable=usable, obj=unit, purpose=purpose, by=by)


def person_for_appointment(
    *, mobile: str, name_hi: str = "", name_en: str = "", home_unit: Unit, by=None, purpose: str = "appoint"
):
    """The person with this mobile number, created if new (living in ``home_unit``, the unit appointed
    to). Returns (person, created). An existing person's record is not changed; one ``by`` may not
    appoint is refused as ``appointment_lookup`` says."""
    mobile = normalise_mobile(mobile)
    existing = _person_to_appoint(mobile=mobile, unit=home_unit, by=by, purpose=purpose)
    if existing is not None:
        return existing, False
    return person_create(name_hi=name_hi, name_en=name_en, mobile=mobile, home_unit=home_unit, by=by), True


# ---------------------------------------------------------------- appointments


def default_term_end(*, position: Position, level: Level, start: datetime.date) -> datetime.date | None:
    """The last day of a term that starts on ``start``: the post's term, else the level's; None without one.
    A three-year term from 1 April 2026 ends on 31 March 2029."""
    months = position.term_months or level.term_months
    if not months:
        return None
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    same_day = start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))
    return same_day - datetime.timedelta(days=1)


@transaction.atomic
def appointment_create(
    *,
    unit: Unit,
    position: Position,
    person: Person,
    start_date: datetime.date | None = None,
    letter_number: str = "",
    term_ends_on: datetime.date | None = None,
    wing: Wing | None = None,
    by=None,
) -> Appointment:
    """Appoint ``person`` to a free seat of ``position`` at ``unit`` (in ``wing`` of the unit, if given).

    Refuses when the position belongs to another level, every seat is taken, the person already
    holds a post in this committee, or already holds the key post of another unit of this level.
    The term ends on ``term_ends_on`` if given, else after the post's (or the level's) term, if any.
    """
    coverage.lock_chain(unit)
    # Lock the person too: two appointments of one person (e.g. to two key posts) are serialised.
    person = Person.objects.select_for_update().get(pk=person.pk)
    unit = Unit.objects.select_related("level").get(pk=unit.pk)
    if not shaping.position_belongs_to(position, unit):
        raise OrgError(
            _("%(position)s is not a post of a %(level)s committee.")
            % {"position": position.title, "level": unit.level.name},
            code="position_level",
        )
    if len(letter_number or "") > 60:
        raise OrgError(_("The letter number can be at most 60 characters long."), code="letter_too_long")
    start_date = start_date or timezone.localdate()
    term_ends_on = term_ends_on or default_term_end(position=position, level=unit.level, start=start_date)
    if term_ends_on is not None and term_ends_on <= start_date:
        raise OrgError(_("The term must end after the start date."), code="term_before_start")
    taken = set(
        Appointment.objects.filter(unit=unit, position=position, status="active").values_list("seat", flat=True)
    )
    free = [seat for seat in range(1, position.seats + 1) if seat not in taken]
    if not free:
        raise OrgError(
            _("All %(seats)d seats of %(position)s are filled. Relieve someone first.")
            % {"seats": position.seats, "position": position.title},
            code="seats_full",
        )
    current = Appointment.objects.filter(person=person, unit=unit, status="active").select_related("position").first()
    if current is not None:
        raise OrgError(
            _("%(person)s already holds the post of %(position)s in this committee.")
            % {"person": person.name, "position": current.position.title},
            code="already_in_committee",
        )
    if position.is_key:
        elsewhere = (
            Appointment.objects.filter(person=person, position=position, status="active").select_related("unit").first()
        )
        if elsewhere is not None:
            if by is None or can(by, VIEW, elsewhere.unit):
                message = _("%(person)s is already %(position)s of %(unit)s.") % {
                    "person": person.name,
                    "position": position.title,
                    "unit": elsewhere.unit.display_name,
                }
            else:
                message = _("This person already holds this post in another unit.")
            raise OrgError(message, code="key_post_elsewhere")
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                person=person,
                unit=unit,
                position=position,
                seat=free[0],
                start_date=start_date,
                letter_number=(letter_number or "").strip(),
                term_ends_on=term_ends_on,
                wing=wing,
                appointed_by=_actor(by),
            )
    except IntegrityError:
        raise OrgError(_("This seat was just filled by someone else. Please try again."), code="seat_race") from None

    delta = coverage.Contribution()
    delta.seats[position.id] = 1
    if position.is_key and not unit.key_post_filled:
        Unit.objects.filter(pk=unit.pk).update(key_post_filled=True)
        delta.key_filled[unit.level_id] = 1
    coverage.apply_to_ancestors(unit, delta)
    hooks.appointment_made(appointment=appointment, by=_actor(by))  # e.g. logins: the invitation, the role
    return appointment


@refusals_audited
@transaction.atomic
def appointment_create_for_mobile(
    *,
    unit: Unit,
    position: Position,
    mobile: str,
    name_hi: str = "",
    name_en: str = "",
    start_date: datetime.date | None = None,
    letter_number: str = "",
    wing: Wing | None = None,
    by=None,
) -> Appointment:
    """Appoint whoever has this mobile number, registering them first if new; all or nothing, so a
    refused appointment leaves no new person behind."""
    person, _created = person_for_appointment(mobile=mobile, name_hi=name_hi, name_en=name_en, home_unit=unit, by=by)
    return appointment_create(
        unit=unit,
        position=position,
        person=person,
        start_date=start_date,
        letter_number=letter_number,
        wing=wing,
        by=by,
    )


def _end_appointments(appointments, *, status: str, reason: str, end_date: datetime.date, by) -> int:
    """End the given active appointments and fix every counter they touched. Returns how many.

    The caller holds the lock chain of the units concerned; the rows are locked and re-checked, so an
    appointment ended meanwhile by someone else is neither ended twice nor counted twice.
    """
    rows = list(appointments.filter(status="active").select_for_update(of=("self",)).select_related("unit", "position"))
    if not rows:
        return 0
    Appointment.objects.filter(pk__in=[a.pk for a in rows], status="active").update(
        status=status, end_date=end_date, end_reason=reason, ended_by=_actor(by)
    )
    audit_bulk_update(
        objects=rows,
        changes={"status": ["active", status], "end_date": ["None", str(end_date)], "end_reason": ["", reason]},
        by=_actor(by),
    )
    units = {a.unit_id: a.unit for a in rows}
    # Per unit: which positions lost seats, and whether its key post is now empty.
    still_keyed = set(
        Appointment.objects.filter(unit_id__in=units, status="active", position__is_key=True).values_list(
            "unit_id", flat=True
        )
    )
    lost_key = [uid for uid, unit in units.items() if unit.key_post_filled and uid not in still_keyed]
    if lost_key:
        Unit.objects.filter(pk__in=lost_key).update(key_post_filled=False)
    by_unit: dict[int, coverage.Contribution] = {}
    for a in rows:
        by_unit.setdefault(a.unit_id, coverage.Contribution()).seats[a.position_id] -= 1
    for uid in lost_key:
        by_unit[uid].key_filled[units[uid].level_id] -= 1
    for uid, delta in by_unit.items():
        coverage.apply_to_ancestors(units[uid], delta)
    hooks.appointments_ended(appointment_ids=[a.pk for a in rows], by=_actor(by))  # e.g. logins: roles, sessions
    return len(rows)


@transaction.atomic
def appointment_relieve(
    *, appointment: Appointment, reason: str, end_date: datetime.date | None = None, by=None
) -> Appointment:
    """Relieve one office-bearer. The appointment stays in history with the reason."""
    reason = _clean_reason(reason, _("Give a reason for relieving."))
    # Relieving before the start date (an appointment made in advance) ends it on the day it starts.
    end_date = end_date or max(timezone.localdate(), appointment.start_date)
    if end_date < appointment.start_date:
        raise OrgError(_("The end date cannot be before the start date."), code="end_before_start")
    coverage.lock_chain(appointment.unit)
    ended = _end_appointments(
        Appointment.objects.filter(pk=appointment.pk),
        status=Appointment.Status.RELIEVED,
        reason=reason,
        end_date=end_date,
        by=by,
    )
    if not ended:
        raise OrgError(_("This appointment has already ended."), code="not_active")
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def appointment_term_end(*, appointment: Appointment, today: datetime.date) -> bool:
    """End an appointment whose term ended before ``today`` (the daily run): relieved on its last day, the
    hooks told (logins takes the role away). False when it has ended meanwhile or its term is not over."""
    if appointment.term_ends_on is None or appointment.term_ends_on >= today:
        return False
    coverage.lock_chain(appointment.unit)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The term ended.")
    return bool(
        _end_appointments(
            Appointment.objects.filter(pk=appointment.pk, term_ends_on=appointment.term_ends_on),
            status=Appointment.Status.RELIEVED,
            reason=reason,
            end_date=appointment.term_ends_on,
            by=None,
        )
    )


@transaction.atomic
def committee_dissolve(*, unit: Unit, reason: str, include_subtree: bool = False, by=None) -> CommitteeEvent:
    """Relieve everyone in ``unit``'s committee (and, optionally, every committee below it) at once."""
    reason = _clean_reason(reason, _("Give a reason for dissolving the committee."))
    coverage.lock_chain(unit)
    unit = Unit.objects.get(pk=unit.pk)
    today = timezone.localdate()
    if include_subtree:
        # The subtree's contribution before anything changes: rebuild() moves the ancestors by the difference.
        before = coverage.unit_contribution(unit)
        ending = Appointment.objects.filter(subtree_q([unit.path], "unit__path"), status="active")
        ended_ids = list(ending.values_list("pk", flat=True))  # for the hooks: the update returns a count
        ended = ending.update(
            status=Appointment.Status.DISSOLVED, end_date=today, end_reason=reason, ended_by=_actor(by)
        )
        hooks.appointments_ended(appointment_ids=ended_ids, by=_actor(by))
        Unit.objects.filter(subtree_q([unit.path]), key_post_filled=True).update(key_post_filled=False)
        coverage.rebuild(unit, before=before)
        unit.refresh_from_db()
    else:
        ended = _end_appointments(
            Appointment.objects.filter(unit=unit),
            status=Appointment.Status.DISSOLVED,
            reason=reason,
            end_date=today,
            by=by,
        )
    return CommitteeEvent.objects.create(
        unit=unit,
        kind=CommitteeEvent.Kind.DISSOLVED,
        reason=reason,
        include_subtree=include_subtree,
        appointments_ended=ended,
        by=_actor(by),
    )


@transaction.atomic
def committee_reconstitute(
    *, unit: Unit, members: list[tuple[Position, Person]], reason: str, letter_number: str = "", by=None
) -> CommitteeEvent:
    """Dissolve ``unit``'s committee and appoint a new one, as one action: all or nothing."""
    reason = _clean_reason(reason, _("Give a reason for the new committee."))
    if not members:
        raise OrgError(_("Name at least one member of the new committee."), code="members_missing")
    people = [person.pk for _position, person in members]
    if len(people) != len(set(people)):
        raise OrgError(_("The same person is named twice."), code="duplicate_member")
    coverage.lock_chain(unit)
    ended = _end_appointments(
        Appointment.objects.filter(unit=unit),
        status=Appointment.Status.DISSOLVED,
        reason=reason,
        end_date=timezone.localdate(),
        by=by,
    )
    unit = Unit.objects.get(pk=unit.pk)
    for position, person in members:
        appointment_create(unit=unit, position=position, person=person, letter_number=letter_number, by=by)
    return CommitteeEvent.objects.create(
        unit=unit,
        kind=CommitteeEvent.Kind.RECONSTITUTED,
        reason=reason,
        appointments_ended=ended,
        appointments_made=len(members),
        by=_actor(by),
    )


@refusals_audited
@transaction.atomic
def committee_reconstitute_for_mobiles(
    *, unit: Unit, entries: list[tuple[Position, str, str, str]], reason: str, by=None
) -> CommitteeEvent:
    """``committee_reconstitute`` from (position, mobile, name_hi, name_en) rows as people type them:
    new people are registered in the same transaction, so nothing is kept if anything is refused."""
    members = [
        (
            position,
            person_for_appointment(
                mobile=mobile, name_hi=name_hi, name_en=name_en, home_unit=unit, by=by, purpose="reconstitute"
            )[0],
        )
        for position, mobile, name_hi, name_en in entries
    ]
    return committee_reconstitute(unit=unit, members=members, reason=reason, by=by)
