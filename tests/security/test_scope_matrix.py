"""The scope-leak matrix: every role × {own, child, sibling, parent} × every staff endpoint of the web,
the API and the admin. See ``tests/security/matrix.py`` for the rule that gives each cell its answer.

One test per cell (its id: ``endpoint-role-column``). The world is built once per module (see conftest)
and each test runs in a savepoint that is rolled back, so an allowed write never leaks into the next cell.
"""

import io
import json

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import get_resolver, reverse

from tests.security.guards import rows_written
from tests.security.matrix import (
    API,
    VISIBLE_COLUMNS,
    WEB,
    Endpoint,
    admin_endpoints,
    cells,
    granted,
    marker,
    visible,
)
from tests.security.world import COLUMNS, NO_ROLE

ADMIN = admin_endpoints(admin.site._registry)
ALL = WEB + API + ADMIN


def _object(world, endpoint: Endpoint, column: str):
    if endpoint.obj.startswith("unit:"):
        return world.units[endpoint.obj.split(":")[1]][column]
    return world.objects[endpoint.obj][column]


def url_for(world, endpoint: Endpoint, column: str) -> str:
    kwargs = {k: (v(world, column) if callable(v) else v) for k, v in endpoint.extra_kwargs.items()}
    if endpoint.obj:
        obj = _object(world, endpoint, column)
        kwargs[endpoint.arg] = obj.slug if endpoint.arg == "slug" else obj.pk
    return reverse(endpoint.url, kwargs=kwargs)


def send(client, world, endpoint: Endpoint, column: str):
    url = url_for(world, endpoint, column)
    data = endpoint.data(world, column) if endpoint.data else {}
    if endpoint.method == "GET":
        return client.get(url, endpoint.query)
    if endpoint.json:
        return client.generic(endpoint.method, url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def text_of(response) -> str:
    streaming = getattr(response, "streaming", False)
    body = b"".join(response.streaming_content) if streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return body.decode("utf-8", "replace")


def marker_text(world, kind: str, column: str) -> str:
    if kind == "unitname":
        return world.units["unit"][column].name_en
    if kind == "holder":
        return marker(kind, column).lower()
    return marker(kind, column)


def _cell_id(cell) -> str:
    endpoint, role, column = cell
    return f"{endpoint.id}-{role}-{column}"


CELLS = list(cells(ALL))


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS, ids=[_cell_id(c) for c in CELLS])
def test_cell(cell, world, db):
    endpoint, role, column = cell
    user = (world.staff if endpoint.admin else world.users)[role]
    client = world.client  # one client (one middleware stack) for the module; the cell's own session
    client.cookies.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]
    where = f"{endpoint.method} {url_for(world, endpoint, column)} as {role} at Jaipur, object at {column}"

    if endpoint.superuser_only:
        with rows_written() as written:
            status = send(client, world, endpoint, column).status_code
        assert status == 403, f"{where}: superusers only, answered {status}"
        assert not written, f"{where}: a forbidden request wrote {written}"
        return
    if endpoint.obj is None and not endpoint.body_unit and endpoint.method == "GET":
        _check_list(client, world, endpoint, role, column, where)
        return

    # Admin writes are for superusers only; reads are granted with the view scope.
    grants = endpoint.action != "superuser" and (not endpoint.is_write or granted(role, endpoint.action))
    allowed = role != NO_ROLE and column in VISIBLE_COLUMNS and grants
    guard = endpoint.is_write and not allowed
    with rows_written() as written:
        response = send(client, world, endpoint, column)
    status = response.status_code
    assert status < 500, f"{where}: server error {status}"
    if guard:
        assert not written, f"{where}: a forbidden write changed the database (answer {status}): {written}"

    if endpoint.body_unit:
        # The unit comes in the body: a forbidden create may answer 403/404 or with the form's error.
        if allowed:
            assert status not in (403, 404), f"{where}: allowed, answered {status}"
        else:
            assert status in (200, 400, 403, 404), f"{where}: forbidden create answered {status}"
        return

    if role == NO_ROLE or not visible(endpoint, column):
        hidden = (404,)
        if endpoint.admin:
            # The admin answers a missing object with a redirect to its index; a write that the admin
            # refuses to every non-superuser answers 403 whether the object exists or not.
            hidden = (302, 403, 404) if endpoint.action == "superuser" else (302, 404)
        assert status in hidden, f"{where}: out of scope must answer 404, answered {status}"
        if endpoint.admin and status == 302:
            assert "/login/" not in response["Location"] or role == NO_ROLE, where
        return
    if not endpoint.is_write:
        assert status in endpoint.ok, f"{where}: in scope, answered {status}"
        return
    if allowed:
        assert status not in (403, 404), f"{where}: allowed, answered {status}"
    else:
        assert status == 403, f"{where}: in view scope but not allowed must answer 403, answered {status}"


