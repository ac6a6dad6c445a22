"""Ids no database column can hold (40 digits, 2**63) and negative ids, in every place an id is read: URL
paths, query strings (?unit=, ?within=, ?parent=, ...), every select and id field of every form a state
admin is shown, and every integer field of every API operation. Each gets a clear refusal (a form error,
a 400, a 404), never a 500 (SQLite raised OverflowError, PostgreSQL an out-of-range error), and nothing
is written. The global fix is ``sangathan.core.lookups``.
"""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BAD_IDS = ["1" * 40, str(2**63), "-5"]
QUERY_PARAMS = ("unit", "within", "parent", "position", "level", "programme", "module", "campaign", "post", "booth")
QUERY_PARAMS += ("home_unit", "person", "panel", "page", "root", "job", "day", "slot", "message", "camp")
SKIPPED_PREFIXES = ("admin/", "api/schema", "static/", "media/", "__", "i18n/", "accounts/logout")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(patterns=None, prefix=""):
    """(route, view name) for every URL pattern, routes as written (``units/<int:pk>/``)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not route.startswith(SKIPPED_PREFIXES) and "(?P" not in route:
            yield route.lstrip("^").rstrip("$"), entry.name


def _fill(route: str, value: str) -> str:
    return "/" + _CONVERTER.sub(value, route)


def _writes():
    """What a refused request must not have done: the INSERT/UPDATE/DELETE statements it ran (sessions and
    the rate-limit and audit bookkeeping of a refusal aside)."""
    connection.queries_log.clear()  # one request's queries, never the 9,000 kept of the whole test
    return CaptureQueriesContext(connection)


def _changed(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and not any(t in q["sql"] for t in ("django_session", "logins_loginsession", "axes_", "last_login", "audit_"))
    ]


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name → default value; selects and id-like inputs)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}, "ids": set()}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            name = attrs["name"]
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                self._form["fields"].setdefault(name, None)
            else:
                self._form["fields"][name] = attrs.get("value", "")
            if tag == "select" or attrs.get("type") in ("checkbox", "radio", "hidden", "number"):
                self._form["ids"].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.state_admin)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.slow
def test_url_paths_and_query_strings(admin_client, tree):
    problems = []
    routes = list(_routes())
    assert len(routes) > 50, "the URL conf was not walked"
    for route, name in routes:
        candidates = [_fill(route, bad) for bad in BAD_IDS] if _CONVERTER.search(route) else []
        base = _fill(route, str(tree.jaipur.pk))
        candidates += [f"{base}?{param}={bad}" for bad in BAD_IDS for param in QUERY_PARAMS]
        for url in candidates:
            for method in ("get", "post"):
                with _writes() as queries:
                    response = getattr(admin_client, method)(url)
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} ({name}): {response.status_code}")
                elif response.status_code >= 400 and _changed(queries):
                    problems.append(f"{method.upper()} {url} ({name}): refused but wrote {_changed(queries)[:1]}")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.slow
def test_every_form_refuses_out_of_range_ids(admin_client, tree):
    """Every POST form on every page a state admin opens (pages of the Jaipur district where a unit is asked
    for): each select, checkbox, radio, hidden and number field in turn set to each bad id."""
    problems, tried = [], 0
    for route, name in _routes():
        if route.startswith("api/"):
            continue
        page_url = _fill(route, str(tree.jaipur.pk))
        page = admin_client.get(page_url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(page.content.decode(errors="replace"))
        for form in parser.forms:
            action = form["action"] or page_url
            if not action.startswith("/") or "logout" in action:
                continue
            base = {k: v for k, v in form["fields"].items() if v is not None}
            for field in sorted(form["ids"] - {"csrfmiddlewaretoken"}):
                for bad in BAD_IDS:
                    tried += 1
                    response = admin_client.post(action, {**base, field: bad})
                    if response.status_code >= 500:
                        problems.append(f"POST {action} ({name}) {field}={bad}: {response.status_code}")
    assert tried > 50, f"only {tried} form fields were tried"
    assert not problems, "\n".join(problems[:40])


def test_training_camp_form_with_out_of_range_ids(admin_client, tree):
    """The pentest's case: POST /training/new/ with a 40-digit or negative module id was a 500."""
    from sangathan.training.models import Camp

    for bad in BAD_IDS:
        data = {"programme": bad, "host_unit": bad, "modules": [bad], "venue": "x", "day": "2027-01-01"}
        response = admin_client.post("/training/new/", {**data, "start": "10:00", "end": "11:00"})
        assert response.status_code == 200, bad
        assert "Select a valid choice" in response.content.decode(), bad
    assert not Camp.objects.exists()


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _id_bodies(schema, body_schema):
    """A body per integer property (or list of integers): that property set to each bad id."""
    body_schema = _resolve(schema, body_schema)
    for prop, spec in (body_schema.get("properties") or {}).items():
        spec = _resolve(schema, spec)
        if spec.get("readOnly"):
            continue
        items = _resolve(schema, spec.get("items") or {})
        for bad in BAD_IDS:
            if spec.get("type") == "integer":
                yield prop, {prop: int(bad)}
            elif spec.get("type") == "array" and items.get("type") == "integer":
                yield prop, {prop: [int(bad)]}


def test_every_api_operation_refuses_out_of_range_ids(cast, tree):
    schema = _schema()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(cast.state_admin)
    problems, tried = [], 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            path_params = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]
            urls = [re.sub(r"\{\w+\}", bad, path) for bad in BAD_IDS] if path_params else []
            real = re.sub(r"\{\w+\}", str(tree.jaipur.pk), path)
            for param in operation.get("parameters", []):
                if param.get("in") == "query" and _resolve(schema, param.get("schema", {})).get("type") == "integer":
                    urls += [f"{real}?{param['name']}={bad}" for bad in BAD_IDS]
            for url in urls:
                tried += 1
                response = getattr(api, method)(url, {}, format="json")
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url}: {response.status_code}")
            content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if content and method != "get":
                for prop, body in _id_bodies(schema, content["schema"]):
                    tried += 1
                    with _writes() as queries:
                        response = getattr(api, method)(real, body, format="json")
                    if response.status_code >= 500:
                        problems.append(f"{method.upper()} {real} {prop}={body[prop]}: {response.status_code}")
                    elif response.status_code >= 400 and _changed(queries):
                        problems.append(f"{method.upper()} {real} {prop}: refused but wrote")
    assert tried > 30, f"only {tried} API cases were tried"
    assert not problems, "\n".join(problems[:40])
