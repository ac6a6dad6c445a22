from django import template
from django.urls import reverse

from sangathan.access.personal import may_see_personal_at
from sangathan.access.scope import scope_paths
from sangathan.audit import personal
from sangathan.audit.access import READ_AUDIT
from sangathan.audit.scoping import unit_path_for
from sangathan.org.phones import display_mobile

register = template.Library()


@register.inclusion_tag("audit/partials/personal.html", takes_context=True)
def personal_field(context, obj, field: str, unit=None):
    """``obj``'s ``field`` (mobile, email, age) masked, with a button to reveal it for users who may.

    ``unit``: the page's unit, when every row of a list belongs to it (no query per row).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    value = getattr(obj, field, None)
    label = obj._meta.label_lower
    # No query per row: the button shows where the user may see personal data (at ``unit``, or anywhere
    # when no unit is given); the reveal itself checks the person exactly (403 otherwise).
    revealable = (
        value not in (None, "") and field in personal.REVEALABLE.get(label, ()) and may_see_personal_at(user, unit)
    )
    return {
        "shown": personal.masked(value, field),
        "field": field,
        "reveal_url": reverse("audit:reveal", args=[label, obj.pk, field]) if revealable else "",
    }


@register.simple_tag(takes_context=True)
def personal_text(context, value, field: str, unit=None) -> str:
    """A personal value that is not a person's record (a channel's number): in full for users with
    ``view_personal`` (at ``unit``), masked for everyone else."""
    user = getattr(context.get("request"), "user", None)
    if may_see_personal_at(user, unit):
        return display_mobile(value or "") if field == "mobile" else (value or "")
    return personal.masked(value, field)


@register.inclusion_tag("audit/partials/history_link.html", takes_context=True)
def audit_history_link(context, obj) -> dict:
    """A link to ``obj``'s history, for users who may read the audit trail where it belongs."""
    return {"url": audit_history_url(context, obj)}


@register.simple_tag(takes_context=True)
def audit_history_url(context, obj) -> str:
    """The URL of ``obj``'s history if the user may read the audit trail where it belongs, else ""."""
    user = getattr(context.get("request"), "user", None)
    paths = scope_paths(user, READ_AUDIT)
    path = unit_path_for(obj)
    if paths is None or (path and any(path.startswith(p) for p in paths)):
        return reverse("audit:history", args=[obj._meta.label_lower, obj.pk])
    return ""
