"""Lint: views, API views, exports and admin modules read scoped models only through ``restrict``.

A scoped model is one that declares ``scope_rule`` (``sangathan.access.scoping``). In the modules below,
``Model.objects.…`` / ``Model._default_manager.…`` on such a model must have ``.restrict(`` in the same
chain (``Camp.objects.restrict(user, VIEW).filter(…)``), or sit inside a ``get_<x>_for_user`` helper,
the one place a page fetches an object by id (404 outside the scope); ``.none()`` is fine too. Anything else is listed in
``ALLOWED`` with a one-line reason. Read with ``ast``: nothing is imported or run.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

import sangathan

PACKAGE = Path(sangathan.__file__).parent
MANAGERS = {"objects", "_default_manager"}
SCOPED = {"restrict", "none"}  # in the chain: the rows are the user's, or none at all
HELPER = re.compile(r"^get_\w+_for_user$")

# (module path under sangathan/, enclosing function, model): why reading without restrict is right there.
ALLOWED: dict[tuple[str, str, str], str] = {
    # Public pages (no user): they look up by a slug, token or signed id and show only what that grants.
    ("recruitment/views_public.py", "_campaign_or_none", "Campaign"): "public form: the campaign by its public slug",
    (
        "recruitment/views_public.py",
        "places",
        "Unit",
    ): "public type-ahead: a parent id, matches kept inside the campaign",
    ("training/views_public.py", "_camp", "Camp"): "public check-in page: the camp by its secret QR token",
    ("outreach/views_public.py", "_whatsapp_group", "Channel"): "public /m/ page: the group of the signed link's unit",
    ("privacy/views.py", "_subject_data_response", "Application"): "a subject's copy: ids of a subject found in scope",
    # Rows under an object already fetched in scope on the same page.
    ("org/views.py", "unit_detail", "Unit"): "the children of a unit fetched with get_unit_for_user",
    ("planning/views.py", "dashboard", "Unit"): "the children of a unit fetched with get_unit_for_user",
    ("training/views.py", "coverage", "Unit"): "the children of a unit fetched in scope, by ids counted under it",
    ("org/views.py", "dissolve", "Appointment"): "counts of the committee under a unit fetched in scope",
    (
        "controlroom/api/views.py",
        "ActivityReportCreateApi.post",
        "ActivityReport",
    ): "the report the caller's token just wrote for the caller's own key post (re-read for its answer)",
    ("outreach/views.py", "message_detail", "Unit"): "how many units a message in view goes to (a count)",
    ("outreach/views.py", "_tracking", "Unit"): "breadcrumbs between the tracking root and a unit in scope",
    ("audit/views.py", "history", "AuditEntry"): "a deleted object's last entry, for its unit_path, checked next",
    ("org/views_import.py", "_pending_job", "UnitImportJob"): "the uploader's own job, by the id in their session",
    # Admin forms: the instance came through the admin's scoped get_queryset; only superusers write here.
    ("org/admin.py", "UnitAdminForm.call_service", "Unit"): "re-read of the instance the scoped admin loaded",
    ("org/admin.py", "PersonAdminForm.call_service", "Person"): "re-read of the instance the scoped admin loaded",
}


def linted_modules() -> list[Path]:
    """views*.py, api*.py, api/*.py, exports.py and admin.py of every app under sangathan/."""
    found = []
    for path in sorted(PACKAGE.glob("*/**/*.py")):
        relative = path.relative_to(PACKAGE)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        name = relative.name
        if (
            name.startswith(("views", "api"))
            or name in ("exports.py", "admin.py")
            or (len(relative.parts) == 3 and relative.parts[1] == "api")
        ):
            found.append(path)
    return found


def scoped_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if getattr(model, "scope_rule", None) is not None}


def unscoped_reads(source: str, scoped: set[str]) -> list[tuple[int, str, str]]:
    """(line, enclosing function, model) of each read of a scoped model's manager without restrict."""
    tree = ast.parse(source)
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sangathan"):
            for alias in node.names:
                if alias.name in scoped:
                    imported[alias.asname or alias.name] = alias.name
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
        ):
            continue
        chain, top = [], node
        while isinstance(parents.get(top), ast.Attribute | ast.Call):
            parent = parents[top]
            if isinstance(parent, ast.Call) and parent.func is not top:
                break  # ``top`` is an argument of the call, not the thing called
            if isinstance(parent, ast.Attribute):
                chain.append(parent.attr)
            top = parent
        function = _enclosing(node, parents)
        if SCOPED & set(chain) or HELPER.match(function.rsplit(".", 1)[-1]) or _scoped_field(top, parents):
            continue
        found.append((node.lineno, function, imported[node.value.id]))
    return sorted(found)


def _scoped_field(node: ast.AST, parents: dict) -> bool:
    """``ScopedPrimaryKeyRelatedField(queryset=Model.objects.all())``: the field restricts it per request."""
    keyword = parents.get(node)
    call = parents.get(keyword)
    return (
        isinstance(keyword, ast.keyword)
        and keyword.arg == "queryset"
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "ScopedPrimaryKeyRelatedField"
    )


def _enclosing(node: ast.AST, parents: dict) -> str:
    """``name`` for a function, ``Class.method`` for a method, ``<class Name>`` for a class body."""
    scopes = []
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scopes.append(node)
    if not scopes:
        return "<module>"
    qualname = ".".join(scope.name for scope in reversed(scopes))
    return f"<class {qualname}>" if isinstance(scopes[0], ast.ClassDef) else qualname


def test_views_api_exports_and_admin_read_scoped_models_through_restrict():
    scoped = scoped_model_names()
    assert {"Unit", "Person", "Camp", "AuditEntry"} <= scoped
    offences, seen = [], set()
    for path in linted_modules():
        for line, function, model in unscoped_reads(path.read_text(encoding="utf-8"), scoped):
            key = (str(path.relative_to(PACKAGE)), function, model)
            seen.add(key)
            if key not in ALLOWED:
                offences.append(f"sangathan/{key[0]}:{line} {function}: {model}.objects without restrict()")
    assert not offences, "Read scoped models through restrict() or a get_<x>_for_user helper:\n" + "\n".join(offences)
    assert not set(ALLOWED) - seen, f"stale ALLOWED entries: {sorted(set(ALLOWED) - seen)}"


BROKEN = """
from django.shortcuts import get_object_or_404
from sangathan.org.models import Unit as U
from sangathan.training.models import Camp


def camp_detail(request, pk):
    camp = get_object_or_404(Camp.objects.select_related("host_unit"), pk=pk)
    parent = U._default_manager.get(pk=camp.host_unit.parent_id)
    return camp, parent


def camp_list(request):
    return Camp.objects.restrict(request.user, "view").filter(starts_at__isnull=False)


def get_camp_for_user(user, pk):
    return get_object_or_404(Camp.objects.filter(pk__in=panel_ids(user)), pk=pk)


class CampInput(serializers.Serializer):
    camp = ScopedPrimaryKeyRelatedField(queryset=Camp.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=U.objects.all())
"""


def test_the_lint_fires_on_a_broken_view():
    assert unscoped_reads(BROKEN, {"Unit", "Camp"}) == [
        (8, "camp_detail", "Camp"),
        (9, "camp_detail", "Unit"),
        (23, "<class CampInput>", "Unit"),
    ]


@pytest.mark.parametrize(
    "relative, linted",
    [
        ("training/views.py", True),
        ("recruitment/views_staff_review.py", True),
        ("org/api/views.py", True),
        ("channels/api.py", True),
        ("recruitment/exports.py", True),
        ("org/admin.py", True),
        ("org/services.py", False),
        ("org/tests/test_views.py", False),
    ],
)
def test_which_modules_are_linted(relative, linted):
    assert (PACKAGE / relative in linted_modules()) is linted
