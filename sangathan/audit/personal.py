"""Personal data (mobile, e-mail, age) on pages, the API and exports: masked unless the user may see it.

Users without ``view_personal`` at the person's unit see the masked form only. Users with it also see
the masked form first and reveal one person's value with a click (``audit:reveal``); each reveal is
an audit entry. The API and exports give the full value to users with ``view_personal`` (they asked
for the data deliberately) and the masked one to everyone else.
"""

from sangathan.access.permissions import VIEW, VIEW_PERSONAL
from sangathan.access.scope import can, scope_paths
from sangathan.org.masking import age_band, mask_email, mask_mobile
from sangathan.org.paths import subtree_q

MASKS = {"mobile": mask_mobile, "email": mask_email, "age": age_band}
REVEALABLE = {"org.person": ("mobile", "email"), "recruitment.application": ("mobile", "email", "age")}


def masked(value, field: str) -> str:
    return MASKS[field](value)


def personal_unit(obj):
    """The unit whose ``view_personal`` decides for ``obj`` (a person's home, an applicant's chosen unit)."""
    return getattr(obj, "home_unit", None)


def may_reveal_somewhere(user, unit=None) -> bool:
    """Does ``user`` hold ``view_personal`` at ``unit`` (or anywhere, without a unit)? No query."""
    if user is None:
        return False
    if unit is not None:
        return can(user, VIEW_PERSONAL, unit)
    paths = scope_paths(user, VIEW_PERSONAL)
    return paths is None or bool(paths)


def covers_view_scope(user) -> bool:
    """True when ``user`` may see personal data wherever they may see anything (the usual case: their
    roles all carry ``view_personal``, or none of them is narrower). No query."""
    personal_paths = scope_paths(user, VIEW_PERSONAL)
    if personal_paths is None:
        return True
    view_paths = scope_paths(user, VIEW) or []
    return bool(personal_paths) and all(any(v.startswith(p) for p in personal_paths) for v in view_paths)


def personal_visible_ids(user, people) -> set[int] | None:
    """Of ``people`` (Person rows), the ids whose personal data ``user`` may see; None means all. One query.

    A person counts as in scope through their home unit or any of their appointments, as for viewing.
    """
    from django.db.models import Exists, OuterRef

    from sangathan.org.models import Appointment, Person

    if covers_view_scope(user):
        return None  # ``people`` come from the user's view scope, all of it within their personal scope
    paths = scope_paths(user, VIEW_PERSONAL)
    ids = [p.pk for p in people]
    if not paths or not ids:
        return set()
    appointed = Appointment.objects.filter(person=OuterRef("pk")).filter(subtree_q(paths, "unit__path"))
    condition = subtree_q(paths, "home_unit__path") | Exists(appointed)
    return set(Person.objects.filter(pk__in=ids).filter(condition).values_list("pk", flat=True))


def may_view_personal(user, obj, unit=None) -> bool:
    """May ``user`` see ``obj``'s personal data in full? ``unit`` (the page's unit, when the object
    belongs to it) saves the query on lists."""
    paths = scope_paths(user, VIEW_PERSONAL)
    if paths is None:
        return True
    if not paths:
        return False
    if unit is not None and can(user, VIEW_PERSONAL, unit):
        return True
    if obj._meta.label_lower == "org.person":
        visible = personal_visible_ids(user, [obj])
        return visible is None or obj.pk in visible
    home = personal_unit(obj)
    return home is not None and can(user, VIEW_PERSONAL, home)
