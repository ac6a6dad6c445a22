"""API tokens: made, listed and revoked on /account/api-tokens/, used in the Authorization header with the
owner's scope, refused (401) when revoked, expired or tampered with, recorded in the audit trail."""

import datetime
import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from sangathan.apitokens import services, views
from sangathan.apitokens.models import ApiToken
from sangathan.audit.models import AuditEntry
from sangathan.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"


def revoke_url(token) -> str:
    return reverse("apitokens:revoke", args=[token.pk])


def signed_in(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def api_with(secret: str, keyword: str = "Token") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


@pytest.fixture
def jaipur_token(cast):
    return services.api_token_create(user=cast.district_admin, name="Booth sheet", days=90)


# ---------------------------------------------------------------- the page


def test_a_token_is_made_on_the_page_and_its_secret_shown_once(client, cast):
    signed_in(client, cast.district_admin)
    response = client.post(LIST, {"name": "  Booth sheet ", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=cast.district_admin)
    secret = response.context["secret"]
    assert secret.startswith(token.prefix) and secret in response.content.decode()
    assert token.name == "Booth sheet"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.digest}
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)

    page = client.get(LIST).content.decode()
    assert secret not in page
    assert "Booth sheet" in page and token.prefix in page


def test_the_page_lists_only_the_users_own_tokens(client, cast, jaipur_token):
    services.api_token_create(user=cast.sibling_admin, name="Ajmer sheet", days=30)
    page = signed_in(client, cast.district_admin).get(LIST).content.decode()
    assert "Booth sheet" in page and "Ajmer sheet" not in page


