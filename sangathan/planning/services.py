"""Writes to plans. Each function is one transaction; the database is untouched when one refuses.

The rule between plans: a sub-unit's plan may tighten its parent's dates, never loosen them. A
plan made below an existing one copies the parent's milestones; a milestone of a sub-plan may move
earlier than the parent's, not later. When a parent's date moves earlier, every plan below it whose
date for that milestone is now later is brought forward to the same date (tightening propagates;
the list of plans changed is returned so the page can say so).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_action, audit_bulk_created
from sangathan.org.models import Level, Unit
from sangathan.org.paths import subtree_q
from sangathan.planning import kinds
from sangathan.planning.errors import PlanError
from sangathan.planning.models import Milestone, Plan
from sangathan.planning.template import load_default_plan

TITLE_MAX = 200
# A deadline added to a plan: to be appointed, to be trained (by any programme). A channels deadline needs its
# platforms, set with the template.


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def template_plan() -> Plan:
    """The template plan (created from the defaults if a flushed database lost it)."""
    return load_default_plan(Plan, Milestone, Level)


def governing_plan(unit: Unit) -> Plan | None:
    """The plan that sets ``unit``'s deadlines: the one of the nearest unit at or above it."""
    return (
        Plan.objects.filter(is_template=False, scope__path__in=unit.ancestor_paths(include_self=True))
        .select_related("scope")
        .order_by("-scope__depth")
        .first()
    )


def _shift_year(date: datetime.date, year: int) -> datetime.date:
    try:
        return date.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return date.replace(year=year, day=28)


@transaction.atomic
def plan_create(*, scope: Unit, year: int | None = None, title_hi: str = "", title_en: str = "", by=None) -> Plan:
    """Give ``scope`` its own plan: a copy of the plan above it if there is one, else of the template.

    A copy of the template takes its dates into ``year`` (default: this year). A copy of the plan
    above keeps the parent's dates exactly (the sub-unit tightens them afterwards). Plans already
    made further down move under the new plan and are tightened to its dates where they are later.
    """
    scope = Unit.objects.select_for_update().get(pk=scope.pk)
    if Plan.objects.filter(scope=scope).exists():
        raise PlanError(_("%(unit)s already has a plan.") % {"unit": scope.display_name}, code="plan_exists")
    parent = governing_plan(scope)
    source = parent if parent is not None else template_plan()
    if parent is not None:
        Plan.objects.select_for_update(of=("self",)).filter(pk=parent.pk).first()
    year = year or (parent.year if parent is not None else timezone.localdate().year)
    if not 2000 <= year <= 2100:
        raise PlanError(_("Give a year between 2000 and 2100."), code="year_invalid")
    title_hi, title_en = (title_hi or "").strip(), (title_en or "").strip()
    if len(title_hi) > TITLE_MAX or len(title_en) > TITLE_MAX:
        raise PlanError(_("A title can be at most %(max)d characters long.") % {"max": TITLE_MAX}, code="title_long")
    plan = Plan.objects.create(
        scope=scope,
        parent=parent,
        title_hi=title_hi or source.title_hi,
        title_en=title_en or source.title_en,
        year=year,
        created_by=_actor(by),
    )
    milestones = Milestone.objects.bulk_create(
        [
            Milestone(
                plan=plan,
                level_id=m.level_id,
                kind=m.kind,
                due_date=m.due_date if parent is not None else _shift_year(m.due_date, year),
                programme_code=m.programme_code,
                platforms=list(m.platforms),
            )
            for m in source.milestones.all()
        ]
    )
    # bulk_create and QuerySet.update send no signals: one entry on the new plan for each.
    audit_bulk_created(obj=plan, what="milestones_copied", rows=milestones, by=by)
    # Plans made earlier below this unit now sit under it.
    below = Plan.objects.filter(subtree_q([scope.path], "scope__path"), is_template=False).exclude(pk=plan.pk)
    moved = below.filter(parent=parent) if parent is not None else below.filter(parent__isnull=True)
    moved_ids = list(moved.values_list("pk", flat=True))
    if moved_ids:
        Plan.objects.filter(pk__in=moved_ids).update(parent=plan)
        audit_bulk_action(obj=plan, what="plans_moved_under", count=len(moved_ids), model=Plan, ids=moved_ids, by=by)
    for child in Plan.objects.filter(parent=plan):
        _tighten_below(plan, child)
    return plan


def _tighten_below(parent: Plan, child: Plan) -> list[Plan]:
    """Bring ``child``'s (and its own sub-plans') dates forward to ``parent``'s where they are later."""
    changed: list[Plan] = []
    parent_dates = {(m.level_id, m.kind): m.due_date for m in parent.milestones.all()}
    touched = False
    for milestone in child.milestones.all():
        limit = parent_dates.get((milestone.level_id, milestone.kind))
        if limit is not None and milestone.due_date > limit:
            milestone.due_date = limit
            milestone.save(update_fields=["due_date"])
            touched = True
    if touched:
        changed.append(child)
    for grandchild in Plan.objects.filter(parent=child):
        changed += _tighten_below(child, grandchild)
    return changed


