"""Template filters of the fact-check desk's pages (reads only, no query)."""

from django import template

from sangathan.factcheck.models import Tip
from sangathan.factcheck.reported import Origin, origin_of

register = template.Library()


@register.filter
def tip_origin(tip: Tip) -> Origin | None:
    """Which personal link a tip was reported from and where the office-bearer saw it (``reported``): the
    tip's own columns, read without a query."""
    return origin_of(tip)
