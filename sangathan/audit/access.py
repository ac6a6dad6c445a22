"""Who may read the audit trail: holders of ``view_audit`` (national, state and unit admins), for their
subtree. Personal fields are stored masked, so reading the trail reveals no contact details.
"""

from django.utils.functional import SimpleLazyObject

from sangathan.access.permissions import VIEW_AUDIT
from sangathan.access.scope import can_anywhere

READ_AUDIT = VIEW_AUDIT


def may_read_audit(user) -> bool:
    return can_anywhere(user, READ_AUDIT)


def audit_context(request) -> dict:
    """Template context: whether to show the audit log in the sections bar (worked out only if asked)."""
    return {"can_read_audit": SimpleLazyObject(lambda: request.user.is_authenticated and may_read_audit(request.user))}
