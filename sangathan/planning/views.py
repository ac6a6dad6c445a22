"""Pages of the plan: the progress dashboard of any unit in scope, copying the template, editing dates.

Thin: fetch in scope (404 outside), check the action (403), call a selector or a service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.access.permissions import MANAGE_PLAN
from sangathan.access.scope import can, require
from sangathan.core.forms import service_kwargs
from sangathan.org import selectors as org_selectors
from sangathan.org.access import get_unit_for_user, start_page
from sangathan.org.models import Level, Unit
from sangathan.planning import charts, kinds, selectors, services
from sangathan.planning.access import get_plan_for_user
from sangathan.planning.errors import PlanError
from sangathan.planning.forms import MilestoneAddForm, MilestoneDatesForm, PlanCreateForm
from sangathan.planning.tasks import refresh_progress

CHILDREN_PER_PAGE = 50
LATE_ON_DASHBOARD = 10
LATE_PER_PAGE = 50


@login_required
def home(request):
    return start_page(request, unit_route="planning:dashboard", template="planning/home.html")


def _draw_charts(unit, dashboard) -> None:
    series = selectors.snapshot_series(unit)
    for level in dashboard.levels:
        level_series = {row.kind: series.get((level.level.pk, row.kind), []) for row in level.milestones}
        level.chart = charts.progress_chart(
            level_series,
            deadlines={row.kind: row.due_date for row in level.milestones},
            labels={row.kind: kinds.label(row.kind) for row in level.milestones},
            title=_("Progress over time: %(level)s") % {"level": level.level.name},
        )


@login_required
def dashboard(request, pk):
    unit = get_unit_for_user(request.user, pk)
    today = timezone.localdate()
    board = selectors.dashboard_for_unit(unit, today=today)
    children = Unit.objects.filter(parent=unit).select_related("level").order_by("number", "name_en", "name_hi", "id")
    page = Paginator(children, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    child_list = list(page.object_list)
    context = {
        "unit": unit,
        "board": board,
        "ancestors": [a for a in org_selectors.unit_ancestors(unit) if can(request.user, "view", a)],
        "page": page,
        "children": [],
        "can_manage": can(request.user, MANAGE_PLAN, unit),
    }
    if board.levels or board.plan is not None:
        child_rows = selectors.children_progress(unit, child_list, today=today, dashboard=board)
        context["children"] = [(child, child_rows.get(child.pk, [])) for child in child_list]
        if request.htmx and request.GET.get("page"):
            return render(request, "planning/partials/children.html", context)
        late_rows = list(selectors.late_units(unit)[: LATE_ON_DASHBOARD + 1])
        _draw_charts(unit, board)
        context.update(
            {
                "late": selectors.late_units_page(late_rows[:LATE_ON_DASHBOARD], today=today),
                "more_late": len(late_rows) > LATE_ON_DASHBOARD,
                "dissolutions": list(selectors.recent_dissolutions(unit, limit=5)),
                "own_plan": board.plan is not None and board.plan.scope_id == unit.pk,
            }
        )
    return render(request, "planning/dashboard.html", context)


@login_required
def late(request, pk):
    unit = get_unit_for_user(request.user, pk)
    page = Paginator(selectors.late_units(unit), LATE_PER_PAGE).get_page(request.GET.get("page"))
    items = selectors.late_units_page(page.object_list)
    return render(request, "planning/late.html", {"unit": unit, "page": page, "late": items})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, pk):
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_PLAN, unit)
    above = services.governing_plan(unit)
    source = above if above is not None else services.template_plan()
    form = PlanCreateForm(request.POST or None, initial={"year": above.year if above else timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                plan = services.plan_create(scope=unit, year=form.cleaned_data["year"], by=request.user)
                # The first count right after the commit (a task); the daily run keeps it fresh.
                transaction.on_commit(lambda: refresh_progress.delay(unit.pk))
        except PlanError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The plan for %(unit)s is ready.") % {"unit": unit.display_name})
            return redirect("planning:edit", pk=plan.pk)
    milestones = source.milestones.select_related("level")
    return render(
        request,
        "planning/create.html",
        {"unit": unit, "form": form, "above": above, "source": source, "milestones": milestones},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_plan_for_user(request.user, pk)
    require(request.user, MANAGE_PLAN, plan.scope)
    milestones = list(plan.milestones.select_related("level"))
    limits = {}
    if plan.parent_id:
        limits = {(m.level_id, m.kind): m.due_date for m in plan.parent.milestones.all()}
    form = MilestoneDatesForm(request.POST or None, milestones=milestones)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.milestones_update(plan=plan, dates=form.dates(), by=request.user)
        except PlanError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Deadlines saved."))
            if changed:
                messages.info(
                    request,
                    _("Plans below were brought forward to match: %(plans)s")
                    % {"plans": ", ".join(sorted({p.scope.display_name for p in changed if p.scope_id}))},
                )
            return redirect("planning:dashboard", pk=plan.scope_id)
    rows = [(form[f"m{m.pk}"], m, limits.get((m.level_id, m.kind))) for m in milestones]
    add_form = MilestoneAddForm(levels=_levels_below(plan.scope), prefix="add")
    return render(request, "planning/edit.html", {"plan": plan, "form": form, "rows": rows, "add_form": add_form})


def _levels_below(unit):
    """The levels a plan of ``unit`` may set deadlines for: below it, the default ones and its state's own."""
    return Level.objects.filter(
        Q(state__isnull=True) | Q(state__path__in=unit.ancestor_paths()), order__gt=unit.level.order
    ).order_by("order")


@login_required
@require_POST
def milestone_add(request, pk):
    plan = get_plan_for_user(request.user, pk)
    require(request.user, MANAGE_PLAN, plan.scope)
    add_form = MilestoneAddForm(request.POST, levels=_levels_below(plan.scope), prefix="add")
    if add_form.is_valid():
        try:
            services.milestone_add(
                plan=plan, **service_kwargs(add_form.cleaned_data, "level", "kind", "due_date"), by=request.user
            )
        except PlanError as error:
            add_form.add_error(None, error)
        else:
            messages.success(request, _("Deadline added."))
            return redirect("planning:edit", pk=plan.pk)
    milestones = list(plan.milestones.select_related("level"))
    form = MilestoneDatesForm(milestones=milestones)
    rows = [(form[f"m{m.pk}"], m, None) for m in milestones]
    context = {"plan": plan, "form": form, "rows": rows, "add_form": add_form}
    return render(request, "planning/edit.html", context, status=400)


@login_required
@require_POST
def refresh(request, pk):
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_PLAN, unit)
    transaction.on_commit(lambda: refresh_progress.delay(unit.pk))
    messages.success(request, _("Counting again. The numbers update in a moment."))
    return redirect("planning:dashboard", pk=unit.pk)
