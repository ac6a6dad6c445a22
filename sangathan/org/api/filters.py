"""What the APIs' filters share: the units and people a filter may name (those in the caller's scope, so an
id outside it is refused like one that does not exist), and ``?within=<unit id>``."""

from django.db.models import Q
from django_filters import rest_framework as filters

from sangathan.access.permissions import VIEW
from sangathan.access.scope import scope_paths
from sangathan.org.models import Level, Person, Unit
from sangathan.org.paths import ancestor_prefixes, subtree_q


def units_in_scope(request):
    return Unit.objects.restrict(request.user, VIEW) if request is not None else Unit.objects.none()


def people_in_scope(request):
    return Person.objects.restrict(request.user, VIEW) if request is not None else Person.objects.none()


def within_filter(*, label, field_name: str = "unit", path: str = "unit__path") -> filters.ModelChoiceFilter:
    """``?within=<unit id>``: the rows whose unit (its path in ``path``) is that unit or below it."""

    def filter_within(queryset, name, value):
        return queryset.filter(subtree_q([value.path], path))

    return filters.ModelChoiceFilter(field_name=field_name, queryset=units_in_scope, method=filter_within, label=label)


def state_visible_q(user, field: str = "state") -> Q:
    """Levels and posts (``field`` their state) the caller may see: the default structure's (no state) and those a
    state added (``org.shaping``) where the caller works in that state, or above it. Another state's own are
    not shown, nor accepted as a filter or an input: they answer like a code that does not exist."""
    paths = scope_paths(user, VIEW)
    if paths is None:  # a superuser
        return Q()
    return (
        Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__path__in": ancestor_prefixes(paths)})
        | subtree_q(paths, f"{field}__path")
    )


def levels_in_scope(request):
    """The levels the caller may name (a callable queryset for filters)."""
    if request is None:
        return Level.objects.none()
    return Level.objects.filter(state_visible_q(request.user))
