"""How long a sign-in lasts and who must prove it with a second factor.

Admin roles (national, state and unit admins, and superusers) hold the keys to thousands of people's
data: they must confirm every sign-in with a TOTP code from an authenticator app (``REQUIRE_2FA``), and
their session ends after 30 idle minutes or 12 hours at most. Everyone else may turn on two-factor sign-in
and keeps a session for longer (a booth volunteer on a shared phone still signs out from the menu).
"""

import datetime

from django.conf import settings
from django_otp import user_has_device

from sangathan.access.models import Role
from sangathan.access.scope import _role_paths

ADMIN_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.STATE_ADMIN, Role.UNIT_ADMIN})


def is_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(role in ADMIN_ROLES for role, _path in _role_paths(user))


# In the session: the user has turned two-factor sign-in on (read at sign-in, and again at most once a minute
# while the session is not verified: SignInPolicyMiddleware).
CHOSE_SECOND_FACTOR = "signin_chose_second_factor"


def needs_two_factor(user, session=None) -> bool:
    """Must this user confirm sign-in with a TOTP code before using the site? Admin roles must
    (``REQUIRE_2FA``); anyone else who turned it on has chosen to, and is held to it."""
    if settings.REQUIRE_2FA and is_admin(user):
        return True
    return bool(session is not None and session.get(CHOSE_SECOND_FACTOR))


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def session_limits(user) -> tuple[datetime.timedelta, datetime.timedelta]:
    """(idle, absolute) lifetime of this user's session."""
    if is_admin(user):
        return settings.ADMIN_SESSION_IDLE, settings.ADMIN_SESSION_MAX
    return settings.SESSION_IDLE, settings.SESSION_MAX
