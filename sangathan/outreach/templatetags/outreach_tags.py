from django import template
from django.utils.translation import gettext as _

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
