"""Writes of the logins app: roles of posts, an office-bearer's login, invitations, suspension.

Each public function is one transaction and audited: ``PostRole``, ``Login``, ``LoginInvitation``,
``RoleAssignment`` and ``auth.User`` are in ``audit.registry`` (never the secret of a link, never the
password); ending sessions is one bulk entry.

Appointments reach this module only through ``org.hooks`` (registered in ``LoginsConfig.ready``):
``after_appointment`` gives the post's role and sends the invitation, ``after_appointments_ended`` takes
the role away and ends the person's sessions at once, in the transaction of the appointment or relief.
"""

import datetime
import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.permissions import APPOINT, MANAGE_ROLES, ROLE_ACTIONS
from sangathan.access.scope import _role_paths, can, forget_roles
from sangathan.audit.services import audit_bulk_action
from sangathan.core.models import Organisation
from sangathan.logins.defaults import default_role
from sangathan.logins.errors import LoginError
from sangathan.logins.models import GrantedRole, Login, LoginInvitation, LoginSession, PostRole
from sangathan.logins.sessions import sessions_end
from sangathan.notifications.services import notify_person
from sangathan.org.models import Appointment, Person, Position, Unit
from sangathan.verification.models import MobileChallenge
from sangathan.verification.services import challenge_confirm, challenge_send, send_limit_check

logger = logging.getLogger(__name__)

INVITATION_SALT = "sangathan.logins.invitation"
# Roles a state admin may tie to a post of their state: not the national admin's.
ASSIGNABLE_ROLES = tuple(role for role in Role.values if role != Role.NATIONAL_ADMIN)


def invitation_hours() -> int:
    return int(getattr(settings, "LOGIN_INVITATION_HOURS", 72))


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# ---------------------------------------------------------------- which role a post brings


def state_of(unit: Unit) -> Unit | None:
    """The state-level unit at or above ``unit`` (None above the states)."""
    return Unit.objects.filter(path__in=unit.ancestor_paths(), level__code="state").first()


def post_role_for(*, position: Position, unit: Unit) -> str:
    """The role an appointment to ``position`` at ``unit`` brings: the state's own row, else the
    organisation's, else the default (``logins.defaults``); "" for none."""
    state = state_of(unit)
    here = Q(state__isnull=True) | (Q(state=state) if state is not None else Q(pk__in=[]))
    rows: dict[int | None, str] = dict(PostRole.objects.filter(here, position=position).values_list("state_id", "role"))
    if state is not None and state.pk in rows:
        return rows[state.pk]
    if None in rows:
        return rows[None]
    return default_role(level_code=position.level.code, position_code=position.code)


@transaction.atomic
def post_role_set(*, state: Unit, position: Position, role: str, by) -> PostRole:
    """Say which role ``position`` brings in ``state`` ("" for no login). Only a state admin of that state
    (or above) may; the national admin's role is not given by a post."""
    if state.level.code != "state":
        raise LoginError(_("Roles of posts are set for a state."), code="not_a_state")
    if not can(by, MANAGE_ROLES, state):
        raise LoginError(_("You may not change the roles of posts in this state."), code="forbidden")
    if role and role not in ASSIGNABLE_ROLES:
        raise LoginError(_("Choose one of the roles in the list."), code="role_invalid")
    row, _created = PostRole.objects.select_for_update().get_or_create(
        state=state, position=position, defaults={"role": role, "updated_by": _actor(by)}
    )
    if row.role != role:
        row.role, row.updated_by = role, _actor(by)
        row.save(update_fields=["role", "updated_by", "updated_at"])
    return row


def _grantable(by, role: str, unit: Unit) -> bool:
    """May ``by`` hand out ``role`` at ``unit``? Only roles that do no more than ``by`` may do there: a district
    in-charge appointing makes block in-charges, never a state admin. No ``by`` (a command) may."""
    if by is None or by.is_superuser:
        return True
    held: set[str] = set()
    for held_role, path in _role_paths(by):
        if unit.path.startswith(path):
            held |= ROLE_ACTIONS.get(held_role, frozenset())
    return ROLE_ACTIONS.get(role, frozenset()) <= held


# ---------------------------------------------------------------- logins


