"""Wings and representation: how many office-bearers each level below a unit has, how many of them are
women and how many young (up to 35), in all and per wing (IT cell, women, youth, minority).

Counted like coverage (docs/adr/0001-tree-and-rollups.md): ``AppointeeCounter`` rows per unit, level and
wing (or all) hold the strict subtree's active appointees, and every write moves them by a difference in
the writer's transaction, so a page reads two indexed rows per level and never counts.

* An appointment made or ended moves its unit's ancestors through ``org.hooks`` (registered in
  ``OrgConfig.ready``), so every path that appoints or ends (web, API, imports, terms) keeps them true. Ends
  spread over several units (a subtree dissolved) recount the subtree of their lowest common ancestor
  set-based and move the ancestors above it by what ended.
* A wing given to an appointment, a person's gender or age band changed, a unit moved: the services here.
* ``rebuild`` recounts a subtree set-based (``sql.appointee_counters_insert``): with coverage's rebuild
  in ``sangathan rebuild-coverage`` and the seeding.

Gender and age band are kept only with the person's consent, recorded with its time.
"""

from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.org import coverage, sql
from sangathan.org.errors import OrgError
from sangathan.org.models import AppointeeCounter, Appointment, Level, Person, Unit, Wing
from sangathan.org.paths import subtree_q

WOMEN = Person.Gender.FEMALE.value
YOUTH_BANDS = [Person.AgeBand.UP_TO_25.value, Person.AgeBand.UP_TO_35.value]  # up to 35 years
# The years of each age band (an applicant gives an age; the review queue filters by band).
AGE_BAND_YEARS = {"18_25": (18, 25), "26_35": (26, 35), "36_45": (36, 45), "46_60": (46, 60), "61_plus": (61, 150)}
ID_CHUNK = 5000  # ids per IN list when reading the appointments a dissolution ended

Key = tuple[int, int | None]  # (level id, wing id or None for all appointees)


@dataclass
class Counts:
    appointees: Tally
    women: Tally
    youth: Tally

    @classmethod
    def empty(cls) -> "Counts":
        return cls(Tally(), Tally(), Tally())

    def add(self, *, level_id: int, wing_id: int | None, gender: str, age_band: str, sign: int = 1) -> None:
        for key in {(level_id, None), (level_id, wing_id)}:
            self.appointees[key] += sign
            self.women[key] += sign * (gender == WOMEN)
            self.youth[key] += sign * (age_band in YOUTH_BANDS)

    def minus(self, other: "Counts") -> "Counts":
        """The difference, negative counts kept (``Counter``'s own ``-`` drops them)."""

        def difference(mine: Tally, theirs: Tally) -> Tally:
            return Tally({key: mine[key] - theirs[key] for key in set(mine) | set(theirs)})

        return Counts(
            difference(self.appointees, other.appointees),
            difference(self.women, other.women),
            difference(self.youth, other.youth),
        )

    def negated(self) -> "Counts":
        return Counts.empty().minus(self)


def _counter_filter(key: Key) -> Q:
    level_id, wing_id = key
    return Q(level_id=level_id, wing__isnull=True) if wing_id is None else Q(level_id=level_id, wing_id=wing_id)


def apply_to_units(unit_ids: list[int], delta: Counts) -> None:
    """Add ``delta`` to the counters of ``unit_ids`` (created when they first count something)."""
    if not unit_ids:
        return
    for key in set(delta.appointees) | set(delta.women) | set(delta.youth):
        d_all, d_women, d_youth = delta.appointees[key], delta.women[key], delta.youth[key]
        if not (d_all or d_women or d_youth):
            continue
        level_id, wing_id = key
        if d_all > 0:
            AppointeeCounter.objects.bulk_create(
                [AppointeeCounter(unit_id=uid, level_id=level_id, wing_id=wing_id) for uid in unit_ids],
                ignore_conflicts=True,
            )
        AppointeeCounter.objects.filter(_counter_filter(key), unit_id__in=unit_ids).update(
            appointees=F("appointees") + d_all, women=F("women") + d_women, youth=F("youth") + d_youth
        )


def apply_to_ancestors(unit: Unit, delta: Counts) -> None:
    ids = list(Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).values_list("id", flat=True))
    apply_to_units(ids, delta)


