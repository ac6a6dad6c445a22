"""Importing office-bearers from a file, under one unit: upload → the worker checks (the page polls) →
preview → confirm → the worker imports (a progress bar) → the result. Thin: every step fetches the unit or
the job in the user's scope (404 outside it) and requires the right to appoint there (403)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.access.permissions import APPOINT
from sangathan.access.scope import require
from sangathan.org.access import get_unit_for_user
from sangathan.org.errors import OrgError
from sangathan.org.models import OfficeBearerImportJob
from sangathan.org.officebearers_import import MAX_BYTES, column_help
from sangathan.org.officebearers_jobs import (
    PENDING,
    job_progress,
    job_report,
    officebearer_import_cancel,
    officebearer_import_confirm,
    officebearer_import_upload,
)

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAGE_LABELS = {
    "read": gettext_lazy("Reading the file"),
    "check": gettext_lazy("Checking rows"),
    "write": gettext_lazy("Appointing"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or Excel .xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s. Split it into smaller files, e.g. one per district.")
                % {"max": filesizeformat(MAX_BYTES)}
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, pk):
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        job = officebearer_import_upload(
            root=unit,
            content=upload_file.read(),
            original_name=upload_file.name,
            by=request.user,
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
        return redirect("org:officebearers_job", pk=job.pk)
    context = {"unit": unit, "form": form, "columns": column_help(), "max_bytes": MAX_BYTES}
    return render(request, "org/officebearers_upload.html", context)


def _job_for_user(user, pk) -> OfficeBearerImportJob:
    """A job is seen by whoever can see the unit it imports under; a pending one only by its uploader."""
    job = get_object_or_404(
        OfficeBearerImportJob.objects.restrict(user, "view").select_related("root", "root__level"), pk=pk
    )
    if job.status in PENDING and job.created_by_id != user.pk:
        raise Http404
    return job


@login_required
@require_GET
def job(request, pk):
    job = _job_for_user(request.user, pk)
    progress = job_progress(job)
    context = {
        "job": job,
        "unit": job.root,
        "report": job_report(job) if job.status in PENDING else None,
        "progress": progress,
        "percent": round(100 * progress["done"] / progress["total"]) if progress["total"] else 0,
        "stage_label": STAGE_LABELS.get(progress["stage"], _("Waiting to start")),
    }
    template = "org/partials/officebearers_job.html" if request.htmx else "org/officebearers_job.html"
    return render(request, template, context)


@login_required
@require_POST
def confirm(request, pk):
    job = _job_for_user(request.user, pk)
    require(request.user, APPOINT, job.root)
    try:
        officebearer_import_confirm(job=job, by=request.user)
    except OrgError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("org:officebearers_job", pk=job.pk)


@login_required
@require_POST
def cancel(request, pk):
    job = _job_for_user(request.user, pk)
    require(request.user, APPOINT, job.root)
    officebearer_import_cancel(job=job)
    messages.info(request, _("The import was cancelled; nothing was changed."))
    return redirect("org:unit", pk=job.root_id)