def _username_for(person: Person) -> str:
    """The mobile number's ten digits (what people type), or ``p<id>`` when that is taken."""
    digits = re.sub(r"\D", "", person.mobile)[-10:]
    users = get_user_model().objects
    if digits and not users.filter(username=digits).exists():
        return digits
    return f"p{person.pk}"


@transaction.atomic
def login_for_person(*, person: Person, by=None) -> tuple[Login, bool]:
    """The person's login, made (without a password: the invitation sets it) when they have none."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    existing = Login.objects.select_related("user").filter(person=person).first()
    if existing is not None:
        return existing, False
    user = get_user_model()(username=_username_for(person), email=person.email or "")
    user.first_name = (person.name_hi or person.name_en)[:150]
    user.set_unusable_password()
    user.save()
    return Login.objects.create(person=person, user=user, created_by=_actor(by)), True


def _grant(*, login: Login, unit: Unit, role: str, appointment: Appointment | None, by) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=login.user, unit=unit, role=role, defaults={"granted_by": _actor(by)}
    )
    if created and appointment is not None:
        GrantedRole.objects.create(appointment=appointment, assignment=assignment)
    forget_roles(login.user)
    return assignment


def after_appointment(*, appointment: Appointment, by) -> None:
    """``org.hooks``: the post's role for the new office-bearer, and their invitation (or, with a password
    already, a message that the new role is theirs). Runs in the appointment's transaction."""
    if not getattr(settings, "LOGIN_INVITATIONS", True):  # off in the test settings but for the tests about it
        return
    appointment = Appointment.objects.select_related("person", "unit", "position__level").get(pk=appointment.pk)
    role = post_role_for(position=appointment.position, unit=appointment.unit)
    if not role:
        return
    if not _grantable(by, role, appointment.unit):
        logger.info("appointment %s: role %s not given (beyond the appointer's own)", appointment.pk, role)
        return
    login, _created = login_for_person(person=appointment.person, by=by)
    if login.is_suspended:
        return
    _grant(login=login, unit=appointment.unit, role=role, appointment=appointment, by=by)
    _invite_or_tell(login=login, unit=appointment.unit, appointment=appointment, by=by)


def _invite_or_tell(*, login: Login, unit: Unit, appointment: Appointment | None, by) -> LoginInvitation | None:
    if login.user.has_usable_password():
        notify_person(
            person=login.person,
            template="login_role",
            context={**_message_context(login, unit), "link": _absolute(reverse("org:unit", args=[unit.pk]))},
            idempotency_key=f"login-role:{login.pk}:{unit.pk}:{appointment.pk if appointment else 'direct'}",
        )
        return None
    invitation, _link = invitation_send(login=login, unit=unit, appointment=appointment, by=by)
    return invitation


