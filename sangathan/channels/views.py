"""Staff pages of the channel registry. Thin: fetch in scope, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.access.permissions import MANAGE_CHANNELS, VIEW
from sangathan.access.scope import can, require
from sangathan.channels import selectors, services
from sangathan.channels.activity_files import MAX_BYTES as ACTIVITY_MAX_BYTES
from sangathan.channels.forms import (
    ActivityUploadForm,
    AreaFilterForm,
    ChannelForm,
    CredentialForm,
    ReasonForm,
    UploadForm,
    VerifyForm,
)
from sangathan.channels.import_jobs import channel_import_confirm, channel_import_upload
from sangathan.channels.importing import MAX_BYTES, ImportReport, column_help
from sangathan.channels.links import ChannelError
from sangathan.channels.models import Channel, ChannelCredential, ChannelImport, Platform
from sangathan.channels.platforms import adapter_for
from sangathan.org.access import get_unit_for_user, start_page
from sangathan.org.errors import OrgError
from sangathan.org.models import Level
from sangathan.org.phones import display_mobile
from sangathan.org.selectors import unit_ancestors

PER_PAGE = 50
MISSING_SHOWN = 30
UPLOAD_MAX_BYTES = MAX_BYTES
NUMBERS_DAYS = 30


def get_channel_for_user(user, pk) -> Channel:
    return get_object_or_404(Channel.objects.restrict(user, VIEW).select_related("unit", "unit__level"), pk=pk)


_ERROR_FIELDS = (
    ("link", "link"),
    ("broadcast", "link"),
    ("owner_mobile", "owner_mobile"),
    ("name", "name"),
    ("member_count", "member_count"),
    ("created_on", "created_on"),
    ("admin", "admin_mobiles"),
)


def _field_for(code: str | None, form) -> str | None:
    """The form field a service error is about (shown next to it), or None for the top of the form."""
    for prefix, field_name in _ERROR_FIELDS:
        if (code or "").startswith(prefix) and field_name in form.fields:
            return field_name
    return None


def _crumbs(user, unit):
    return [a for a in unit_ancestors(unit) if can(user, VIEW, a)]


@login_required
def index(request):
    return start_page(request, unit_route="channels:area", template="channels/index.html")


@login_required
def unit_channels(request, pk):
    """The channels of one unit, with removed ones as history."""
    unit = get_unit_for_user(request.user, pk)
    order = {value: i for i, value in enumerate(Platform.values)}
    channels = sorted(
        selectors.channels_of_unit(unit, include_inactive=True), key=lambda c: (order.get(c.platform, 99), c.name)
    )
    return render(
        request,
        "channels/unit.html",
        {
            "unit": unit,
            "ancestors": _crumbs(request.user, unit),
            "active": [c for c in channels if c.is_active],
            "removed": [c for c in channels if not c.is_active],
            "can_manage": can(request.user, MANAGE_CHANNELS, unit),
            "today": timezone.localdate(),
        },
    )


@login_required
def area(request, pk):
    """Every channel in a unit's subtree, with filters, counts per platform and the booths still missing one."""
    unit = get_unit_for_user(request.user, pk)
    form = AreaFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    level = filters.get("level")
    platform = filters.get("platform", "")
    channels = selectors.channels_in_subtree(
        request.user, unit, level=level, platform=platform, query=(filters.get("q") or "").strip()
    )
    page = Paginator(channels, PER_PAGE).get_page(request.GET.get("page"))
    booth = Level.objects.filter(code="booth").first()
    essentials = None
    missing = []
    if booth is not None and booth.order > unit.level.order:
        essentials = selectors.booth_essentials(unit, booth)
        if essentials["missing"]:
            missing = list(selectors.units_missing_platforms(unit, booth)[:MISSING_SHOWN])
    counts = selectors.platform_counts(unit, level=level)
    top = max([row.channels for row in counts] + [1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "channels/area.html",
        {
            "unit": unit,
            "ancestors": _crumbs(request.user, unit),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [(row, round(100 * row.channels / top)) for row in counts],
            "essentials": essentials,
            "booth_level": booth,
            "missing": missing,
            "can_manage": can(request.user, MANAGE_CHANNELS, unit),
        },
    )


def _managed_channel(request, pk, *, removed: str = "") -> Channel | HttpResponse:
    """The channel, if the user sees it (else 404) and manages channels at its unit (else 403). With ``removed``,
    a removed channel is refused: that is said, and the answer is the way back to its unit's page."""
    channel = get_channel_for_user(request.user, pk)
    require(request.user, MANAGE_CHANNELS, channel.unit)
    if removed and not channel.is_active:
        messages.info(request, removed)
        return redirect("channels:unit", pk=channel.unit_id)
    return channel


def _channel_fields(user, data: dict) -> dict:
    """What registering and changing a channel both take from the form (the admins found by number)."""
    admins, others = selectors.admins_from_mobiles(user, data["admin_mobiles"])
    return {
        "name": data["name"],
        "link": data["link"],
        "owner_mobile": data["owner_mobile"],
        "admins": admins,
        "other_admin_mobiles": others,
        "member_count": data["member_count"],
        "created_on": data["created_on"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def register(request, pk):
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_CHANNELS, unit)
    initial = {"platform": request.GET.get("platform", "")}
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = services.channel_register(
                unit=unit, platform=data["platform"], **_channel_fields(request.user, data), by=request.user
            )
        except ChannelError as error:
            form.add_error(_field_for(error.code, form), error)
        else:
            messages.success(request, _("%(channel)s registered.") % {"channel": channel})
            return redirect("channels:unit", pk=unit.pk)
    return render(
        request, "channels/form.html", {"unit": unit, "form": form, "title": _("Register a channel"), "channel": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    channel = _managed_channel(request, pk, removed=_("This channel has been removed; it cannot be changed."))
    if isinstance(channel, HttpResponse):
        return channel
    mobiles = [p.mobile for p in channel.admins.all()] + list(channel.other_admin_mobiles)
    initial = {
        "name": channel.name,
        "link": channel.link,
        "owner_mobile": display_mobile(channel.owner_mobile) if channel.owner_mobile else "",
        "admin_mobiles": ", ".join(display_mobile(m) for m in mobiles),
        "member_count": channel.member_count,
        "created_on": channel.created_on,
    }
    form = ChannelForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(
                channel=channel, **_channel_fields(request.user, form.cleaned_data), by=request.user
            )
        except ChannelError as error:
            form.add_error(_field_for(error.code, form), error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("channels:unit", pk=channel.unit_id)
    return render(
        request,
        "channels/form.html",
        {
            "unit": channel.unit,
            "form": form,
            "title": _("Change %(channel)s") % {"channel": channel},
            "channel": channel,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deactivate(request, pk):
    channel = _managed_channel(request, pk, removed=_("This channel has already been removed."))
    if isinstance(channel, HttpResponse):
        return channel
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_deactivate(channel=channel, reason=form.cleaned_data["reason"], by=request.user)
        except ChannelError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("%(channel)s removed. It stays in the history.") % {"channel": channel})
            return redirect("channels:unit", pk=channel.unit_id)
    return render(request, "channels/deactivate.html", {"channel": channel, "form": form})


@login_required
@require_POST
def verify(request, pk):
    channel = _managed_channel(request, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The member count must be a whole number."))
    else:
        try:
            services.channel_verify(channel=channel, member_count=form.cleaned_data["member_count"], by=request.user)
        except ChannelError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("%(channel)s marked as checked today.") % {"channel": channel})
    return redirect("channels:unit", pk=channel.unit_id)


# ---------------------------------------------------------------- import


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk):
    """Take the file and hand it to the worker: nothing of it is read in the web request."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_CHANNELS, unit)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            form.add_error("file", _("The file is too large. Split it, e.g. one file per assembly constituency."))
        else:
            job = channel_import_upload(
                root=unit,
                content=upload.read(),
                original_name=upload.name,
                by=request.user,
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
            return redirect("channels:import_preview", pk=job.pk)
    return render(request, "channels/import_upload.html", {"unit": unit, "form": form, "columns": column_help()})


def _get_import(request, pk) -> ChannelImport:
    """An import job: only its uploader sees it, and only while they may still manage channels there."""
    jobs = ChannelImport.objects.restrict(request.user, VIEW).select_related("root", "root__level")
    job = get_object_or_404(jobs, pk=pk, created_by=request.user)
    require(request.user, MANAGE_CHANNELS, job.root)
    return job


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    """The job's page: progress while the worker checks or imports (polled), then the preview with the
    confirm button, then the outcome. POST confirms a checked file."""
    job = _get_import(request, pk)
    if request.method == "POST":
        if job.status == ChannelImport.Status.CHECKED:
            try:
                job = channel_import_confirm(job=job, by=request.user)
            except OrgError as error:
                messages.error(request, " ".join(error.messages))
            else:
                if job.status == ChannelImport.Status.IMPORTED:  # the embedded mode ran it on commit
                    summary = job.summary
                    messages.success(
                        request,
                        _("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
                        % {key: sum((summary.get(key) or {}).values()) for key in ("new", "updated", "unchanged")},
                    )
                    return redirect("channels:area", pk=job.root_id)
                return redirect("channels:import_preview", pk=job.pk)
        elif job.status == ChannelImport.Status.IMPORTED:
            messages.info(request, _("This file has already been imported."))
    if job.status == ChannelImport.Status.IMPORTED and not request.htmx:
        return render(request, "channels/import_done.html", {"job": job, "unit": job.root})
    report = ImportReport.from_digest(root=job.root, data=job.report) if job.report else None
    context = {"job": job, "unit": job.root, "report": report}
    if request.htmx:
        return render(request, "channels/partials/import_job.html", context)
    return render(request, "channels/import_preview.html", context)


# ---------------------------------------------------------------- official accounts' numbers


@login_required
def numbers(request, pk, *, upload_form=None, result=None):
    """An official account's page: its followers over the last 30 days as bars, the days' numbers with their
    source and when they were last updated, its API access and the upload of an export file (for those who
    manage the unit's channels)."""
    channel = get_channel_for_user(request.user, pk)
    snapshots = selectors.snapshots_of_channel(channel, days=NUMBERS_DAYS)
    can_manage = can(request.user, MANAGE_CHANNELS, channel.unit)
    credential = ChannelCredential.objects.restrict(request.user, VIEW).filter(channel=channel).first()
    return render(
        request,
        "channels/numbers.html",
        {
            "channel": channel,
            "unit": channel.unit,
            "ancestors": _crumbs(request.user, channel.unit),
            "bars": selectors.follower_bars(snapshots),
            "rows": list(reversed(snapshots)),
            "latest": max(snapshots, key=lambda s: s.updated_at) if snapshots else None,
            "days": NUMBERS_DAYS,
            "credential": credential,
            "has_api": adapter_for(channel.platform) is not None,
            "can_manage": can_manage,
            "form": CredentialForm(initial={"account_id": credential.account_id if credential else ""})
            if can_manage
            else None,
            "upload_form": upload_form or (ActivityUploadForm() if can_manage else None),
            "result": result,
        },
    )


@login_required
@require_POST
def api_access(request, pk):
    channel = _managed_channel(request, pk, removed=_("This channel has been removed; it cannot be changed."))
    if isinstance(channel, HttpResponse):
        return channel
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            services.credential_set(
                channel=channel,
                account_id=form.cleaned_data["account_id"],
                token=form.cleaned_data["token"],
                by=request.user,
            )
        except ChannelError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("API access saved. The numbers are read in the next daily run."))
    else:
        messages.error(request, _("Give the account id and the access token."))
    return redirect("channels:numbers", pk=channel.pk)


@login_required
@require_POST
def api_access_remove(request, pk):
    channel = _managed_channel(request, pk)
    try:
        services.credential_remove(channel=channel, by=request.user)
    except ChannelError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("API access removed. The numbers already read stay."))
    return redirect("channels:numbers", pk=channel.pk)


@login_required
@require_POST
def numbers_import(request, pk):
    """An export file of the account's daily numbers: read here (at most 5 MB and 5,000 rows, an .xlsx checked
    for zip bombs before it is opened), all rows or none. Problems are listed by row on the page."""
    channel = _managed_channel(request, pk, removed=_("This channel has been removed; it cannot be changed."))
    if isinstance(channel, HttpResponse):
        return channel
    form = ActivityUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return numbers(request, pk, upload_form=form)
    upload = form.cleaned_data["file"]
    if upload.size > ACTIVITY_MAX_BYTES:
        form.add_error("file", _("The file is larger than %(max)d MB.") % {"max": ACTIVITY_MAX_BYTES // (1024 * 1024)})
        return numbers(request, pk, upload_form=form)
    try:
        result = services.snapshots_import(
            channel=channel, data=upload.read(), by=request.user, followers_on_last_day=form.cleaned_data["followers"]
        )
    except ChannelError as error:
        messages.error(request, error.messages[0])
        return redirect("channels:numbers", pk=channel.pk)
    if not result.ok:
        return numbers(request, pk, upload_form=form, result=result)
    messages.success(
        request,
        _("%(days)d days imported: %(new)d new, %(changed)d updated.")
        % {"days": len(result.file.days), "new": result.made, "changed": result.changed},
    )
    return redirect("channels:numbers", pk=channel.pk)
