"""Staff pages of the scorecards: the children of a unit ranked over a period (``/controlroom/unit/<pk>/
scorecards/``), the units that need attention (their score low for weeks, with the way to the committee
actions) and one key office-bearer's scorecard. Thin: the unit or appointment is fetched in scope (404
outside the view, 403 without the control room there), the numbers come from ``scorecards``."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from sangathan.access.permissions import DISSOLVE, VIEW_CONTROL_ROOM
from sangathan.access.scope import can
from sangathan.controlroom import scorecards, selectors
from sangathan.controlroom.errors import ControlRoomError


def _period(request) -> scorecards.Period:
    """The period the page asks for; a bad one is said and the last 7 days are shown."""
    today = timezone.localdate()
    try:
        return scorecards.period_parse(
            days=request.GET.get("days"), first=request.GET.get("from"), last=request.GET.get("to"), today=today
        )
    except ControlRoomError as error:
        messages.error(request, " ".join(error.messages))
        return scorecards.period_parse(today=today)


def _period_context(period: scorecards.Period) -> dict:
    today = timezone.localdate()
    return {
        "period": period,
        "choices": scorecards.PERIOD_CHOICES,
        "chosen_days": period.days if period.last == today - datetime.timedelta(days=1) else None,
        "today": today,
    }


@login_required
def unit_scorecards(request, pk: int):
    unit = selectors.get_wall_unit_for_user(request.user, pk)
    period = _period(request)
    result = scorecards.unit_scorecards(unit, period)
    return render(
        request,
        "controlroom/scorecards.html",
        {
            "unit": unit,
            "result": result,
            "formulas": scorecards.UNIT_FORMULAS,
            "labels": scorecards.LABELS,
            "overall_formula": scorecards.OVERALL_FORMULA,
            **_period_context(period),
        },
    )


@login_required
def needs_attention(request, pk: int):
    unit = selectors.get_wall_unit_for_user(request.user, pk)
    rows, weeks = scorecards.needs_attention(unit)
    return render(
        request,
        "controlroom/needs_attention.html",
        {
            "unit": unit,
            "rows": rows,
            "weeks": weeks,
            "threshold": scorecards.attention_score(),
            "weeks_count": scorecards.attention_weeks(),
            "may_dissolve": {row.unit.pk for row in rows if can(request.user, DISSOLVE, row.unit)},
            "overall_formula": scorecards.OVERALL_FORMULA,
        },
    )


@login_required
def bearer_scorecard(request, pk: int):
    appointment = scorecards.get_scored_appointment_for_user(request.user, pk)
    period = _period(request)
    compare = can(request.user, VIEW_CONTROL_ROOM, appointment.unit.parent)
    card, among = scorecards.bearer_scorecard(appointment, period, compare=compare)
    return render(
        request,
        "controlroom/bearer_scorecard.html",
        {
            "appointment": appointment,
            "card": card,
            "among": among,
            "formulas": scorecards.BEARER_FORMULAS,
            "overall_formula": scorecards.OVERALL_FORMULA,
            **_period_context(period),
        },
    )
