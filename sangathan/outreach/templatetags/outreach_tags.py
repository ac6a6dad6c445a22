from django import template
from django.utils.translation import gettext as _

from sangathan.outreach import drives

register = template.Library()


@register.filter
def duration_short(seconds):
    """1234 → "20 min"; 7200 → "2 h"; "—" stays."""
    if not isinstance(seconds, int):
        return seconds
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)d min") % {"n": seconds // 60}
    if seconds < 48 * 3600:
        return _("%(h)d h %(m)d min") % {"h": seconds // 3600, "m": seconds % 3600 // 60}
    return _("%(n)d days") % {"n": seconds // 86400}


@register.inclusion_tag("outreach/drives/partials/wall_card.html", takes_context=True)
def trend_drives_card(context, unit):
    """The control-room wall's block of live trend drives around ``unit`` (read only, in the viewer's scope)."""
    return {"live_drives": drives.live_drives(context["request"].user, unit), "definition": drives.counter().definition}