def after_appointments_ended(*, appointment_ids: list[int], by) -> None:
    """``org.hooks``: relieved, dissolved or at the end of a term — the roles those appointments gave are
    taken away, their open invitations revoked, and the people's sessions ended at once."""
    grants = list(GrantedRole.objects.filter(appointment_id__in=appointment_ids).select_related("assignment"))
    if not grants:
        return
    user_ids = {grant.assignment.user_id for grant in grants}
    for grant in grants:
        grant.assignment.delete()  # one audited deletion per role (the grant goes with it)
    now = timezone.now()
    LoginInvitation.objects.filter(
        appointment_id__in=appointment_ids, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    _end_sessions(user_ids, by=by)


def _end_sessions(user_ids, *, by) -> int:
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    ended = sessions_end(user_ids=user_ids)
    if ended:
        for login in Login.objects.filter(user_id__in=user_ids).select_related("person"):
            audit_bulk_action(obj=login, what="sessions ended", count=ended, model=LoginSession, by=_actor(by))
    return ended


# ---------------------------------------------------------------- invitations


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _absolute(path: str) -> str:
    return getattr(settings, "SANGATHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _message_context(login: Login, unit: Unit) -> dict:
    organisation = Organisation.objects.first()
    return {
        "name": login.person.name,
        "unit": unit.display_name,
        "username": login.user.username,
        "organisation": organisation.name if organisation else "",
    }


@transaction.atomic
def invitation_send(
    *, login: Login, unit: Unit, appointment: Appointment | None = None, by=None
) -> tuple[LoginInvitation, str]:
    """A new one-time link for ``login`` (earlier open ones stop working), sent through the outbox by every
    channel the person can be reached on. Returns the invitation and the link (for the tests and the CLI)."""
    now = timezone.now()
    LoginInvitation.objects.filter(login=login, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    secret = secrets.token_urlsafe(24)
    invitation = LoginInvitation.objects.create(
        login=login,
        unit=unit,
        appointment=appointment,
        secret_digest=_digest(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=invitation_hours()),
        created_by=_actor(by),
    )
    token = signing.dumps({"i": invitation.pk, "s": secret}, salt=INVITATION_SALT, compress=True)
    link = _absolute(reverse("logins_public:accept", args=[token]))
    notify_person(
        person=login.person,
        template="login_invitation",
        context={**_message_context(login, unit), "link": link, "hours": invitation_hours()},
        idempotency_key=f"login-invitation:{invitation.pk}",
    )
    return invitation, link


def invitation_for_token(token: str, *, at: datetime.datetime | None = None) -> LoginInvitation:
    """The open invitation a link names, or ``LoginError``: tampered, unknown, used, replaced or expired
    all get one answer but the last two (the person should ask for a new link)."""
    now = at or timezone.now()
    invalid = LoginError(_("This link is not valid. Ask the person who appointed you for a new one."), code="invalid")
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=datetime.timedelta(hours=invitation_hours()))
        pk, secret = int(data["i"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise invalid from None
    invitation = LoginInvitation.objects.select_related("login__user", "login__person", "unit").filter(pk=pk).first()
    if invitation is None or not secrets.compare_digest(invitation.secret_digest, _digest(secret)):
        raise invalid
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise LoginError(_("This link has already been used or replaced by a newer one."), code="used")
    if now >= invitation.expires_at:
        raise LoginError(_("This link has expired. Ask for a new one."), code="expired")
    if invitation.login.is_suspended or not invitation.login.user.is_active:
        raise invalid
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> LoginInvitation:
    """Set the password through the link, once. Returns the used invitation (its login's user signs in)."""
    invitation = invitation_for_token(token)
    invitation = LoginInvitation.objects.select_for_update().select_related("login__user", "unit").get(pk=invitation.pk)
    if invitation.used_at is not None or invitation.revoked_at is not None:  # a second tab, the same moment
        raise LoginError(_("This link has already been used or replaced by a newer one."), code="used")
    user = invitation.login.user
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise LoginError(" ".join(error.messages), code="password_weak") from None
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return invitation


@transaction.atomic
def committee_invite(*, unit: Unit, by) -> int:
    """Invite the whole committee of ``unit`` in one action: everyone in a post that brings a role gets it
    (if they lack it) and an invitation (or, with a password, nothing more). Returns how many were sent."""
    if not can(by, APPOINT, unit):
        raise LoginError(_("You may not invite this committee."), code="forbidden")
    sent = 0
    appointments = Appointment.objects.filter(unit=unit, status=Appointment.Status.ACTIVE).select_related(
        "person", "position__level", "unit"
    )
    for appointment in appointments:
        role = post_role_for(position=appointment.position, unit=unit)
        if not role or not _grantable(by, role, unit):
            continue
        login, _created = login_for_person(person=appointment.person, by=by)
        if login.is_suspended:
            continue
        if not GrantedRole.objects.filter(appointment=appointment).exists():
            _grant(login=login, unit=unit, role=role, appointment=appointment, by=by)
        if not login.user.has_usable_password():
            invitation_send(login=login, unit=unit, appointment=appointment, by=by)
            sent += 1
    return sent


# ---------------------------------------------------------------- managing logins


def _require_manage(login: Login, by) -> None:
    if not Login.objects.restrict(by, MANAGE_ROLES).filter(pk=login.pk).exists():
        raise LoginError(_("You may not manage this login."), code="forbidden")


@transaction.atomic
def login_create(*, person: Person, unit: Unit, role: str, by) -> Login:
    """A login for somebody who holds no post that brings one (a trainer from outside the committees, a
    control-room operator): ``role`` at ``unit``, and an invitation. Only a state admin (``MANAGE_ROLES``)
    within their area, and only roles they hold there themselves."""
    if not can(by, MANAGE_ROLES, unit):
        raise LoginError(_("You may not give roles at this unit."), code="forbidden")
    if role not in ASSIGNABLE_ROLES:
        raise LoginError(_("Choose one of the roles in the list."), code="role_invalid")
    if not _grantable(by, role, unit):
        raise LoginError(_("You may not give a role you do not hold yourself."), code="role_beyond")
    login, _created = login_for_person(person=person, by=by)
    if login.is_suspended:
        raise LoginError(_("This login is suspended. Resume it first."), code="suspended")
    _grant(login=login, unit=unit, role=role, appointment=None, by=by)
    _invite_or_tell(login=login, unit=unit, appointment=None, by=by)
    return login


@transaction.atomic
def login_suspend(*, login: Login, by) -> Login:
    """Nobody signs in with this login until it is resumed; every session it has ends now."""
    _require_manage(login, by)
    login = Login.objects.select_for_update().select_related("user").get(pk=login.pk)
    if login.user_id == getattr(by, "pk", None):
        raise LoginError(_("You cannot suspend your own login."), code="self")
    if login.is_suspended:
        return login
    login.suspended_at, login.suspended_by = timezone.now(), _actor(by)
    login.save(update_fields=["suspended_at", "suspended_by"])
    login.user.is_active = False
    login.user.save(update_fields=["is_active"])
    LoginInvitation.objects.filter(login=login, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _end_sessions([login.user_id], by=by)
    return login


@transaction.atomic
def login_resume(*, login: Login, by) -> Login:
    _require_manage(login, by)
    login = Login.objects.select_for_update().select_related("user").get(pk=login.pk)
    if not login.is_suspended:
        return login
    login.suspended_at, login.suspended_by = None, None
    login.save(update_fields=["suspended_at", "suspended_by"])
    login.user.is_active = True
    login.user.save(update_fields=["is_active"])
    return login


@transaction.atomic
def login_reinvite(*, login: Login, by) -> LoginInvitation:
    """A new link (the old one stops working), to the unit of the person's first role in ``by``'s area."""
    _require_manage(login, by)
    if login.is_suspended:
        raise LoginError(_("This login is suspended. Resume it first."), code="suspended")
    assignment = RoleAssignment.objects.filter(user=login.user).select_related("unit").order_by("unit__path").first()
    if assignment is None:
        raise LoginError(_("This login holds no role: give it one first."), code="no_role")
    invitation, _link = invitation_send(login=login, unit=assignment.unit, by=by)
    return invitation


# ---------------------------------------------------------------- signing in with a code to the mobile


def _login_for_mobile(mobile: str) -> Login | None:
    return (
        Login.objects.select_related("user")
        .filter(person__mobile=mobile, suspended_at__isnull=True, user__is_active=True)
        .first()
    )


def sign_in_code_send(*, mobile: str, language: str = "hi", requested_from: str | None = None):
    """Send a sign-in code to ``mobile`` (normalised) when it is an office-bearer's login; None otherwise (the
    page answers the same either way). The code (``verification``: 6 digits, 5 minutes, 5 tries, 3 an hour)
    proves the phone; an admin role still confirms the sign-in with its second factor."""
    send_limit_check(mobile=mobile)  # before the look-up: the limit is the same for every number
    login = _login_for_mobile(mobile)
    if login is None:
        return None
    return challenge_send(
        mobile=mobile,
        purpose=MobileChallenge.Purpose.SIGN_IN,
        subject=f"login:{login.pk}",
        language=language,
        requested_from=requested_from,
    )


def sign_in_code_confirm(*, mobile: str, challenge_id: int | None, code: str):
    """The user whose login ``mobile`` is, once the code sent to it is confirmed; ``VerificationError`` for a
    wrong, used or expired code (and for a number without a login: the same answer)."""
    login = _login_for_mobile(mobile)
    challenge_confirm(
        challenge_id=challenge_id if login is not None else None,
        mobile=mobile if login is not None else "",
        purpose=MobileChallenge.Purpose.SIGN_IN,
        subject=f"login:{login.pk}" if login is not None else "",
        code=code,
    )
    assert login is not None  # without a login there was no code to confirm: challenge_confirm raised
    return login.user
