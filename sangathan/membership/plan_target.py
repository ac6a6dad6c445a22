"""The membership target as a milestone of the plan (issue 15: "a target per booth, configurable, and a
milestone in the plan").

Registered with planning's kinds (``planning.kinds``) from ``MembershipConfig.ready`` as ``members``: a unit
meets it when the verified members of its subtree reach ``MEMBERSHIP_TARGET_PER_BOOTH`` for each booth in it
(a booth: the target itself; an assembly of 250 booths: 250 times it; a unit without booths never). Only
verified members count, as everywhere (``COUNTED``: verified and active).

The measure is read from counters, never by counting members: the unit's ``MemberCounter`` row (kept in the
writers' transactions, ``membership.counters``) against the booths from ``org.CoverageCounter``, as the
membership pages do (``selectors.booths_by_unit``). The plan's refresh evaluates it as one ``EXISTS`` per unit
on the counters' unique indexes inside its ``INSERT … SELECT``, for all units of a level at once.
"""

from django.utils.translation import gettext_lazy as _

from sangathan.membership.models import MemberCounter
from sangathan.membership.selectors import BOOTH, target_per_booth
from sangathan.org.models import CoverageCounter, Level
from sangathan.planning.kinds import MilestoneKind

CODE = "members"

# On ``u`` (the unit): its counter row reaches the target times its booths (1 for a booth itself, NULL, so
# never met, for a unit with no booth below it). Parameters: booth level id, target, booth level id.
MEMBERS_MET = (
    "EXISTS (SELECT 1 FROM {counters} mc LEFT JOIN {coverage} cc ON cc.unit_id = mc.unit_id AND cc.level_id = %s "
    "WHERE mc.unit_id = u.id AND mc.verified >= %s * COALESCE(NULLIF(cc.units_total, 0), "
    "CASE WHEN u.level_id = %s THEN 1 END))"
)
NEVER = "(1 = 0)"


def members_condition(milestone) -> tuple[str, list]:
    """SQL on ``u`` true when the unit's verified members reach the target for its booths."""
    booth = Level.objects.filter(code=BOOTH).values_list("pk", flat=True).first()
    if booth is None:
        return NEVER, []
    sql = MEMBERS_MET.format(counters=MemberCounter._meta.db_table, coverage=CoverageCounter._meta.db_table)
    return sql, [booth, max(target_per_booth(), 1), booth]


MEMBERS = MilestoneKind(
    code=CODE,
    label=_("membership target reached"),
    condition=members_condition,
    colour="#8e24aa",
    dash="1 2",
)
