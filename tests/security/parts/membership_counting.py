"""The membership drive's counting pages in the scope matrix (issue 15): leaderboards, revoking by an admin,
the duplicates queue and its decisions, the members export. A sibling district's user gets 404 and changes
nothing."""

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.membership import services
from sangathan.membership.models import DuplicateCase
from tests.security.matrix import Endpoint
from tests.security.world import COLUMNS, marker


def _member(unit, column: str, n: int):
    mobile = f"+91970{COLUMNS.index(column) * 7 + n * 31:07d}"
    answer = services.member_join(unit=unit, name=marker("member", column), mobile=mobile, age=30)
    return services.member_verify(member=answer.member)


def build(w):
    for column, unit in w.units["booth"].items():
        w.objects.setdefault("membership_member", {})[column] = _member(unit, column, 1)
        twin = _member(unit, column, 2)  # the same name at the same unit: a likely duplicate
        w.objects.setdefault("membership_duplicate", {})[column] = DuplicateCase.objects.get(member=twin)


def _reason(world, column):
    return {"reason": "scope matrix"}


def _decision(world, column):
    return {"decision": "keep_both"}


WEB = [
    Endpoint("membership.export_csv", "membership:export_csv", action=APPOINT, obj="unit:unit"),
    Endpoint("membership.export_xlsx", "membership:export_xlsx", action=APPOINT, obj="unit:unit"),
    Endpoint("membership.duplicates", "membership:duplicates", action=APPOINT, obj="unit:unit"),
    Endpoint(
        "membership.duplicate_decide",
        "membership:duplicate_decide",
        "POST",
        APPOINT,
        "membership_duplicate",
        data=_decision,
    ),
    Endpoint("membership.leaders", "membership:leaders", action=VIEW, obj="unit:unit"),
    Endpoint(
        "membership.member_revoke",
        "membership:member_revoke",
        "POST",
        APPOINT,
        "membership_member",
        data=_reason,
    ),
]
