"""The database or Redis down: every page answers 503 "please try again in a minute" with Retry-After, in Hindi
and English, never a bare 500; a public form sent meanwhile is not stored, and the page keeps what was typed."""

import datetime
import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sangathan.ops import outage
from sangathan.org.tests.factories import position
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, Criterion, Rubric, Submission
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric
from sangathan.recruitment.tests.test_public import post_data

TRY_AGAIN_HI = "कृपया एक मिनट बाद फिर कोशिश करें"
TRY_AGAIN_EN = "Please try again in a minute"


@pytest.fixture
def campaign(tree, cast):
    now = timezone.now()
    return services.campaign_create(
        scope_unit=tree.rajasthan,
        title_hi="संगठन सृजन अभियान",
        title_en="Organisation-building drive",
        slug="rj-2026",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        rubric=load_default_rubric(Rubric, Criterion),
        positions=[(position("booth", "representative"), 100), (position("district", "in_charge"), 2)],
        reference_prefix="RJ-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
        by=cast.state_admin,
    )


@pytest.fixture
def browser():
    """A client that gets the response a browser would (the test client re-raises a request's exception by
    default, after the handler answered)."""
    return Client(raise_request_exception=False)


class DatabaseDown:
    """Every query (or only those containing ``only``) fails as with PostgreSQL gone: OperationalError."""

    def __init__(self, only: str = ""):
        self.only = only
        self.refused = 0

    def __call__(self, execute, sql, params, many, context):
        if self.only in sql:
            self.refused += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens on it once the socket is closed


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        },
    }


def assert_try_again(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert TRY_AGAIN_HI in html and TRY_AGAIN_EN in html
    return html


def test_a_signed_in_page_with_the_database_down_is_503_try_again(browser, cast):
    browser.force_login(cast.district_admin)
    down = DatabaseDown()
    with connection.execute_wrapper(down):
        response = browser.get(reverse("home"))
    assert_try_again(response)
    assert down.refused >= 1
    assert "<form" not in response.content.decode()  # a GET: nothing to send again


def test_the_public_form_page_with_the_database_down_is_503(browser, campaign):
    with connection.execute_wrapper(DatabaseDown()):
        response = browser.get(reverse("apply:form", args=[campaign.slug]))
    assert_try_again(response)


def test_a_form_sent_while_the_database_is_down_is_not_stored_and_what_was_typed_is_kept(browser, campaign, tree):
    data = post_data(campaign, tree)
    down = DatabaseDown(only="recruitment_submission")  # the page loads; storing the form fails
    with connection.execute_wrapper(down):
        response = browser.post(reverse("apply:form", args=[campaign.slug]), data)
    html = assert_try_again(response)
    assert down.refused == 1
    assert "आपका फ़ॉर्म अभी जमा नहीं हुआ" in html and "Your form was not accepted yet" in html
    assert f'action="{reverse("apply:form", args=[campaign.slug])}"' in html
    for name in ("token", "name_hi", "mobile", "booth", "statement"):
        assert f'name="{name}" value="{data[name]}"' in html.replace("&#x27;", "'")
    assert not Submission.objects.exists()

    # A minute later the person presses "send again": the same fields, one application; pressed twice, still one.
    again = dict(data)
    assert browser.post(reverse("apply:form", args=[campaign.slug]), again).status_code == 200
    assert browser.post(reverse("apply:form", args=[campaign.slug]), again).status_code == 200
    assert Submission.objects.count() == 1 and Application.objects.count() == 1


def test_passwords_are_never_written_back(rf, campaign):
    request = rf.post(reverse("apply:form", args=[campaign.slug]), {"mobile": "9829055555", "new_password1": "s3cret!"})
    html = outage.try_again_response(request).content.decode()
    assert 'name="mobile"' in html
    assert "s3cret" not in html and "password" not in html


def test_a_signed_in_form_keeps_nothing(rf):
    request = rf.post(reverse("home"), {"title": "मेरा संदेश"})
    html = outage.try_again_response(request).content.decode()
    assert "<form" not in html and "मेरा संदेश" not in html


def test_with_redis_down_the_public_form_post_is_503_and_stores_nothing(browser, campaign, tree, redis_down):
    response = browser.post(reverse("apply:form", args=[campaign.slug]), post_data(campaign, tree))
    html = assert_try_again(response)
    assert 'name="name_hi"' in html
    assert not Submission.objects.exists()


def test_any_other_error_is_still_the_plain_500(browser, monkeypatch, campaign):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("sangathan.recruitment.views_public.public_campaign", broken)
    response = browser.get(reverse("apply:form", args=[campaign.slug]))
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "कुछ गलत हो गया" in response.content.decode()


def test_an_outage_raised_from_another_error_is_an_outage():
    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError as error:
            raise RuntimeError("while saving") from error
    except RuntimeError as error:
        assert outage.is_outage(error)
    assert not outage.is_outage(ValueError("no"))
    assert not outage.is_outage(None)


def test_a_form_sent_to_a_process_with_the_campaign_in_memory_while_the_database_is_down(
    browser, campaign, tree, settings
):
    """The form's campaign, posts and places come from the process's copy; the database is down only for the
    rest: still 503, never "correct the marked fields"."""
    settings.RECRUITMENT_PUBLIC_CACHE_SECONDS = 60
    data = post_data(campaign, tree)
    browser.get(reverse("apply:form", args=[campaign.slug]))  # the copy is made
    with connection.execute_wrapper(DatabaseDown()):
        response = browser.post(reverse("apply:form", args=[campaign.slug]), data)
    assert_try_again(response)
