"""The membership API (/api/v1/membership/; issues 15 and 16) in the scope matrix: members (list, detail, a
paper member, revoking, the review of a flagged sign-up), the duplicate queue and its decisions, counts,
children's counts, leaderboards, sheet imports. Each column's unit has two members of one name (so a likely
duplicate) and a finished sheet import; a sibling district's user gets 404 and changes nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile

from sangathan.access.permissions import APPOINT
from sangathan.membership import services
from sangathan.membership.models import DuplicateCase, MemberImport
from tests.security.matrix import Endpoint
from tests.security.world import COLUMNS, marker


def _member(unit, column: str, n: int):
    mobile = f"+91960{COLUMNS.index(column) * 7 + n * 31:07d}"  # 7 apart: never a run of consecutive numbers
    answer = services.member_join(unit=unit, name=marker("apimember", column), mobile=mobile, age=30)
    return services.member_verify(member=answer.member)


def build(w):
    for column, unit in w.units["booth"].items():
        w.objects.setdefault("api_member", {})[column] = _member(unit, column, 1)
        twin = _member(unit, column, 2)  # the same name at the same unit: a likely duplicate
        w.objects.setdefault("api_duplicate", {})[column] = DuplicateCase.objects.get(member=twin)
        w.objects.setdefault("api_member_import", {})[column] = MemberImport.objects.create(
            root=unit,
            created_by=w.state_admin,
            content=b"",
            original_name=marker("apimemberimport", column) + ".csv",
            status=MemberImport.Status.IMPORTED,
            report={"rows": 1, "entered": 1, "already": 0, "errors": [], "warnings": []},
        )


def _d(**values):
    return lambda world, column: values


def _paper(world, column):
    return {"unit": world.units["booth"][column].pk, "name": "ZQ Paper", "mobile": "98290 66661", "age": 30}


def _sheet(world, column):
    content = b"name,mobile,age\nZQ Sheet,9829066662,30\n"
    return {"unit": world.units["booth"][column].pk, "file": SimpleUploadedFile("forms.csv", content, "text/csv")}


_J = {"json": True}

API = [
    Endpoint("api.membership.members", "membership_api:member-list", markers=(("apimember", False),), **_J),
    Endpoint(
        "api.membership.members.create",
        "membership_api:member-list",
        "POST",
        APPOINT,
        data=_paper,
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.membership.member", "membership_api:member-detail", obj="api_member", **_J),
    Endpoint(
        "api.membership.member.revoke",
        "membership_api:member-revoke",
        "POST",
        APPOINT,
        "api_member",
        data=_d(reason="scope matrix"),
        **_J,
    ),
    Endpoint(
        "api.membership.member.review",
        "membership_api:member-review",
        "POST",
        APPOINT,
        "api_member",
        data=_d(decision="revoke", reason="scope matrix"),
        **_J,
    ),
    # The queue lists the cases where the caller may appoint: a viewer's list is empty, never another district's.
    Endpoint(
        "api.membership.duplicates",
        "membership_api:duplicate-list",
        markers=(("apimember", False),),
        show_visible=False,
        **_J,
    ),
    Endpoint(
        "api.membership.duplicate.decide",
        "membership_api:duplicate-decide",
        "POST",
        APPOINT,
        "api_duplicate",
        data=_d(decision="keep_other"),
        **_J,
    ),
    Endpoint("api.membership.counts", "membership_api:unit-counts", obj="unit:unit", arg="unit_id", **_J),
    Endpoint("api.membership.children", "membership_api:unit-children", obj="unit:unit", arg="unit_id", **_J),
    Endpoint("api.membership.leaderboard", "membership_api:unit-leaderboard", obj="unit:unit", arg="unit_id", **_J),
    # A sheet is uploaded as a file (multipart, not JSON).
    Endpoint(
        "api.membership.import.create",
        "membership_api:import-create",
        "POST",
        APPOINT,
        data=_sheet,
        body_unit=True,
        nowhere=(400, 403, 404),
    ),
    Endpoint(
        "api.membership.import",
        "membership_api:import-detail",
        action=APPOINT,
        obj="api_member_import",
        **_J,
    ),
]
