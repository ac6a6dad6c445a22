"""The one place that decides what a user may see and do: the union of the subtrees where the
user holds a role granting the action. Querysets filter by it; views and the API ask ``can``."""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sangathan.access.models import RoleAssignment
from sangathan.access.permissions import ROLE_ACTIONS, VIEW
from sangathan.core.paths import outermost_paths

_CACHE_ATTR = "_sangathan_role_paths"


def _role_paths(user) -> list[tuple[str, str]]:
    """(role, unit path) pairs the user holds, read once per request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).values_list("role", "unit__path"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_paths(user, action: str = VIEW) -> list[str] | None:
    """Paths of the subtrees where ``user`` may do ``action``; None means everywhere."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return [path for role, path in _role_paths(user) if action in ROLE_ACTIONS.get(role, ())]


def can(user, action: str, unit) -> bool:
    """May ``user`` do ``action`` on ``unit``?"""
    paths = scope_paths(user, action)
    if paths is None:
        return True
    return any(unit.path.startswith(path) for path in paths)


def can_anywhere(user, action: str, *, within=None) -> bool:
    """Does ``user`` hold ``action`` somewhere (a superuser: everywhere), or somewhere inside the unit
    ``within``? Whether to offer a page or button at all; the unit it acts on is checked with
    ``can``/``require``. No query beyond the roles read once."""
    paths = scope_paths(user, action)
    if paths is None:
        return True
    if within is not None:
        return any(path.startswith(within.path) for path in paths)
    return bool(paths)


def has_any_role(user) -> bool:
    return can_anywhere(user, VIEW)


def require(user, action: str, unit) -> None:
    """404 when the unit is outside what the user may see; 403 when seen but not allowed."""
    if not can(user, VIEW, unit):
        raise Http404
    if not can(user, action, unit):
        raise PermissionDenied


def top_units(user):
    """The highest units the user can see: where their pages start."""
    units = apps.get_model("org", "Unit").objects  # by name: access sits below org
    paths = scope_paths(user, VIEW)
    if paths is None:
        return list(units.filter(depth=1).select_related("level"))
    return list(units.filter(path__in=outermost_paths(paths)).select_related("level").order_by("path"))
