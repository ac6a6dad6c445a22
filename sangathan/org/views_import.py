"""Importing the unit tree from a file: upload → preview (a dry run, nothing written) → confirm → done.

The upload only stores the bytes in a job (``UnitImportJob``) and queues its check; the worker reads
the file, the preview page polls until the check is done and then shows it. The session holds the
job's id. The file is dropped once it is imported or the user cancels. Every step re-checks that the
user may import under the root: outside what they can see is a 404, seen but not allowed is a 403.
"""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.access.permissions import IMPORT_UNITS
from sangathan.access.scope import can, can_anywhere, require, scope_paths
from sangathan.org.access import get_unit_for_user
from sangathan.org.errors import OrgError
from sangathan.org.import_jobs import (
    PENDING,
    job_progress,
    job_report,
    unit_import_job_cancel,
    unit_import_job_confirm,
    unit_import_job_resume,
    unit_import_job_stalled,
    unit_import_job_upload,
)
from sangathan.org.importing import LevelCount, column_help
from sangathan.org.models import Level, Unit, UnitImportJob
from sangathan.org.paths import outermost_paths

SESSION_KEY = "unit_import"
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAGE_LABELS = {
    "read": gettext_lazy("Reading the file"),
    "check": gettext_lazy("Checking rows"),
    "write": gettext_lazy("Writing units"),
    "count": gettext_lazy("Recounting coverage"),
}
SAMPLE_ROWS = [
    ["state", "district", "ac_no", "ac_name", "block", "mandal", "booth_no", "booth_name", "polling_station"],
    ["राजस्थान", "जयपुर", "45", "जयपुर उत्तर", "आमेर", "", "1", "आमेर विद्यालय", "राजकीय विद्यालय, आमेर"],
]