def subtree_counts(unit: Unit) -> Counts:
    """What ``unit`` and its subtree add to each ancestor: its own committee and its counters."""
    counts = Counts.empty()
    for level_id, wing_id, appointees, women, youth in AppointeeCounter.objects.filter(unit=unit).values_list(
        "level_id", "wing_id", "appointees", "women", "youth"
    ):
        counts.appointees[(level_id, wing_id)] += appointees
        counts.women[(level_id, wing_id)] += women
        counts.youth[(level_id, wing_id)] += youth
    for wing_id, gender, age_band in Appointment.objects.filter(unit=unit, status="active").values_list(
        "wing_id", "person__gender", "person__age_band"
    ):
        counts.add(level_id=unit.level_id, wing_id=wing_id, gender=gender, age_band=age_band)
    return counts


def rebuild(root: Unit | None = None) -> None:
    """Recount the counters of ``root``'s subtree (the whole tree if None), one GROUP BY per depth. The
    ancestors above ``root`` are left as they are: callers move them by the difference."""
    units = Unit.objects.all() if root is None else Unit.objects.filter(subtree_q([root.path]))
    AppointeeCounter.objects.filter(unit_id__in=units.values("id")).delete()
    top_depth = root.depth if root is not None else 1
    max_depth = units.order_by("-depth").values_list("depth", flat=True).first() or top_depth
    for depth in range(top_depth, max_depth):
        sql.appointee_counters_insert(
            path=root.path if root is not None else None, depth=depth, women=WOMEN, youth=YOUTH_BANDS
        )


def recount(root: Unit | None = None) -> None:
    """``rebuild`` and move the ancestors above ``root`` by the difference (the caller holds its lock chain)."""
    if root is None:
        rebuild(None)
        return
    before = subtree_counts(root)
    rebuild(root)
    after = subtree_counts(root)
    apply_to_ancestors(root, after.minus(before))


# ---------------------------------------------------------------- hooks: appointments made and ended


def after_appointment(*, appointment: Appointment, by=None) -> None:
    delta = Counts.empty()
    person, unit = appointment.person, appointment.unit  # loaded by the service that made it
    delta.add(level_id=unit.level_id, wing_id=appointment.wing_id, gender=person.gender, age_band=person.age_band)
    apply_to_ancestors(unit, delta)


def _common_path(paths: Iterable[str]) -> str:
    """The path of the lowest unit whose subtree holds every path (empty: they lie under different roots)."""
    ordered = sorted(paths)
    first, last = ordered[0], ordered[-1]
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[: length - length % Unit.steplen]


def after_end(*, appointment_ids: list[int], by=None) -> None:
    """Appointments ended: move the ancestors by what ended. Ends at one unit (a relief, one committee
    dissolved) are a difference; ends over a subtree are a recount of that subtree, set-based."""
    ended = Counts.empty()
    paths: set[str] = set()
    for start in range(0, len(appointment_ids), ID_CHUNK):
        for path, level_id, wing_id, gender, age_band in Appointment.objects.filter(
            pk__in=appointment_ids[start : start + ID_CHUNK]
        ).values_list("unit__path", "unit__level_id", "wing_id", "person__gender", "person__age_band"):
            paths.add(path)
            ended.add(level_id=level_id, wing_id=wing_id, gender=gender, age_band=age_band)
    if not paths:
        return
    common = _common_path(paths)
    if not common:
        rebuild(None)
        return
    top = Unit.objects.get(path=common)
    if len(paths) > 1:
        rebuild(top)
    apply_to_ancestors(top, ended.negated())


# ---------------------------------------------------------------- services


@transaction.atomic
def appointment_wing_set(*, appointment: Appointment, wing: Wing | None, by=None) -> Appointment:
    """Put an active appointment in a wing of its unit (or take it out, with None)."""
    coverage.lock_chain(appointment.unit)
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("unit", "person").get(pk=appointment.pk)
    )
    if not appointment.is_active:
        raise OrgError(_("This appointment has already ended."), code="not_active")
    if appointment.wing_id == (wing.pk if wing else None):
        return appointment
    delta = Counts.empty()
    person = appointment.person
    level_id = appointment.unit.level_id
    if appointment.wing_id is not None:
        delta.add(
            level_id=level_id, wing_id=appointment.wing_id, gender=person.gender, age_band=person.age_band, sign=-1
        )
    if wing is not None:
        delta.add(level_id=level_id, wing_id=wing.pk, gender=person.gender, age_band=person.age_band)
    delta.appointees[(level_id, None)] = delta.women[(level_id, None)] = delta.youth[(level_id, None)] = 0
    appointment.wing = wing
    appointment.save(update_fields=["wing"])  # audited (django-auditlog): who, when, from which wing to which
    apply_to_ancestors(appointment.unit, delta)
    return appointment


