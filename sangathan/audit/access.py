"""Who may read the audit trail: the admins of a unit (national, state and unit admins), for their subtree.

The permission matrix has no action of its own for it (yet); the admins are exactly the holders of
``appoint``, the power to change people's records, so the trail of a subtree is shown to those who
may change it. Personal fields are stored masked, so reading the trail reveals no contact details.
"""

from sangathan.access.permissions import APPOINT
from sangathan.access.scope import scope_paths

READ_AUDIT = APPOINT


def may_read_audit(user) -> bool:
    paths = scope_paths(user, READ_AUDIT)
    return paths is None or bool(paths)


def audit_context(request) -> dict:
    """Template context: whether to show the audit log in the sections bar (worked out only if asked)."""
    from django.utils.functional import SimpleLazyObject

    return {"can_read_audit": SimpleLazyObject(lambda: request.user.is_authenticated and may_read_audit(request.user))}
