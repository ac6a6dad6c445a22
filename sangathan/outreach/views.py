"""Staff pages of the message cascade: the list, drafting, approval and sending, the live tracking page,
the delivery report and a unit's history. Thin: fetch in scope (404 outside it, 403 inside but not
allowed), read through ``selectors``, write through ``services``."""

import datetime
import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.access.permissions import APPROVE_MESSAGES, SEND_MESSAGES
from sangathan.access.personal import may_see_personal_at
from sangathan.access.scope import can, can_anywhere, require, top_units
from sangathan.org.access import get_unit_for_user
from sangathan.org.models import Unit
from sangathan.outreach import reports, selectors, services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.forms import MessageForm, RuleForm
from sangathan.outreach.models import ApprovalRule, Message

POLL_SECONDS = 10  # OUTREACH_POLL_SECONDS overrides


@login_required
def message_list(request):
    rows = list(selectors.messages_for_user(request.user)[:50])
    totals = selectors.message_totals(rows)
    rule_units = [u for u in top_units(request.user) if can(request.user, APPROVE_MESSAGES, u)]
    rules = dict(ApprovalRule.objects.filter(unit__in=rule_units).values_list("unit_id", "four_eyes"))
    return render(
        request,
        "outreach/list.html",
        {
            "rows": [(m, totals.get(m.pk)) for m in rows],
            "can_send": can_anywhere(request.user, SEND_MESSAGES),
            "rule_units": [(u, rules.get(u.pk), services.four_eyes_required(u)) for u in rule_units],
        },
    )


def _form_errors(form, error: OutreachError) -> None:
    for text in error.messages:
        form.add_error(None, text)


def _draft_page(request, form: MessageForm, message: Message | None, save: Callable[..., Message]) -> HttpResponse:
    """The draft's form, new (``message`` None) or changed: a valid POST goes to ``save`` (create or update)."""
    if request.method == "POST" and form.is_valid():
        try:
            message = save(
                unit=form.cleaned_data["unit"],
                target_level=form.cleaned_data["target_level"],
                image=form.cleaned_data.get("image"),
                by=request.user,
                **form.service_fields(),
            )
        except OutreachError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("outreach:detail", message.pk)
    return render(request, "outreach/form.html", {"form": form, "message": message}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def message_new(request):
    if not can_anywhere(request.user, SEND_MESSAGES):
        raise PermissionDenied
    form = MessageForm(request.POST or None, request.FILES or None, user=request.user)
    return _draft_page(request, form, None, services.message_create)


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request, pk: int):
    message = selectors.get_message_for_user(request.user, pk)
    require(request.user, SEND_MESSAGES, message.unit)
    if message.is_sent:
        return redirect("outreach:detail", message.pk)
    form = MessageForm(request.POST or None, request.FILES or None, instance=message, user=request.user)
    return _draft_page(request, form, message, functools.partial(services.message_update, message=message))


@login_required
def message_detail(request, pk: int):
    message = selectors.get_message_for_user(request.user, pk)
    if message.is_sent:
        return redirect("outreach:track", message.pk)
    user = request.user
    four_eyes = services.four_eyes_required(message.unit)
    return render(
        request,
        "outreach/detail.html",
        {
            "message": message,
            "variants": message.variants(),
            "four_eyes": four_eyes,
            "can_edit": can(user, SEND_MESSAGES, message.unit),
            "can_approve": can(user, APPROVE_MESSAGES, message.unit) and message.created_by_id != user.pk,
            "can_send": can(user, SEND_MESSAGES, message.unit)
            and (
                message.status == Message.Status.APPROVED or (message.status == Message.Status.DRAFT and not four_eyes)
            ),
            "units_below": Unit.objects.subtree(message.unit, include_self=False)
            .filter(level__order__lte=message.target_level.order)
            .count(),
        },
    )


STEPS = {
    "submit": (SEND_MESSAGES, services.message_submit, gettext_lazy("Sent for approval.")),
    "approve": (APPROVE_MESSAGES, services.message_approve, gettext_lazy("Approved. It can be sent now.")),
    "return": (APPROVE_MESSAGES, services.message_return, gettext_lazy("Returned to draft.")),
    "send": (SEND_MESSAGES, services.message_send, gettext_lazy("The message is going out.")),
    # A send that stopped (its worker died and the sweep has not brought it back): queue it again.
    "resume": (SEND_MESSAGES, services.message_resume, gettext_lazy("The send was resumed.")),
}


@login_required
@require_POST
def message_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    action, service, done = STEPS[step]
    message = selectors.get_message_for_user(request.user, pk)
    require(request.user, action, message.unit)
    try:
        service(message=message, by=request.user)
    except OutreachError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("outreach:detail", message.pk)


def _tracking(request, pk: int) -> dict:
    message = selectors.get_message_for_user(request.user, pk)
    if not message.is_sent:
        raise Http404
    unit_id = request.GET.get("unit", "")
    unit = selectors.tracking_unit(
        request.user, message, int(unit_id) if unit_id.isdecimal() and len(unit_id) < 12 else None
    )
    root = selectors.tracking_root(request.user, message)
    silent, silent_total = selectors.silent_units(message, unit)
    crumbs = []
    if unit.pk != root.pk:
        crumbs = list(
            Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False), path__gte=root.path).order_by("path")
        )
    return {
        "message": message,
        "unit": unit,
        "root": root,
        "crumbs": crumbs,
        "levels": selectors.level_counts(message, unit),
        "children": selectors.child_rows(message, unit),
        "times": selectors.times(message, unit),
        "silent": silent,
        "silent_total": silent_total,
        "poll_seconds": getattr(settings, "OUTREACH_POLL_SECONDS", POLL_SECONDS),
    }


@login_required
def track(request, pk: int):
    context = _tracking(request, pk)
    message = context["message"]
    context["variants"] = message.variants()
    context["stalled"] = can(request.user, SEND_MESSAGES, message.unit) and services.message_stalled(
        message, after=datetime.timedelta(seconds=settings.SANGATHAN_RESUME_AFTER_SECONDS)
    )
    return render(request, "outreach/track.html", context)


@login_required
def track_panel(request, pk: int):
    return render(request, "outreach/partials/track_panel.html", _tracking(request, pk))


@login_required
def report(request, pk: int, fmt: str):
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    context = _tracking(request, pk)
    masked = not may_see_personal_at(request.user, context["unit"])
    return reports.response(context["message"], context["unit"], fmt, masked=masked)


@login_required
def unit_history(request, unit_id: int):
    unit = get_unit_for_user(request.user, unit_id)
    percent, on_time, counted = selectors.reliability(unit)
    return render(
        request,
        "outreach/unit.html",
        {
            "unit": unit,
            "deliveries": selectors.unit_history(unit),
            "percent": percent,
            "on_time": on_time,
            "counted": counted,
        },
    )


@login_required
@require_POST
def rule(request, unit_id: int):
    unit = get_unit_for_user(request.user, unit_id)  # 404 outside the user's view, before anything else
    require(request.user, APPROVE_MESSAGES, unit)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.approval_rule_set(unit=unit, four_eyes=form.cleaned_data["four_eyes"], by=request.user)
        except OutreachError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The approval rule is saved."))
    return redirect("outreach:list")
