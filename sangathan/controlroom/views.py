"""Staff pages of the control room: the wall of a unit (``/controlroom/unit/<pk>/``), its panel that the
wall polls every ``CONTROLROOM_POLL_SECONDS`` (htmx), and the button that queues a refresh of today's
roll-ups; the archive of daily and weekly reports with their downloads, and the national view of all
states side by side. Thin: the unit is fetched in scope (404 outside the view scope, 403 without the control room
there), the numbers come from ``selectors``, the refresh from ``services``."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can, require
from sangathan.controlroom import alerts, conf, drives, report_numbers, reports, selectors, services
from sangathan.controlroom.downloads import report_file_response
from sangathan.factcheck import trending
from sangathan.org.access import get_unit_for_user

REPORTS_SHOWN = 200


@login_required
def home(request):
    """The wall of the user's highest unit where they may open it; a page saying who may, for others."""
    units = selectors.wall_units(request.user)
    if not units:
        return render(request, "controlroom/none.html")
    return redirect("controlroom:wall", pk=units[0].pk)


def _context(request, pk: int) -> dict:
    unit = selectors.get_wall_unit_for_user(request.user, pk)
    return {
        "wall": selectors.wall(request.user, unit),
        "unit": unit,
        "poll_seconds": conf.poll_seconds(),
        "now": timezone.localtime(),
        "wall_alerts": alerts.wall_alerts(request.user, unit),
        "wall_rumours": trending.rumours_for_wall(user=request.user, unit=unit),
        "wall_rumours_hours": trending.WALL_HOURS,
        "wall_drives": drives.live_drives(request.user, unit),  # every distinct post, reports' links too
    }


@login_required
def wall(request, pk: int):
    context = _context(request, pk)
    context["other_units"] = [u for u in selectors.wall_units(request.user) if u.pk != pk]
    context["can_send_links"] = can(request.user, SEND_MESSAGES, context["unit"])
    context["sees_country"] = reports.sees_whole_country(request.user)
    return render(request, "controlroom/wall.html", context)


@login_required
def panel(request, pk: int):
    return render(request, "controlroom/partials/panel.html", _context(request, pk))


@login_required
@require_POST
def refresh(request, pk: int):
    """Queue a refresh of today's roll-ups (the whole tree's: one set-based statement) and go back."""
    unit = selectors.get_wall_unit_for_user(request.user, pk)
    today = timezone.localdate()
    transaction.on_commit(lambda: services.rollup_refresh_soon(day=today, at_once=True))
    messages.success(request, _("The numbers are being brought up to date."))
    return redirect("controlroom:wall", pk=unit.pk)


@login_required
@require_POST
def send_links(request, pk: int):
    """Queue every key office-bearer's report link below the unit (sending messages there is needed)."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, SEND_MESSAGES, unit)
    services.report_links_queue(root=unit, by=request.user)
    messages.success(request, _("The report links are being sent to the office-bearers below."))
    return redirect("controlroom:wall", pk=unit.pk)


# ---------------------------------------------------------------- reports


@login_required
def report_list(request):
    """The archived daily and weekly reports of the units the user watches (the latest first)."""
    rows = reports.reports_for_user(request.user).order_by("-day", "unit__path", "kind")[:REPORTS_SHOWN]
    return render(request, "controlroom/reports.html", {"reports": rows, "shown": REPORTS_SHOWN})


@login_required
def report_download(request, pk: int, fmt: str):
    """A report's PDF or XLSX, as an attachment, never stored by a browser or a proxy."""
    return report_file_response(request.user, pk, fmt)


@login_required
def national(request):
    """All states side by side (for users whose control room is the whole country)."""
    if not reports.sees_whole_country(request.user):
        raise PermissionDenied
    day = timezone.localdate()
    asked = request.GET.get("day", "")
    if asked:
        try:
            day = min(datetime.date.fromisoformat(asked), day)
        except ValueError:
            messages.error(request, _("The day must be a date like 2026-06-01; showing today."))
    return render(
        request,
        "controlroom/national.html",
        {"day": day, "rows": report_numbers.states_side_by_side(day), "definitions": report_numbers.DEFINITIONS},
    )
