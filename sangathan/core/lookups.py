"""Out-of-range integers in queries find nothing instead of crashing.

Django (5.0+) already answers ``filter(pk=10**40)`` with an empty result instead of sending a number the
database cannot hold. It does not for ``__in`` (``pk__in=[10**40]``, what ``ModelMultipleChoiceField``
runs) nor for foreign keys (``filter(unit=10**40)``, ``filter(unit_id__in=...)``): SQLite raised
OverflowError and PostgreSQL an error of its own, a 500 for a 40-digit id typed into any form, API body or
query string. These lookups, registered once at start-up (``CoreConfig.ready``), give the same answer
Django gives for ``exact``: such an id is simply not there, so forms say "Select a valid choice", the API
says "object does not exist" and pages 404. One rule for every form, serializer, filter and view.
"""

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def integer_range(field, connection) -> tuple[int | None, int | None] | None:
    """(min, max) the database holds for ``field`` (a foreign key: its target's), or None if not an integer."""
    seen = 0
    while getattr(field, "is_relation", False) and getattr(field, "target_field", None) is not None and seen < 5:
        field, seen = field.target_field, seen + 1
    if not isinstance(field, models.IntegerField):
        return None
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return None


def _out_of_range(value, bounds) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    low, high = bounds
    return (low is not None and value < low) or (high is not None and value > high)


class _InRangeOnly:
    """``__in``: values the column cannot hold are left out; none left is an empty result."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            bounds = integer_range(self.lhs.output_field, connection)
            if bounds is not None:
                self.rhs = [value for value in self.rhs if not _out_of_range(value, bounds)]
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_InRangeOnly, In):
    pass


class RangeCheckedRelatedIn(_InRangeOnly, RelatedIn):
    pass


class RangeCheckedRelatedExact(RelatedExact):
    """``fk=value``: a value the column cannot hold matches nothing (as Django's IntegerFieldExact)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            bounds = integer_range(self.lhs.output_field, connection)
            if bounds is not None and _out_of_range(self.rhs, bounds):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register() -> None:
    models.IntegerField.register_lookup(IntegerFieldIn)
    ForeignObject.register_lookup(RangeCheckedRelatedIn)
    ForeignObject.register_lookup(RangeCheckedRelatedExact)
