"""Staff pages of the control room's alerts: the list of a unit's subtree (``/controlroom/alerts/unit/<pk>/``,
open or acknowledged or resolved), acknowledging one with a note and assigning it (POST). Thin: the unit and
the alert are fetched in the user's control-room scope (404 outside it), the writes are ``alerts``'s."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangathan.controlroom import alerts, selectors
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import Alert

SHOWN = 100
FILTERS = {
    "open": (Alert.State.OPEN, Alert.State.ESCALATED),
    "acknowledged": (Alert.State.ACKNOWLEDGED,),
    "resolved": (Alert.State.RESOLVED,),
}


@login_required
def alert_list(request, pk: int):
    unit = selectors.get_wall_unit_for_user(request.user, pk)
    shown = request.GET.get("state", "open")
    if shown not in FILTERS:
        shown = "open"
    rows = alerts.alerts_in(request.user, unit, states=FILTERS[shown])
    total = rows.count()
    newest = alerts.newest_of(rows, SHOWN, FILTERS[shown])
    listed = alerts.summary_units(newest)  # the units a summary alert names (one query for the page)
    page = [(alert, alerts.describe(alert), listed.get(alert.pk, [])) for alert in newest]
    return render(
        request,
        "controlroom/alerts.html",
        {
            "unit": unit,
            "rows": page,
            "total": total,
            "shown": shown,
            "limit": SHOWN,
            "filters": [(code, Alert.State(code).label) for code in FILTERS],
            "assignable": list(alerts.assignable_users(unit)[:50]),
        },
    )


def _back(request, alert: Alert):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("controlroom:alerts", pk=alert.unit_id)


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    alert = alerts.get_alert_for_user(request.user, pk)
    try:
        alerts.alert_acknowledge(alert=alert, by=request.user, note=request.POST.get("note", ""))
    except ControlRoomError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The alert is acknowledged."))
    return _back(request, alert)


@login_required
@require_POST
def alert_assign(request, pk: int):
    alert = alerts.get_alert_for_user(request.user, pk)
    try:
        alerts.alert_assign(alert=alert, by=request.user, user_id=request.POST.get("user", ""))
    except ControlRoomError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The alert is assigned."))
    return _back(request, alert)
