"""What the APIs' filters share: the units and people a filter may name (those in the caller's scope, so an
id outside it is refused like one that does not exist), and ``?within=<unit id>``."""

from django_filters import rest_framework as filters

from sangathan.access.permissions import VIEW
from sangathan.org.models import Person, Unit
from sangathan.org.paths import subtree_q


def units_in_scope(request):
    return Unit.objects.restrict(request.user, VIEW) if request is not None else Unit.objects.none()


def people_in_scope(request):
    return Person.objects.restrict(request.user, VIEW) if request is not None else Person.objects.none()


def within_filter(*, label, field_name: str = "unit", path: str = "unit__path") -> filters.ModelChoiceFilter:
    """``?within=<unit id>``: the rows whose unit (its path in ``path``) is that unit or below it."""

    def filter_within(queryset, name, value):
        return queryset.filter(subtree_q([value.path], path))

    return filters.ModelChoiceFilter(field_name=field_name, queryset=units_in_scope, method=filter_within, label=label)
