"""Staff pages of trend drives (issue 13): the list, a new drive, a drive's page with a bar per level and its
panel that the page polls. Thin: fetch in scope (404 outside), read through ``outreach.drives``, write
through ``services.trend_drive_create``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can, can_anywhere
from sangathan.org.access import get_unit_for_user
from sangathan.outreach import drives, services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.forms import TrendDriveForm
from sangathan.outreach.views import POLL_SECONDS

DRIVES_SHOWN = 50


@login_required
def drive_list(request):
    now = timezone.now()
    rows = list(drives.drives_for_user(request.user)[:DRIVES_SHOWN])
    return render(
        request,
        "outreach/drives/list.html",
        {"rows": rows, "now": now, "can_send": can_anywhere(request.user, SEND_MESSAGES)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def drive_new(request):
    if not can_anywhere(request.user, SEND_MESSAGES):
        raise PermissionDenied
    form = TrendDriveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            drive = services.trend_drive_create(by=request.user, **form.service_fields())
        except OutreachError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("The drive is saved. Send its message to start it."))
            return redirect("outreach:drive", drive.pk)
    return render(request, "outreach/drives/form.html", {"form": form}, status=400 if form.errors else 200)


def _context(request, pk: int) -> dict:
    drive = drives.get_drive_for_user(request.user, pk)
    unit_id = request.GET.get("unit", "")
    unit = None
    if unit_id.isascii() and unit_id.isdecimal() and len(unit_id) < 12:
        unit = get_unit_for_user(request.user, int(unit_id))
    unit = drives.counting_unit(request.user, drive, unit)
    return {
        "drive": drive,
        "progress": drives.drive_progress(drive, unit),
        "unit": unit,
        "now": timezone.now(),
        "poll_seconds": getattr(settings, "OUTREACH_POLL_SECONDS", POLL_SECONDS),
        "count_seconds": drives.count_seconds(),
    }


@login_required
def drive_detail(request, pk: int):
    context = _context(request, pk)
    context["can_send"] = can(request.user, SEND_MESSAGES, context["drive"].unit)
    return render(request, "outreach/drives/detail.html", context)


@login_required
def drive_panel(request, pk: int):
    return render(request, "outreach/drives/partials/bars.html", _context(request, pk))
