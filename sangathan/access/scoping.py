"""Scope, declared once per model and enforced in one ``restrict``.

A model tied to a unit says where its unit is, in one line, and builds its default manager on
``ScopedQuerySet``::

    class Camp(models.Model):
        ...
        scope_rule = ScopeRule("host_unit__path")
        objects = ScopedManager()  # or SomeQuerySet.as_manager(), SomeQuerySet subclassing ScopedQuerySet

``Camp.objects.restrict(user, action)`` then returns the camps whose host unit lies in a subtree where
the user may do ``action``: everything for a superuser, nothing for a user without such a role, and
otherwise the union of those subtrees (an indexed range on the path, ``core.paths.subtree_q``).

What differs between models is data on the rule, not code per model:

* ``also``: another unit path that grants some actions too (a person is seen where they hold any
  appointment, not only where they live);
* ``from_above``: rows whose unit lies above one of the user's units are seen too (a district in-charge
  sees the state campaign; sent messages that came down to the user's area);
* ``base``: a filter every read starts from, superusers included (the plan template is no plan);
* ``unitless``: rows that belong to no unit, seen only by users whose scope is a whole tree (a role at
  a root unit), e.g. audit entries about accounts and levels; ``unitless_depth=2`` lets roles one
  level down (a state) see them too (tips of no known place);
* ``shared``: rows that belong to no unit and are meant for everyone, seen by every user who may do the
  action somewhere (a national fact-check is read in every district).

``sangathan.access.checks`` refuses to start when a model tied to a unit declares no rule and is not on
its explicit, commented allow-list; ``access/tests/test_scope_lint.py`` fails when a view, API view,
export or admin module reads a scoped model without ``restrict``.

This module imports nothing from ``org``: ``org.models`` builds on it.
"""

from dataclasses import dataclass
from typing import Self

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Exists, ForeignObjectRel, OuterRef, Q

from sangathan.access.permissions import VIEW
from sangathan.access.scope import scope_paths
from sangathan.core.paths import STEPLEN, ancestor_prefixes, subtree_q


@dataclass(frozen=True)
class Also:
    """Another path to a unit that grants ``actions`` too. A path through a reverse foreign key (e.g.
    ``appointments__unit__path``) is tested with EXISTS, so a row never comes back twice."""

    path: str
    actions: tuple[str, ...] = (VIEW,)


@dataclass(frozen=True)
class FromAbove:
    """For ``actions``, rows whose unit is an ancestor of one of the user's units are seen too, when
    they match ``when`` (None: all of them)."""

    actions: tuple[str, ...] = (VIEW,)
    when: Q | None = None


@dataclass(frozen=True)
class Shared:
    """Rows matching ``when`` (rows of no unit) are seen by every user with some scope for ``actions``."""

    when: Q
    actions: tuple[str, ...] = (VIEW,)


@dataclass(frozen=True)
class ScopeRule:
    """Where a model's unit is (``path``: the lookup to the unit's materialised path) and the variants
    above. Declared on the model as ``scope_rule``; read only by ``ScopedQuerySet.restrict``."""

    path: str
    also: Also | None = None
    from_above: FromAbove | None = None
    base: Q | None = None
    unitless: Q | None = None
    unitless_depth: int = 1  # the deepest level (1: the root) whose roles see the unitless rows
    shared: Shared | None = None

    def condition(self, model: type[models.Model], paths: list[str], action: str) -> Q:
        """The filter for a user whose scope for ``action`` is the (non-empty) subtrees at ``paths``."""
        condition = subtree_q(paths, self.path)
        if self.also is not None and action in self.also.actions:
            condition |= _also_condition(model, self.also.path, paths)
        if self.from_above is not None and action in self.from_above.actions:
            above = Q(**{f"{self.path}__in": ancestor_prefixes(paths)})
            if self.from_above.when is not None:
                above &= self.from_above.when
            condition |= above
        if self.unitless is not None and any(len(path) <= STEPLEN * self.unitless_depth for path in paths):
            condition |= self.unitless
        if self.shared is not None and action in self.shared.actions:
            condition |= self.shared.when
        return condition


def _also_condition(model: type[models.Model], path: str, paths: list[str]) -> Q:
    relation, _, rest = path.partition("__")
    field = model._meta.get_field(relation)
    if field.many_to_many:
        raise ImproperlyConfigured(f"{model._meta.label}: Also({path!r}) goes through a many-to-many relation")
    if not field.one_to_many or not isinstance(field, ForeignObjectRel):
        return subtree_q(paths, path)
    # A reverse foreign key: EXISTS (… WHERE fk = outer.pk AND path in scope), one row per outer row.
    related = field.related_model._base_manager.filter(**{field.field.name: OuterRef("pk")})
    return Q(Exists(related.filter(subtree_q(paths, rest))))


def scope_rule_of(model: type[models.Model]) -> ScopeRule:
    rule = getattr(model, "scope_rule", None)
    if not isinstance(rule, ScopeRule):
        raise ImproperlyConfigured(f"{model._meta.label} has a scoped manager but declares no scope_rule")
    return rule


class ScopedQuerySet(models.QuerySet):
    """The base of every scoped model's default queryset. Subclass it to add other methods
    (``AppointmentQuerySet.active()``)."""

    def restrict(self, user, action: str = VIEW) -> Self:
        """The rows ``user`` may do ``action`` on (see the module docstring)."""
        rule = scope_rule_of(self.model)
        rows = self if rule.base is None else self.filter(rule.base)
        paths = scope_paths(user, action)
        if paths is None:
            return rows
        if not paths:
            return rows.none()
        return rows.filter(rule.condition(self.model, paths, action))


# Named first: django-stubs types a manager built by from_queryset only in an assignment.
_ScopedManagerBase = models.Manager.from_queryset(ScopedQuerySet)


class ScopedManager(_ScopedManagerBase):
    """The default manager of a scoped model without a queryset of its own."""
