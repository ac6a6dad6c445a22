"""The permission matrix: which role may do which action. Enforced only through access.scope."""

from sangathan.access.models import Role

VIEW = "view"
APPOINT = "appoint"  # appoint and relieve office-bearers, edit people
DISSOLVE = "dissolve"  # dissolve and reconstitute committees
MANAGE_UNITS = "manage_units"  # create, rename, move units
IMPORT_UNITS = "import_units"  # bulk import of the unit tree
MANAGE_ROLES = "manage_roles"  # grant roles inside one's scope

ACTIONS = (VIEW, APPOINT, DISSOLVE, MANAGE_UNITS, IMPORT_UNITS, MANAGE_ROLES)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.NATIONAL_ADMIN: frozenset(ACTIONS),
    Role.STATE_ADMIN: frozenset(ACTIONS),
    Role.UNIT_ADMIN: frozenset({VIEW, APPOINT, DISSOLVE, MANAGE_UNITS}),
    Role.VIEWER: frozenset({VIEW}),
}
