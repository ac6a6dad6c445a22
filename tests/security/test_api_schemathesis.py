"""Schemathesis against /api/schema/: every operation of the API, with generated input (valid and not),
called through the WSGI app as a state admin signed in with an API token. No answer may be a 5xx.

Examples per operation are few (``EXAMPLES``) so the whole run stays within about a minute; the
generation is derandomised, so a failure repeats.
"""

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from sangathan.apitokens.services import api_token_create
from sangathan.channels.models import Channel
from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory

EXAMPLES = 12
pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # generated input for every API operation


@pytest.fixture
def data(tree, cast):
    """Objects with small pks, so generated ids sometimes hit real rows."""
    for unit in (tree.jaipur, tree.booth1, tree.ajmer_booth):
        person = PersonFactory(home_unit=unit)
        org_services.appointment_create(
            unit=unit, position=Position.objects.get(level=unit.level, is_key=True), person=person
        )
        Channel.objects.create(unit=unit, platform="whatsapp_broadcast", name=f"List {unit.pk}")
    _token, secret = api_token_create(user=cast.state_admin, name="schemathesis", days=30)
    return secret


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.fixture
def wsgi_app():
    """The real WSGI app, without closing the database connection after each request (that would end the
    test's transaction on PostgreSQL), as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_server_error_on_generated_input(data, wsgi_app):
    app = wsgi_app
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    headers = {"Authorization": f"Token {data}"}
    operations = list(_operations(schema))
    assert len(operations) >= 15, [op.label for op in operations]
    failures = []
    statuses: Counter = Counter()
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            statuses[response.status_code // 100] += 1
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except (AssertionError, FailureGroup):
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")

        run()
    # The token worked: most operations answered, not only 401/403.
    assert statuses[2] >= len(operations), statuses
    assert not failures, "server errors on generated input:\n" + "\n".join(failures[:20])
