"""Querysets of the organisation's models. Scope comes from ``sangathan.access.scoping``: each model
declares its ``scope_rule`` and ``Model.objects.restrict(user, action)`` returns only what the user may
act on. Every view, API endpoint, export and admin page starts from these."""

from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

from sangathan.access.scoping import ScopedQuerySet
from sangathan.core.paths import subtree_q


class UnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def subtree(self, unit, include_self: bool = True):
        qs = self.filter(subtree_q([unit.path]))
        return qs if include_self else qs.exclude(pk=unit.pk)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    """treebeard's manager (tree-safe delete, path ordering) with the scope-aware queryset."""

    def get_queryset(self):
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class AppointmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status="active")
