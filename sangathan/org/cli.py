"""What the management commands of several apps share about the tree."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from sangathan.org.models import Unit


def unit_from_argument(value: str) -> Unit:
    """The unit a command's ``--root`` names: its id, or its short code (e.g. RJ) when exactly one unit has it."""
    units = Unit.objects.select_related("level")
    if value.isdecimal() and len(value) < 19:
        found = units.filter(pk=int(value)).first()
        if found is None:
            raise CommandError(_("No unit with id %(id)s.") % {"id": value})
        return found
    matches = list(units.filter(code__iexact=value)[:2])
    if len(matches) != 1:
        message = _("No unit has the code %(code)s.") if not matches else _("Several units have the code %(code)s.")
        raise CommandError((message + " " + _("Give the unit id instead.")) % {"code": value})
    return matches[0]