@transaction.atomic
def milestone_update(*, milestone: Milestone, due_date: datetime.date, by=None) -> list[Plan]:
    """Move a milestone's deadline. Refused when it would be later than the same milestone of the
    plan above. Returns the plans below whose dates were brought forward to match."""
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("plan", "level").get(pk=milestone.pk)
    if milestone.plan.is_template:
        raise PlanError(_("The template is not edited here; copy it to a unit first."), code="template")
    if not isinstance(due_date, datetime.date) or not 2000 <= due_date.year <= 2100:
        raise PlanError(_("Give a date between the years 2000 and 2100."), code="date_invalid")
    parent = milestone.plan.parent
    if parent is not None:
        above = parent.milestones.filter(level_id=milestone.level_id, kind=milestone.kind).first()
        if above is not None and due_date > above.due_date:
            raise PlanError(
                _(
                    "%(level)s: %(kind)s by %(date)s cannot be later than the plan above (%(above)s allows "
                    "at most %(limit)s). A unit may tighten its parent's dates, not loosen them."
                )
                % {
                    "level": milestone.level.name,
                    "kind": milestone.get_kind_display(),
                    "date": due_date.strftime("%d.%m.%Y"),
                    "above": parent.scope.display_name if parent.scope is not None else parent.title,
                    "limit": above.due_date.strftime("%d.%m.%Y"),
                },
                code="looser_than_parent",
            )
    milestone.due_date = due_date
    milestone.save(update_fields=["due_date"])
    Plan.objects.filter(pk=milestone.plan_id).update(updated_at=timezone.now())
    changed: list[Plan] = []
    for child in Plan.objects.filter(parent=milestone.plan_id).select_related("scope"):
        changed += _tighten_below(milestone.plan, child)
    return changed


@transaction.atomic
def milestones_update(*, plan: Plan, dates: dict[int, datetime.date], by=None) -> list[Plan]:
    """Several deadlines of one plan at once (the edit form): all or nothing."""
    changed: list[Plan] = []
    for milestone in plan.milestones.filter(pk__in=list(dates)).order_by("pk"):
        if milestone.due_date != dates[milestone.pk]:
            changed += milestone_update(milestone=milestone, due_date=dates[milestone.pk], by=by)
    return changed


@transaction.atomic
def milestone_add(*, plan: Plan, level: Level, kind: str, due_date: datetime.date, by=None) -> Milestone:
    """Add a deadline to a plan (a state's block and mandal deadlines, say), and to every plan below it that
    has none for that level and kind, with the same date. Refused for a level the plan already has a
    deadline of that kind for, a level of another state, or a date later than the plan above allows."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("scope", "parent").get(pk=plan.pk)
    scope = plan.scope
    if plan.is_template or scope is None:
        raise PlanError(_("The template is not edited here; copy it to a unit first."), code="template")
    if kind not in {code for code, _label in kinds.addable()}:
        raise PlanError(_("Choose what must be done from the list."), code="kind_invalid")
    if not isinstance(due_date, datetime.date) or not 2000 <= due_date.year <= 2100:
        raise PlanError(_("Give a date between the years 2000 and 2100."), code="date_invalid")
    level = Level.objects.select_related("state").get(pk=level.pk)
    if level.state is not None and level.state.path not in scope.ancestor_paths():
        raise PlanError(_("This level belongs to another state."), code="level_elsewhere")
    if level.order <= scope.level.order:
        raise PlanError(_("A plan sets deadlines for the levels below its unit."), code="level_above")
    if plan.milestones.filter(level=level, kind=kind).exists():
        raise PlanError(_("This plan already has this deadline; change its date instead."), code="milestone_exists")
    if plan.parent is not None:
        above = plan.parent.milestones.filter(level=level, kind=kind).first()
        if above is not None and due_date > above.due_date:
            raise PlanError(
                _("The plan above allows at most %(limit)s.") % {"limit": above.due_date.strftime("%d.%m.%Y")},
                code="looser_than_parent",
            )
    milestone = Milestone.objects.create(plan=plan, level=level, kind=kind, due_date=due_date)  # audited
    below = Plan.objects.filter(subtree_q([scope.path], "scope__path"), is_template=False).exclude(pk=plan.pk)
    copies = Milestone.objects.bulk_create(
        [
            Milestone(plan=sub_plan, level=level, kind=kind, due_date=due_date)
            for sub_plan in below.exclude(milestones__level=level, milestones__kind=kind)
        ]
    )
    audit_bulk_created(obj=plan, what="milestone_copied_below", rows=copies, by=by)
    Plan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    return milestone
