"""The audit pages: the searchable log of an admin's area, its CSV export, one object's history, and
revealing one person's personal field (an audited action). Thin: scope, selectors, render."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from sangathan.access.permissions import VIEW
from sangathan.access.personal import may_view_personal
from sangathan.access.scope import scope_paths
from sangathan.audit import personal, presenting, selectors, services
from sangathan.audit.access import READ_AUDIT, may_read_audit
from sangathan.audit.forms import LogFilterForm
from sangathan.audit.models import AuditEntry
from sangathan.audit.registry import MODELS
from sangathan.audit.scoping import unit_path_for
from sangathan.core.exports import csv_response
from sangathan.core.paths import STEPLEN
from sangathan.org.phones import display_mobile

PER_PAGE = 50
EXPORT_MAX_ROWS = 100_000


def _rows(entries):
    entries = list(entries)
    labels = presenting.related_labels(entries)
    return [
        {
            "entry": e,
            "action": presenting.action_label(e),
            "kind": presenting.kind(e),
            "actor": presenting.actor(e),
            "note": presenting.note(e),
            "changes": presenting.changes(e, labels),
        }
        for e in entries
    ]


def _filtered(request):
    if not may_read_audit(request.user):
        raise PermissionDenied
    form = LogFilterForm(request.GET or None, content_types=selectors.audited_content_types())
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    return form, selectors.entries_for_user(request.user, **filters)


@login_required
@require_GET
def log(request):
    form, entries = _filtered(request)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": _rows(page.object_list), "query": query.urlencode()}
    return render(request, "audit/log.html", context)


@login_required
@require_GET
def export_csv(request):
    _form, entries = _filtered(request)
    return csv_response(entries[:EXPORT_MAX_ROWS].iterator(chunk_size=500), presenting.export_columns(), "audit-trail")


def _path_within(user, action: str, path: str) -> bool:
    paths = scope_paths(user, action)
    if paths is None:
        return True
    if path == "":
        return any(len(p) == STEPLEN for p in paths)
    return any(path.startswith(p) for p in paths)


def _audited_model(label: str):
    if label not in {name.lower() for name in MODELS}:
        raise Http404
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None


@login_required
@require_GET
def history(request, label: str, pk: str):
    """Everything recorded about one object. 404 outside the user's view; 403 if seen but not an admin there."""
    model = _audited_model(label)
    content_type = ContentType.objects.get_for_model(model)
    obj = model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is not None:
        path = unit_path_for(obj)
        restrict = getattr(model._default_manager.all(), "restrict", None)
        visible = restrict(request.user, VIEW).filter(pk=obj.pk).exists() if restrict else None
        if visible is None:
            visible = _path_within(request.user, VIEW, path)
        repr_text = str(obj)
    else:  # deleted: its entries say where it belonged
        last = AuditEntry.objects.filter(content_type=content_type, object_pk=str(pk)).order_by("-id").first()
        if last is None:
            raise Http404
        path, repr_text = last.unit_path, last.object_repr
        visible = _path_within(request.user, VIEW, path)
    if not visible:
        raise Http404
    if not _path_within(request.user, READ_AUDIT, path):
        raise PermissionDenied
    entries = selectors.history_for_object(request.user, content_type, pk)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "object_repr": repr_text,
        "kind": str(model._meta.verbose_name),
        "obj": obj,
        "page": page,
        "rows": _rows(page.object_list),
    }
    return render(request, "audit/history.html", context)


@login_required
@require_POST
def reveal(request, label: str, pk: int, field: str):
    """Show one personal field of one person or applicant in full, and record that it was shown."""
    if field not in personal.REVEALABLE.get(label, ()):
        raise Http404
    model = apps.get_model(label)
    obj = get_object_or_404(model.objects.restrict(request.user, VIEW), pk=pk)
    if not may_view_personal(request.user, obj):
        raise PermissionDenied
    value = getattr(obj, field)
    services.audit_reveal(obj=obj, field=field, by=request.user)
    display = display_mobile(value) if field == "mobile" else value
    return render(request, "audit/partials/revealed.html", {"field": field, "value": value, "display": display})
