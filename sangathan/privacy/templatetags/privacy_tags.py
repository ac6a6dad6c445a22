import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def readable_time(value: str | None) -> str:
    """An ISO time of the data copy as people read it: "4 Dec 2026, 00:49" (localised)."""
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return date_format(moment, "j M Y, H:i")


@register.inclusion_tag("privacy/partials/my_data.html", takes_context=True)
def privacy_actions(context, privacy: dict):
    """The applicant's data actions on the status page (consent, download, correct, withdraw and erase),
    from what ``sangathan.privacy.public.privacy_context`` prepared: this tag only draws."""
    return {**privacy, "csrf_token": context.get("csrf_token")}
