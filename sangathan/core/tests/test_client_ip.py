"""The client's address behind a reverse proxy: one rule (``PROXY_COUNT``) for the sign-in lock-out, the
public pages' rate limits, the API's throttling and the audit trail.

Behind a proxy every request comes from the proxy's address; counting that address locked every user out
after five wrong passwords and closed the public form for everyone after twenty forms. The header that names
the client is anyone's to start, so only the entries our own proxies appended are believed.
"""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from sangathan.apitokens.throttling import AddressThrottle
from sangathan.audit.middleware import AuditMiddleware
from sangathan.core.clientip import client_ip
from sangathan.core.ratelimits import over_limit

PROXY = "10.0.0.2"  # our reverse proxy: every request reaches the app from here
ALICE, BOB = "198.51.100.7", "203.0.113.8"
PASSWORD = "a-long-test-password"  # the cast's (sangathan/org/tests/factories.py)


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1


def request_via(forwarded: str | None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, ALICE, None, ALICE),
        (0, ALICE, BOB, ALICE),  # no proxy of ours: the header is the client's own invention
        (1, PROXY, ALICE, ALICE),  # nginx: proxy_add_x_forwarded_for
        (1, PROXY, f"6.6.6.6, {ALICE}", ALICE),  # the client sent 6.6.6.6; our proxy appended the real one
        (1, PROXY, f" 6.6.6.6 ,{ALICE} ", ALICE),
        (2, PROXY, f"6.6.6.6, {ALICE}, 10.0.0.3", ALICE),  # a load balancer before nginx
        (2, PROXY, ALICE, PROXY),  # shorter than our chain of proxies: not believed
        (1, PROXY, "", PROXY),
        (1, PROXY, "2001:DB8::1", "2001:db8::1"),
        (1, PROXY, "not-an-address", None),
        (0, "", None, None),
    ],
)
def test_client_ip_trusts_only_what_our_proxies_appended(settings, count, remote, forwarded, expected):
    settings.PROXY_COUNT = count
    assert client_ip(request_via(forwarded, remote=remote)) == expected


# ---------------------------------------------------------------- the sign-in lock-out (django-axes)


def sign_in(username: str, *, forwarded: str | None, remote=PROXY, password="wrong-password"):  # noqa: S107
    client = Client()
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(reverse("login"), {"username": username, "password": password}, **extra)
    return response, "_auth_user_id" in client.session


@pytest.mark.django_db
def test_two_clients_behind_one_proxy_are_locked_out_separately(cast, one_proxy):
    for n in range(5):  # Alice guesses five accounts: her address is locked
        sign_in(f"guess-{n}", forwarded=ALICE)
    response, signed_in = sign_in("state_admin", forwarded=ALICE, password=PASSWORD)
    assert response.status_code == 429 and not signed_in
    # Bob, behind the same proxy, is not: before, both were the proxy's address and everyone was locked out.
    response, signed_in = sign_in("viewer", forwarded=BOB, password=PASSWORD)
    assert response.status_code == 302 and signed_in


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_lock_out_without_a_proxy(cast):
    """PROXY_COUNT = 0: a client that invents a new X-Forwarded-For for every guess is still one address."""
    for n in range(5):
        sign_in(f"guess-{n}", remote=ALICE, forwarded=f"192.0.2.{n}")
    response, signed_in = sign_in("state_admin", remote=ALICE, forwarded="192.0.2.99", password=PASSWORD)
    assert response.status_code == 429 and not signed_in


@pytest.mark.django_db
def test_a_forged_leftmost_entry_does_not_escape_the_lock_out_behind_a_proxy(cast, one_proxy):
    """PROXY_COUNT = 1: what the client put left of our proxy's entry changes nothing."""
    for n in range(5):
        sign_in(f"guess-{n}", forwarded=f"192.0.2.{n}, {ALICE}")
    response, signed_in = sign_in("state_admin", forwarded=f"192.0.2.99, {ALICE}", password=PASSWORD)
    assert response.status_code == 429 and not signed_in


# ---------------------------------------------------------------- the public pages' rate limits


def limited(forwarded: str | None, remote=PROXY) -> bool:
    return over_limit(request_via(forwarded, remote=remote), group="test.form", setting="TEST_FORM_RATE", default="3/h")


def test_the_public_rate_limit_counts_clients_behind_a_proxy_separately(one_proxy):
    assert [limited(ALICE) for _ in range(4)] == [False, False, False, True]
    assert not limited(BOB)  # before: the proxy's address had used up the limit for everyone


def test_the_public_rate_limit_ignores_a_forged_header(settings):
    settings.PROXY_COUNT = 0
    assert [limited(f"192.0.2.{n}", remote=ALICE) for n in range(4)] == [False, False, False, True]
    settings.PROXY_COUNT = 1
    assert [limited(f"192.0.2.{n}, {BOB}") for n in range(4)] == [False, False, False, True]


# ---------------------------------------------------------------- the API and the audit trail


def test_the_api_counts_anonymous_callers_by_the_same_address(settings):
    throttle = AddressThrottle()
    settings.PROXY_COUNT = 1
    assert throttle.get_ident(Request(request_via(f"6.6.6.6, {ALICE}"))) == ALICE
    settings.PROXY_COUNT = 0
    assert throttle.get_ident(Request(request_via(f"6.6.6.6, {ALICE}"))) == PROXY


def test_the_audit_trail_records_the_client_not_the_proxy(one_proxy):
    middleware = AuditMiddleware(lambda request: None)
    assert middleware.get_extra_data(request_via(f"6.6.6.6, {ALICE}"))["remote_addr"] == ALICE
