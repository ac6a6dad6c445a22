"""Reads of the training app. Lists are scoped through ``Camp.objects.restrict``; the counts for the
plan dashboard are set-based (one query per question, never one per unit)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.shortcuts import get_object_or_404

from sangathan.access.permissions import VIEW
from sangathan.org.models import Appointment, Level, Person, PositionFillCounter, Unit
from sangathan.org.paths import subtree_q
from sangathan.training.models import (
    Attendance,
    Camp,
    Completion,
    Invitation,
    Programme,
    TrainedPostCounter,
    WalkInRequest,
)
from sangathan.training.template import DEFAULT_PROGRAMME


def trained_person_ids(*, programme: Programme | int | None = None):
    """Ids of the people who completed ``programme`` (any programme if None), as a subquery:
    ``Appointment.objects.filter(person_id__in=trained_person_ids(programme=p))``."""
    completions = Completion.objects.all()
    if programme is not None:
        completions = completions.filter(programme=programme)
    return completions.values("person_id")


def untrained_appointees(*, unit: Unit, programme: Programme | int | None = None):
    """People with an active post in ``unit``'s subtree who have not completed ``programme`` (any, if None)."""
    appointed = Appointment.objects.filter(person=OuterRef("pk"), status=Appointment.Status.ACTIVE).filter(
        subtree_q([unit.path], "unit__path")
    )
    return Person.objects.filter(Exists(appointed)).exclude(pk__in=trained_person_ids(programme=programme))


def default_programme() -> Programme | None:
    """The programme pages start with: the shipped default, else the oldest one."""
    return (
        Programme.objects.filter(code=DEFAULT_PROGRAMME["code"]).first()
        or Programme.objects.order_by("created_at", "id").first()
    )


# ---------------------------------------------------------------- camps in scope


def camps_for_user(user, action: str = VIEW):
    return Camp.objects.restrict(user, action)


def get_camp_for_user(user, pk) -> Camp:
    """A camp hosted in the user's scope, or 404."""
    return get_object_or_404(camps_for_user(user).select_related("programme", "host_unit__level", "created_by"), pk=pk)


@dataclass
class RosterRow:
    person: Person
    invited: bool
    attendance: Attendance | None
    completion: Completion | None = None
    post: str = ""  # the person's current post and unit, e.g. "बूथ प्रतिनिधि · 1 · आमेर विद्यालय"
    invitation: Invitation | None = None  # for the personal check-in code shown to the trainer

    @property
    def present(self) -> bool:
        return self.attendance is not None

    @property
    def trained(self) -> bool:
        return self.completion is not None


def camp_roster(camp: Camp) -> list[RosterRow]:
    """Everyone invited to or present at the camp, with attendance, completion and current post: four queries."""
    invitations = {
        inv.person_id: inv for inv in Invitation.objects.filter(camp=camp).select_related("person__home_unit")
    }
    attendances = {
        att.person_id: att for att in Attendance.objects.filter(camp=camp).select_related("person__home_unit")
    }
    completions = {
        c.person_id: c
        for c in Completion.objects.filter(programme_id=camp.programme_id, person_id__in=[*invitations, *attendances])
    }
    people = {pid: inv.person for pid, inv in invitations.items()}
    for pid, att in attendances.items():
        people.setdefault(pid, att.person)
    posts = current_posts(list(people))
    rows = [
        RosterRow(
            person=person,
            invited=pid in invitations,
            attendance=attendances.get(pid),
            completion=completions.get(pid),
            post=posts.get(pid) or (person.home_unit.display_name if person.home_unit is not None else ""),
            invitation=invitations.get(pid),
        )
        for pid, person in people.items()
    ]
    rows.sort(key=lambda row: (row.person.name_hi or row.person.name_en, row.person.pk))
    return rows


@dataclass
class WalkInRow:
    """A pending walk-in request as the trainer sees it: what the number is to the organisation."""

    request: WalkInRequest
    kind: str  # "invited", "area" (registered in the camp's area), "new" (unknown number), "outside"
    person: Person | None = None
    post: str = ""
    mobile: str = ""  # as shown to the trainer: masked unless they may see personal data


def pending_walk_ins(camp: Camp) -> list[WalkInRow]:
    """The camp's walk-in requests waiting for the trainer, oldest first: four queries whatever their number.
    Only for users who may manage training at the camp (the caller checks)."""
    requests = list(WalkInRequest.objects.filter(camp=camp, status=WalkInRequest.Status.PENDING).order_by("id"))
    if not requests:
        return []
    people = {
        person.mobile: person
        for person in Person.objects.filter(mobile__in=[r.mobile for r in requests]).select_related("home_unit")
    }
    ids = [person.pk for person in people.values()]
    area = [camp.host_unit.path]
    invited = set(Invitation.objects.filter(camp=camp, person_id__in=ids).values_list("person_id", flat=True))
    inside = set(
        Person.objects.filter(pk__in=ids)
        .filter(
            subtree_q(area, "home_unit__path")
            | (Q(appointments__status=Appointment.Status.ACTIVE) & subtree_q(area, "appointments__unit__path"))
        )
        .values_list("pk", flat=True)
    )
    posts = current_posts(list(inside))
    rows = []
    for request in requests:
        person = people.get(request.mobile)
        if person is None:
            rows.append(WalkInRow(request=request, kind="new"))
        elif person.pk in invited:
            rows.append(WalkInRow(request=request, kind="invited", person=person, post=posts.get(person.pk, "")))
        elif person.pk in inside:
            post = posts.get(person.pk) or (person.home_unit.display_name if person.home_unit is not None else "")
            rows.append(WalkInRow(request=request, kind="area", person=person, post=post))
        else:
            rows.append(WalkInRow(request=request, kind="outside"))
    return rows