@transaction.atomic
def person_profile_set(*, person: Person, gender: str, age_band: str, consent: bool, by=None) -> Person:
    """Record (or clear) a person's gender and age band. Kept only with their consent, recorded with its time;
    without consent both are cleared. Moves the counters of every unit they hold a post in."""
    gender, age_band = (gender or "").strip(), (age_band or "").strip()
    if gender not in {"", *Person.Gender.values}:
        raise OrgError(_("Choose a gender from the list."), code="gender_invalid")
    if age_band not in {"", *Person.AgeBand.values}:
        raise OrgError(_("Choose an age band from the list."), code="age_band_invalid")
    if (gender or age_band) and not consent:
        raise OrgError(
            _("Gender and age band are recorded only when the person agrees. Tick the consent box."),
            code="consent_missing",
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    active = list(Appointment.objects.filter(person=person, status="active").select_related("unit"))
    if active:
        coverage.lock_chain(*[a.unit for a in active])
    consent_at = (person.profile_consent_at or timezone.now()) if (gender or age_band) else None
    if (person.gender, person.age_band, person.profile_consent_at) == (gender, age_band, consent_at):
        return person
    for appointment in active:
        delta = Counts.empty()
        level_id, wing_id = appointment.unit.level_id, appointment.wing_id
        delta.add(level_id=level_id, wing_id=wing_id, gender=person.gender, age_band=person.age_band, sign=-1)
        delta.add(level_id=level_id, wing_id=wing_id, gender=gender, age_band=age_band)
        apply_to_ancestors(appointment.unit, delta)
    person.gender, person.age_band, person.profile_consent_at = gender, age_band, consent_at
    person.save(update_fields=["gender", "age_band", "profile_consent_at", "updated_at"])  # audited
    return person


def unit_moving(unit: Unit) -> Counts:
    """Before ``unit`` moves (``services.unit_move``, which holds the lock chain): take its subtree's counts off
    its ancestors and return them, for ``unit_moved`` to add to the new ones."""
    counts = subtree_counts(unit)
    apply_to_ancestors(unit, counts.negated())
    return counts


def unit_moved(unit: Unit, counts: Counts) -> None:
    apply_to_ancestors(unit, counts)


# ---------------------------------------------------------------- reads


@dataclass
class LevelShare:
    level: Level
    appointees: int
    women: int
    youth: int

    @property
    def women_percent(self) -> int:
        return round(100 * self.women / self.appointees) if self.appointees else 0

    @property
    def youth_percent(self) -> int:
        return round(100 * self.youth / self.appointees) if self.appointees else 0


@dataclass
class WingRow:
    wing: Wing
    levels: list[LevelShare]

    @property
    def appointees(self) -> int:
        return sum(row.appointees for row in self.levels)


def shares_for_unit(unit: Unit) -> list[LevelShare]:
    """Per level below ``unit``: office-bearers, women and young among them. One indexed read."""
    rows = (
        AppointeeCounter.objects.filter(unit=unit, wing__isnull=True, appointees__gt=0)
        .select_related("level")
        .order_by("level__order")
    )
    return [LevelShare(row.level, row.appointees, row.women, row.youth) for row in rows]


def wings_for_unit(unit: Unit) -> list[WingRow]:
    """Every wing with its office-bearers per level below ``unit`` (wings with none too). One indexed read."""
    per_wing: dict[int | None, list[LevelShare]] = {}
    for row in (
        AppointeeCounter.objects.filter(unit=unit, wing__isnull=False, appointees__gt=0)
        .select_related("level")
        .order_by("level__order")
    ):
        per_wing.setdefault(row.wing_id, []).append(LevelShare(row.level, row.appointees, row.women, row.youth))
    return [WingRow(wing, per_wing.get(wing.pk, [])) for wing in Wing.objects.all()]