def _check_list(client, world, endpoint: Endpoint, role: str, column: str, where: str) -> None:
    response = send(client, world, endpoint, column)
    status = response.status_code
    assert status < 500, f"{where}: server error {status}"
    if role == NO_ROLE:
        assert status in (200, 302, *endpoint.nowhere), f"{where}: answered {status}"
    else:
        assert status in endpoint.ok, f"{where}: answered {status}"
    if status != 200:
        return
    body = text_of(response)
    for kind, parent_visible in endpoint.markers:
        text = marker_text(world, kind, column)
        shown = role != NO_ROLE and (column in VISIBLE_COLUMNS or (column == "parent" and parent_visible))
        if not shown:
            assert text not in body, f"{where}: the list shows {text}, outside the user's scope"
        elif endpoint.show_visible:
            assert text in body, f"{where}: the list misses {text}, inside the user's scope"


# Named routes of the staff apps that the matrix reaches in another way, or that carry no object.
NOT_IN_MATRIX = {
    "org_import:preview": "the uploader's own pending job, kept in their session (no object id in the URL)",
    "org_import:confirm": "the uploader's own pending job, kept in their session",
    "org_import:cancel": "the uploader's own pending job, kept in their session",
    "org_import:sample": "a static sample file",
    "org_import:upload": "GET: an empty form; POST is in the matrix",
    "recruitment:campaign_new": "an empty form (GET); campaigns are created by state admins, see test_recruitment",
    "recruitment:panel": "the panel member's own slots (no role scope)",
    "recruitment:panel_score": "the panel member's own slot: 404 for everyone else (recruitment tests)",
    "channels:import_preview": "an import job of the uploader's own (created_by filter); in the matrix as 404",
    "membership:sheet": "a sheet import of the uploader's own (created_by filter): 404 for everyone else (membership tests)",
    "membership:member_decide": "a flagged member: scope and refusals in membership/tests/test_fraud.py",
    "membership:link_unfreeze": "a frozen referral link: scope and refusals in membership/tests/test_fraud.py",
    "training:camp_new": "GET: an empty form; POST is in the matrix",
    "training:camp_plan": "GET: an empty form; POST is in the matrix",
    "outreach:new": "GET: an empty form; POST is in the matrix",
    "outreach:rule": "POST is in the matrix",
    "api:level-list": "configuration, the same for everyone",
    "api:position-list": "configuration, the same for everyone",
}
# Namespaces whose routes are not staff routes taking a scoped object: every other namespace is walked, so a
# new app's routes (or a new API) must join the matrix or be named in NOT_IN_MATRIX.
NOT_STAFF_NAMESPACES = {
    "admin": "the admin: its own part of the matrix (admin_endpoints)",
    "apply": "the public application form (tests/security/test_public_*.py)",
    "training_public": "public check-in pages (training tests)",
    "outreach_public": "the signed acknowledgement link (outreach tests)",
    "controlroom_public": "the signed daily report link (controlroom tests)",
    "factcheck_public": "the public tipline and published fact-checks (factcheck tests)",
    "membership_public": "the public join pages (membership tests)",
    "logins_public": "the invitation link (logins tests)",
    "privacy": "a person's own requests and the privacy officer's desk (privacy tests)",
    "audit": "the audit trail pages, scoped by audit/scoping.py (audit tests)",
    "apitokens": "one's own API tokens",
}


def _named_routes():
    resolver = get_resolver()
    names = set()
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace in NOT_STAFF_NAMESPACES:
            continue
        for name in sub.reverse_dict:
            if isinstance(name, str):
                names.add(f"{namespace}:{name}")
    names.add("channels_api:" + "channel-list")
    return names


def test_every_staff_route_is_in_the_matrix():
    covered = {endpoint.url for endpoint in ALL}
    missing = sorted(_named_routes() - covered - set(NOT_IN_MATRIX))
    assert not missing, f"routes without a row in the scope matrix: {missing}"


def test_matrix_has_every_role_and_column():
    from sangathan.access.permissions import ROLE_ACTIONS

    roles = {role for _, role, _ in CELLS}
    assert set(ROLE_ACTIONS) | {NO_ROLE} == roles
    assert {column for _, _, column in CELLS} == set(COLUMNS)