def current_posts(person_ids: list[int]) -> dict[int, str]:
    """Each person's current post (the highest if several) as "post · unit": one query."""
    posts: dict[int, str] = {}
    appointments = (
        Appointment.objects.filter(person_id__in=person_ids, status=Appointment.Status.ACTIVE)
        .select_related("position", "unit")
        .order_by("unit__depth", "id")
    )
    for appointment in appointments:
        posts.setdefault(appointment.person_id, f"{appointment.position.title} · {appointment.unit.display_name}")
    return posts


def camp_counts(camps) -> dict[int, tuple[int, int]]:
    """(invited, present) per camp id, two queries whatever the number of camps."""
    ids = [camp.pk for camp in camps]
    invited = dict(
        Invitation.objects.filter(camp_id__in=ids).values("camp_id").annotate(n=Count("id")).values_list("camp_id", "n")
    )
    present = dict(
        Attendance.objects.filter(camp_id__in=ids).values("camp_id").annotate(n=Count("id")).values_list("camp_id", "n")
    )
    return {pk: (invited.get(pk, 0), present.get(pk, 0)) for pk in ids}


def completions_for_user(user):
    """Completions of people the user can see."""
    return Completion.objects.filter(person__in=Person.objects.restrict(user, VIEW))


# ---------------------------------------------------------------- coverage for the plan dashboard


@dataclass
class LevelTraining:
    level: Level
    appointed: int
    trained: int

    @property
    def percent(self) -> int:
        return 100 * self.trained // self.appointed if self.appointed else 0

    @property
    def untrained(self) -> int:
        return self.appointed - self.trained


def _appointees(paths: list[str], programme: Programme | int | None):
    completed = Completion.objects.filter(person_id=OuterRef("person_id"))
    if programme is not None:
        completed = completed.filter(programme=programme)
    return (
        Appointment.objects.filter(subtree_q(paths, "unit__path"), status=Appointment.Status.ACTIVE)
        .annotate(is_trained=Exists(completed))
        .order_by()
    )


def _counts():
    return {
        "appointed": Count("person_id", distinct=True),
        "trained": Count("person_id", distinct=True, filter=Q(is_trained=True)),
    }


def training_coverage(unit: Unit, *, programme: Programme | int | None = None) -> list[LevelTraining]:
    """For each level in ``unit``'s subtree (the unit's own level included): how many people hold an
    active post at that level, and how many of them completed ``programme`` (any programme if None).
    One GROUP BY query over the subtree's appointments; a person with posts at two levels counts at both."""
    rows = _appointees([unit.path], programme).values("unit__level_id").annotate(**_counts())
    levels = {level.pk: level for level in Level.objects.all()}
    result = [LevelTraining(levels[row["unit__level_id"]], row["appointed"], row["trained"]) for row in rows]
    result.sort(key=lambda row: row.level.order)
    return result


def trained_posts_by_level(unit: Unit) -> list[LevelTraining]:
    """For each level in ``unit``'s subtree (the unit's own level included): the active posts at that level
    (``appointed``) and those held by someone who completed any programme (``trained``). Posts, not people,
    as ``trained_posts`` and the control room's summary count them, so the rows add up to its total. One
    GROUP BY query over the subtree's appointments."""
    rows = (
        _appointees([unit.path], None)
        .values("unit__level_id")
        .annotate(appointed=Count("id"), trained=Count("id", filter=Q(is_trained=True)))
    )
    levels = {level.pk: level for level in Level.objects.all()}
    result = [LevelTraining(levels[row["unit__level_id"]], row["appointed"], row["trained"]) for row in rows]
    result.sort(key=lambda row: row.level.order)
    return result


def training_by_child(unit: Unit, *, programme: Programme | int | None = None) -> dict[int, tuple[int, int]]:
    """(appointed, trained) in the subtree of each child of ``unit``, keyed by child id: one query,
    grouped by the first step of the path below ``unit``."""
    width = len(unit.path) + Unit.steplen
    rows = (
        _appointees([unit.path], programme)
        .filter(unit__depth__gt=unit.depth)
        .annotate(branch=Substr("unit__path", 1, width))
        .values("branch")
        .annotate(**_counts())
    )
    by_path = {row["branch"]: (row["appointed"], row["trained"]) for row in rows}
    children = Unit.objects.filter(parent=unit).values_list("pk", "path")
    return {pk: by_path.get(path, (0, 0)) for pk, path in children}


# ---------------------------------------------------------------- the counters, for the control room


def _scalar(queryset, column: str):
    return Coalesce(Subquery(queryset.values(column)[:1], output_field=IntegerField()), 0)


def trained_posts(units) -> dict[int, tuple[int, int]]:
    """(active posts, posts held by someone trained) in the subtree of each unit of ``units`` (a queryset),
    the unit's own posts included, keyed by unit id: one query, whatever the subtree's size. Read from the
    counters: ``org.PositionFillCounter`` (posts below), the unit's own active appointments, and
    ``TrainedPostCounter`` (``training.counters``)."""
    below = PositionFillCounter.objects.filter(unit=OuterRef("pk")).order_by().values("unit").annotate(n=Sum("filled"))
    own = (
        Appointment.objects.filter(unit=OuterRef("pk"), status=Appointment.Status.ACTIVE)
        .order_by()
        .values("unit")
        .annotate(n=Count("id"))
    )
    trained = TrainedPostCounter.objects.filter(unit=OuterRef("pk"))
    rows = units.order_by().annotate(
        posts_below=_scalar(below, "n"), posts_own=_scalar(own, "n"), posts_trained=_scalar(trained, "trained")
    )
    return {
        pk: (below_n + own_n, trained_n)
        for pk, below_n, own_n, trained_n in rows.values_list("pk", "posts_below", "posts_own", "posts_trained")
    }
