"""The permission matrix: which role may do which action. Enforced only through access.scope."""

from sangathan.access.models import Role

VIEW = "view"
APPOINT = "appoint"  # appoint and relieve office-bearers, edit people
DISSOLVE = "dissolve"  # dissolve and reconstitute committees
MANAGE_UNITS = "manage_units"  # create, rename, move units
IMPORT_UNITS = "import_units"  # bulk import of the unit tree
MANAGE_ROLES = "manage_roles"  # grant roles inside one's scope
MANAGE_CAMPAIGNS = "manage_campaigns"  # open a recruitment drive of one's own (in-charges open sub-campaigns)
MANAGE_TRAINING = "manage_training"  # programmes, camps, invitations, attendance
MANAGE_CHANNELS = "manage_channels"  # register and import a unit's WhatsApp groups and other channels
MANAGE_PLAN = "manage_plan"  # copy and edit plans and their deadlines
SEND_MESSAGES = "send_messages"  # draft and send a message down the tree
APPROVE_MESSAGES = "approve_messages"  # the second pair of eyes on a message before it goes out
VIEW_PERSONAL = "view_personal"  # see mobile numbers, e-mail and age in full (others see them masked)
VIEW_AUDIT = "view_audit"  # read and export the audit trail of one's subtree
VIEW_CONTROL_ROOM = "view_control_room"  # the control-room wall: reporting rates, silent units, top posts
FACT_CHECK = "fact_check"  # the fact-check desk: triage tips, verify and publish claims, answer rumours

ACTIONS = (
    VIEW,
    APPOINT,
    DISSOLVE,
    MANAGE_UNITS,
    IMPORT_UNITS,
    MANAGE_ROLES,
    MANAGE_CAMPAIGNS,
    MANAGE_TRAINING,
    MANAGE_CHANNELS,
    MANAGE_PLAN,
    SEND_MESSAGES,
    APPROVE_MESSAGES,
    VIEW_PERSONAL,
    VIEW_AUDIT,
    VIEW_CONTROL_ROOM,
    FACT_CHECK,
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.NATIONAL_ADMIN: frozenset(ACTIONS),
    Role.STATE_ADMIN: frozenset(ACTIONS),
    # A unit admin does all but reshape the tree in bulk, grant roles, open recruitment drives and publish
    # fact-checks (a verdict goes out in the organisation's name: the desk's people and the state decide it).
    Role.UNIT_ADMIN: frozenset(ACTIONS) - {IMPORT_UNITS, MANAGE_ROLES, MANAGE_CAMPAIGNS, FACT_CHECK},
    Role.RECRUITER: frozenset({VIEW, MANAGE_CAMPAIGNS, VIEW_PERSONAL}),
    Role.INTERVIEWER: frozenset({VIEW}),
    Role.TRAINER: frozenset({VIEW, MANAGE_TRAINING, VIEW_PERSONAL}),
    # The control room watches the subtree's activity and sends alerts down the cascade; the fact-check desk
    # sends its rebuttals the same way (the four-eyes rule of the unit applies to both). The wall is for the
    # control room and the in-charges (unit admins and above), not for every viewer. Claims escalated from a
    # district land with the state control room, so it works on the desk too.
    Role.CONTROL_ROOM: frozenset({VIEW, SEND_MESSAGES, VIEW_CONTROL_ROOM, FACT_CHECK}),
    Role.FACT_CHECKER: frozenset({VIEW, SEND_MESSAGES, FACT_CHECK}),
    Role.VIEWER: frozenset({VIEW}),
}