class UploadForm(forms.Form):
    root = forms.TypedChoiceField(label=gettext_lazy("Import under"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("File (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, roots: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        top = min((unit.depth for unit in roots), default=1)
        self.fields["root"].choices = [
            (unit.pk, "— " * (unit.depth - top) + f"{unit.level.name}: {unit.display_name}") for unit in roots
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UNIT_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s. Split it into smaller files, e.g. one per district.")
                % {"max": filesizeformat(settings.UNIT_IMPORT_MAX_BYTES)}
            )
        return upload


def _root_for_user(user, pk) -> Unit:
    """The unit to import under: 404 outside what the user can see, 403 if they may not import there."""
    if not str(pk).isdecimal():
        raise Http404
    unit = get_unit_for_user(user, int(pk))
    require(user, IMPORT_UNITS, unit)
    return unit


def _root_choices(user, selected: Unit | None) -> list[Unit]:
    """The units where the user may import, and the ones just below them (not every booth)."""
    paths = scope_paths(user, IMPORT_UNITS)
    units = Unit.objects.restrict(user, IMPORT_UNITS).select_related("level")
    if paths is None:
        roots = list(units.filter(depth__lte=2))
    else:
        tops = outermost_paths(paths)
        roots = list(units.filter(Q(path__in=tops) | Q(parent__path__in=tops))) if tops else []
    if selected is not None and all(unit.pk != selected.pk for unit in roots):
        roots.append(selected)
    return sorted(roots, key=lambda unit: unit.path)


def _pending_job(request) -> UnitImportJob | None:
    """The upload this user is checking, if any (its id is in the session)."""
    job_id = request.session.get(SESSION_KEY)
    if not job_id:
        return None
    return (
        UnitImportJob.objects.filter(pk=job_id, created_by=request.user, status__in=PENDING)
        .select_related("root")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    user = request.user
    raw_root = request.POST.get("root") if request.method == "POST" else request.GET.get("root")
    selected = _root_for_user(user, raw_root) if raw_root else None
    if selected is None and not can_anywhere(user, IMPORT_UNITS):
        raise PermissionDenied
    roots = _root_choices(user, selected)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        roots=roots,
        initial={"root": selected.pk} if selected else {},
    )
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        previous = _pending_job(request)
        if previous is not None:
            unit_import_job_cancel(job=previous)
        job = unit_import_job_upload(
            root=selected,
            content=upload_file.read(),
            original_name=upload_file.name,
            by=user,
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
        request.session[SESSION_KEY] = job.pk
        return redirect("org_import:preview")
    return render(
        request,
        "org/import_upload.html",
        {"form": form, "columns": column_help(), "max_bytes": settings.UNIT_IMPORT_MAX_BYTES},
    )


@login_required
@require_GET
def preview(request):
    job = _pending_job(request)
    if job is None:
        return redirect("org_import:upload")
    root = _root_for_user(request.user, job.root_id)
    context = {"report": job_report(job), "root": root, "job": job}
    if request.htmx:
        return render(request, "org/partials/import_preview.html", context)
    return render(request, "org/import_preview.html", context)


@login_required
@require_POST
def confirm(request):
    job = _pending_job(request)
    if job is None:
        return redirect("org_import:upload")
    if request.POST.get("job") != str(job.pk):
        messages.warning(request, _("That preview was for another file. Check this one before importing."))
        return redirect("org_import:preview")
    _root_for_user(request.user, job.root_id)
    try:
        job = unit_import_job_confirm(job=job, by=request.user)
    except OrgError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("org_import:preview")
    request.session.pop(SESSION_KEY, None)
    return redirect("org_import:job", pk=job.pk)


@login_required
@require_POST
def cancel(request):
    job = _pending_job(request)
    if job is not None:
        unit_import_job_cancel(job=job)
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("The import was cancelled; nothing was changed."))
    return redirect("org_import:upload")


def _job_for_user(user, pk) -> UnitImportJob:
    """A job is visible to whoever can see the unit it imports under."""
    return get_object_or_404(UnitImportJob.objects.restrict(user, "view").select_related("root", "root__level"), pk=pk)


def _job_context(job: UnitImportJob) -> dict:
    summary = job.summary or {}
    levels = Level.objects.in_bulk([level_id for level_id, _new, _existing in summary.get("levels", [])])
    rows = [
        LevelCount(levels[level_id], new, existing)
        for level_id, new, existing in summary.get("levels", [])
        if level_id in levels
    ]
    progress = job_progress(job)
    percent = round(100 * progress["done"] / progress["total"]) if progress["total"] else 0
    return {
        "job": job,
        "root": job.root,
        "rows": rows,
        "summary": summary,
        "new_total": sum(row.new for row in rows),
        "existing_total": sum(row.existing for row in rows),
        "progress": progress,
        "percent": percent,
        "stage_label": STAGE_LABELS.get(progress["stage"], _("Waiting to start")),
    }


@login_required
@require_GET
def job(request, pk):
    """The import's page: a progress bar while the task runs, the result when it is done, and "resume"
    for an import that stopped (its worker died) to whoever may import there."""
    job = _job_for_user(request.user, pk)
    context = _job_context(job)
    context["stalled"] = can(request.user, IMPORT_UNITS, job.root) and unit_import_job_stalled(
        job, seconds=settings.SANGATHAN_RESUME_AFTER_SECONDS
    )
    if request.htmx:
        return render(request, "org/partials/import_job_status.html", context)
    return render(request, "org/import_job.html", context)


@login_required
@require_POST
def resume(request, pk):
    """Queue again an import whose worker died (audited); 404 outside the user's view, 403 without the
    right to import there."""
    job = _job_for_user(request.user, pk)
    require(request.user, IMPORT_UNITS, job.root)
    if unit_import_job_resume(job=job, by=request.user):
        messages.success(request, _("The import was queued again."))
    else:
        messages.info(request, _("The import has not stopped: nothing to resume."))
    return redirect("org_import:job", pk=job.pk)


@login_required
@require_GET
def sample(request):
    """A CSV with the usual headings and one example row, to fill in."""
    if not can_anywhere(request.user, IMPORT_UNITS):
        raise PermissionDenied
    buffer = io.StringIO()
    csv.writer(buffer).writerows(SAMPLE_ROWS)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sangathan-units.csv"'
    return response