def test_the_page_is_in_hindi_by_default(client, cast, jaipur_token):
    client.force_login(cast.district_admin)
    page = client.get(LIST).content.decode()
    assert 'lang="hi"' in page and "Booth sheet" in page


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "data",
    [{"name": "", "days": "90"}, {"name": "   ", "days": "90"}, {"name": "x", "days": "7"}, {"name": "x" * 81}, {}],
)
def test_bad_input_is_refused_with_a_message_and_makes_nothing(client, cast, data):
    response = signed_in(client, cast.district_admin, language="hi").post(LIST, data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_a_user_may_hold_a_limited_number_of_active_tokens(client, cast):
    for i in range(services.MAX_ACTIVE_PER_USER):
        services.api_token_create(user=cast.viewer, name=f"t{i}", days=30)
    response = signed_in(client, cast.viewer).post(LIST, {"name": "one more", "days": "30"})
    assert response.status_code == 400
    assert "Revoke one you no longer use first" in response.content.decode()
    assert ApiToken.objects.filter(user=cast.viewer).count() == services.MAX_ACTIVE_PER_USER


def test_an_admin_role_must_confirm_the_second_factor_before_making_a_token(client, cast, settings):
    settings.REQUIRE_2FA = True
    response = signed_in(client, cast.district_admin).post(LIST, {"name": "sheet", "days": "30"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    # The view checks it too, whatever the middleware does.
    request = RequestFactory().post(LIST, {"name": "sheet", "days": "30"})
    request.user = cast.district_admin
    request.user.is_verified = lambda: False
    request._dont_enforce_csrf_checks = True
    assert views.tokens(request).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_volunteer_needs_no_second_factor_to_make_a_token(client, cast, settings):
    settings.REQUIRE_2FA = True
    response = signed_in(client, cast.viewer).post(LIST, {"name": "sheet", "days": "365"})
    assert response.status_code == 200 and response.context["secret"]


# ---------------------------------------------------------------- the API with a token


def test_the_token_signs_in_with_the_users_scope(cast, tree, jaipur_token):
    _token, secret = jaipur_token
    for keyword in ("Token", "Bearer"):
        api = api_with(secret, keyword)
        assert api.get(f"/api/v1/units/{tree.jaipur.pk}/").status_code == 200
        assert api.get(f"/api/v1/units/{tree.ajmer.pk}/").status_code == 404
        assert api.get(f"/api/v1/units/{tree.ajmer_booth.pk}/").status_code == 404


def test_last_used_is_written_at_most_once_a_minute(cast, tree, jaipur_token):
    token, secret = jaipur_token
    api = api_with(secret)
    assert api.get("/api/v1/levels/").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/api/v1/levels/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("/api/v1/levels/")
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)


def _refused(secret: str, message: str, keyword: str = "Token"):
    response = api_with(secret, keyword).get("/api/v1/levels/")
    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_revoked_token_is_refused(jaipur_token):
    token, secret = jaipur_token
    services.api_token_revoke(token=token)
    _refused(secret, "This API token has been revoked.")


def test_an_expired_token_is_refused(jaipur_token):
    token, secret = jaipur_token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _refused(secret, "This API token has expired. Make a new one.")


def test_a_tampered_or_malformed_token_is_refused(jaipur_token):
    _token, secret = jaipur_token
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    _refused(tampered, "This API token is not valid.")
    _refused(secret[:-1], "This API token is not valid.", keyword="Bearer")
    _refused("sgn_ä", "This API token is not valid.")
    _refused(f"{secret} extra", "Send the token as: Authorization: Token <token>.")


def test_a_switched_off_account_is_refused(cast, jaipur_token):
    _token, secret = jaipur_token
    cast.district_admin.is_active = False
    cast.district_admin.save()
    _refused(secret, "This account is switched off.")


def test_the_refusal_is_in_hindi_without_a_language_header(jaipur_token):
    token, secret = jaipur_token
    services.api_token_revoke(token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get("/api/v1/levels/")
    with translation.override("hi"):
        expected = gettext("This API token has been revoked.")
    assert response.status_code == 401 and response.json() == {"detail": expected}


def test_the_schema_describes_the_token_header(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


# ---------------------------------------------------------------- revoking


def test_the_owner_revokes_a_token_after_confirming(client, cast, jaipur_token):
    token, secret = jaipur_token
    signed_in(client, cast.district_admin)
    confirm = client.get(revoke_url(token))
    assert confirm.status_code == 200 and "Yes, revoke it" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET changes nothing
    response = client.post(revoke_url(token))
    assert response.status_code == 302 and response["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_with(secret).get("/api/v1/levels/").status_code == 401
    page = client.get(LIST).content.decode()
    assert "revoked" in page and revoke_url(token) not in page
    # Revoking again changes nothing.
    revoked_at = token.revoked_at
    client.post(revoke_url(token))
    token.refresh_from_db()
    assert token.revoked_at == revoked_at


def test_another_user_can_neither_see_nor_revoke_a_token(client, cast, jaipur_token):
    token, secret = jaipur_token
    for user in (cast.sibling_admin, cast.state_admin, cast.viewer):
        signed_in(client, user)
        assert client.get(revoke_url(token)).status_code == 404
        assert client.post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_with(secret).get("/api/v1/levels/").status_code == 200


def test_revoking_needs_a_post_with_the_csrf_token(cast, jaipur_token):
    from django.test import Client

    token, _secret = jaipur_token
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.district_admin)
    assert client.post(revoke_url(token)).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


# ---------------------------------------------------------------- the audit trail


def test_the_audit_trail_records_creation_and_revocation(client, cast):
    signed_in(client, cast.district_admin)
    secret = client.post(LIST, {"name": "Booth sheet", "days": "90"}).context["secret"]
    token = ApiToken.objects.get()
    client.post(revoke_url(token))
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiToken), object_pk=str(token.pk)
    ).order_by("id")
    created, revoked = entries
    assert created.action == AuditEntry.Action.CREATE and created.actor == cast.district_admin
    assert created.changes_dict["name"] == ["None", "Booth sheet"]
    assert revoked.action == AuditEntry.Action.UPDATE and revoked.actor == cast.district_admin
    assert set(revoked.changes_dict) == {"revoked_at"}
    for entry in entries:
        assert token.digest not in str(entry.changes) and secret not in str(entry.changes)


# ---------------------------------------------------------------- the Django admin


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.cookies["django_language"] = "en"
    return client


def test_a_superuser_lists_and_revokes_any_token_in_the_admin(superuser_client, cast, jaipur_token):
    token, _secret = jaipur_token
    services.api_token_create(user=cast.sibling_admin, name="Ajmer sheet", days=30)
    changelist = reverse("admin:apitokens_apitoken_changelist")
    page = superuser_client.get(changelist).content.decode()
    assert "Booth sheet" in page and "Ajmer sheet" in page
    response = superuser_client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_admin_is_otherwise_read_only(superuser_client, jaipur_token):
    token, _secret = jaipur_token
    change = reverse("admin:apitokens_apitoken_change", args=[token.pk])
    assert superuser_client.get(change).status_code == 200
    superuser_client.post(change, {"name": "renamed"})
    assert superuser_client.get(reverse("admin:apitokens_apitoken_add")).status_code == 403
    assert superuser_client.post(reverse("admin:apitokens_apitoken_delete", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.name == "Booth sheet" and token.revoked_at is None
