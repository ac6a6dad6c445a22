"""Reads of the logins app."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.permissions import MANAGE_ROLES
from sangathan.access.scope import can_anywhere, scope_paths
from sangathan.logins.defaults import default_role
from sangathan.logins.models import Login, LoginInvitation, PostRole
from sangathan.logins.services import post_role_for
from sangathan.org.models import Appointment, Level, Position, Unit
from sangathan.org.paths import subtree_q


@dataclass
class Member:
    """One office-bearer of a committee and where their login stands."""

    appointment: Appointment
    role: str  # the role the post brings ("" for none)
    login: Login | None
    status: str  # "none" | "invited" | "expired" | "active" | "suspended"

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""


def login_status(login: Login | None, now=None) -> str:
    if login is None:
        return "none"
    if login.is_suspended:
        return "suspended"
    if login.user.has_usable_password():
        return "active"
    now = now or timezone.now()
    open_ones = [i for i in login.invitations.all() if i.used_at is None and i.revoked_at is None]
    return "invited" if any(i.expires_at > now for i in open_ones) else "expired"


def committee_logins(unit: Unit) -> list[Member]:
    """The unit's active committee with each member's login (three queries whatever its size)."""
    appointments = list(
        Appointment.objects.filter(unit=unit, status=Appointment.Status.ACTIVE)
        .select_related("person", "position__level")
        .order_by("position__order", "seat")
    )
    logins = {
        login.person_id: login
        for login in Login.objects.filter(person_id__in=[a.person_id for a in appointments])
        .select_related("user")
        .prefetch_related(Prefetch("invitations", queryset=LoginInvitation.objects.order_by("-created_at")))
    }
    now = timezone.now()
    return [
        Member(
            appointment=a,
            role=post_role_for(position=a.position, unit=unit),
            login=logins.get(a.person_id),
            status=login_status(logins.get(a.person_id), now),
        )
        for a in appointments
    ]


def roles_of(login: Login):
    return RoleAssignment.objects.filter(user_id=login.user_id).select_related("unit__level").order_by("unit__path")


def states_managed(user) -> list[Unit]:
    """The states whose posts' roles ``user`` may set."""
    if not can_anywhere(user, MANAGE_ROLES):
        return []
    states = Unit.objects.filter(level__code="state").select_related("level").order_by("name_en", "name_hi")
    paths = scope_paths(user, MANAGE_ROLES)
    if paths is not None:
        states = states.filter(subtree_q(paths))
    return list(states)


@dataclass
class PostRow:
    position: Position
    role: str  # the role in force in this state
    own: bool  # set by the state itself (not the organisation's default)


def post_roles_for_state(state: Unit) -> list[tuple[Level, list[PostRow]]]:
    """Every post of the levels from the state down, with the role it brings in ``state``."""
    own = dict(PostRole.objects.filter(state=state).values_list("position_id", "role"))
    organisation = dict(PostRole.objects.filter(state__isnull=True).values_list("position_id", "role"))
    levels = Level.objects.filter(order__gte=state.level.order).prefetch_related("positions")
    grouped = []
    for level in levels:
        rows = []
        for position in level.positions.all():
            if position.pk in own:
                role = own[position.pk]
            elif position.pk in organisation:
                role = organisation[position.pk]
            else:
                role = default_role(level_code=level.code, position_code=position.code)
            rows.append(PostRow(position=position, role=role, own=position.pk in own))
        grouped.append((level, rows))
    return grouped
