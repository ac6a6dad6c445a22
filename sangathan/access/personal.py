"""Who may see personal data (a person's or an applicant's mobile, e-mail and age) unmasked: the one
place that decides it. Pages, the API, exports, the reveal button and the audit trail ask here; how a
value is masked lives in ``org.masking`` and ``audit.personal``.

The rule: ``view_personal`` where the data belongs. For an applicant, the unit they chose on the form;
for a person, their home unit or any unit where they hold (or held) an appointment, as for viewing
(``Person``'s scope rule). A page about one unit (a camp's roll call, a message's tracking) asks for
that unit: every row on it belongs there.
"""

from sangathan.access.permissions import VIEW, VIEW_PERSONAL
from sangathan.access.scope import can, can_anywhere, scope_paths


def personal_unit(obj):
    """The unit whose ``view_personal`` decides for ``obj`` (a person's home, an applicant's chosen unit)."""
    return getattr(obj, "home_unit", None)


def may_see_personal_at(user, unit=None) -> bool:
    """Does ``user`` hold ``view_personal`` at ``unit`` (or anywhere, without a unit)? No query."""
    if user is None:
        return False
    if unit is not None:
        return can(user, VIEW_PERSONAL, unit)
    return can_anywhere(user, VIEW_PERSONAL)


def covers_view_scope(user) -> bool:
    """True when ``user`` may see personal data wherever they may see anything (the usual case: their
    roles all carry ``view_personal``, or none of them is narrower). No query."""
    personal_paths = scope_paths(user, VIEW_PERSONAL)
    if personal_paths is None:
        return True
    view_paths = scope_paths(user, VIEW) or []
    return bool(personal_paths) and all(any(v.startswith(p) for p in personal_paths) for v in view_paths)


def personal_visible_ids(user, people) -> set[int] | None:
    """Of ``people`` (Person rows), the ids whose personal data ``user`` may see; None means all. One query
    at most: ``Person.objects.restrict(user, "view_personal")``."""
    if covers_view_scope(user):
        return None  # ``people`` come from the user's view scope, all of it within their personal scope
    ids = [p.pk for p in people]
    if not ids or not can_anywhere(user, VIEW_PERSONAL):
        return set()
    visible = people[0]._meta.model._default_manager.restrict(user, VIEW_PERSONAL)
    return set(visible.filter(pk__in=ids).values_list("pk", flat=True))


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
