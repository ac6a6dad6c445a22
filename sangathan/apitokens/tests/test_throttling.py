"""Rate limits on the API: per user when signed in (burst and sustained), per address otherwise; 429 with
Retry-After and a JSON message. The rates are settings, so these tests set small ones."""

import pytest
from django.core.cache import cache
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from sangathan.apitokens import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Small limits, on a clean cache (earlier tests' counters, and the same user ids, must not count)."""

    def set_rates(**rates):
        merged = {"user_burst": None, "user_sustained": None, "anon": None, **rates}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}

    cache.clear()
    yield set_rates
    cache.clear()


def token_client(user) -> APIClient:
    _token, secret = services.api_token_create(user=user, name="t", days=30)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_burst_over_the_limit_gets_429_with_retry_after(cast, rates):
    rates(user_burst="3/min", user_sustained="100/hour")
    api = token_client(cast.district_admin)
    assert [api.get("/api/v1/levels/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/levels/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"]  # a message, in whatever words the exception handler gives
    # Another user has a count of their own.
    assert token_client(cast.sibling_admin).get("/api/v1/levels/").status_code == 200


def test_the_sustained_limit_counts_per_user_across_tokens_and_sessions(cast, rates):
    rates(user_sustained="2/hour")
    assert token_client(cast.viewer).get("/api/v1/levels/").status_code == 200
    assert token_client(cast.viewer).get("/api/v1/levels/").status_code == 200
    session = APIClient()
    session.force_authenticate(cast.viewer)
    response = session.get("/api/v1/levels/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 60


class OpenView(APIView):
    """An API view anyone may call (the API's own views all need a sign-in, which comes before throttling)."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


def test_anonymous_calls_are_counted_per_address(rates):
    rates(anon="2/min")
    factory = APIRequestFactory()
    view = OpenView.as_view()

    def call(address):
        return view(factory.get("/api/v1/open/", REMOTE_ADDR=address)).status_code

    assert [call("10.0.0.1") for _ in range(3)] == [200, 200, 429]
    assert call("10.0.0.2") == 200


def test_no_rate_means_no_limit(cast, rates):
    rates()
    api = token_client(cast.district_admin)
    assert {api.get("/api/v1/levels/").status_code for _ in range(5)} == {200}
