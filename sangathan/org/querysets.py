"""Scope-aware querysets: ``Model.objects.restrict(user, action)`` returns only what the user may
act on. Every view, API endpoint, export and admin page starts from these."""

from django.db import models
from django.db.models import Exists, OuterRef
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

from sangathan.org.paths import subtree_q


def _scope(user, action: str) -> list[str] | None:
    from sangathan.access.scope import scope_paths

    return scope_paths(user, action)


class UnitQuerySet(MP_NodeQuerySet):
    def subtree(self, unit, include_self: bool = True):
        qs = self.filter(subtree_q([unit.path]))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def restrict(self, user, action: str = "view"):
        paths = _scope(user, action)
        if paths is None:
            return self
        return self.filter(subtree_q(paths))


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    """treebeard's manager (tree-safe delete, path ordering) with the scope-aware queryset."""

    def get_queryset(self):
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class PersonQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """To view (and to see their personal data): people whose home unit, or any appointment (past or
        present), is in the user's scope. To change (or to appoint elsewhere): only people whose home unit
        is in the user's scope."""
        paths = _scope(user, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        if action not in ("view", "view_personal"):
            return self.filter(subtree_q(paths, "home_unit__path"))
        from sangathan.org.models import Appointment

        appointed_in_scope = Appointment.objects.filter(person=OuterRef("pk")).filter(subtree_q(paths, "unit__path"))
        return self.filter(subtree_q(paths, "home_unit__path") | models.Q(Exists(appointed_in_scope)))


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")

    def restrict(self, user, action: str = "view"):
        paths = _scope(user, action)
        if paths is None:
            return self
        return self.filter(subtree_q(paths, "unit__path"))
