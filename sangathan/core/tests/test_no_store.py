"""Nothing is stored in a browser's or a proxy's cache unless its view says it is public
(``NoStoreByDefaultMiddleware``): letters, certificates, audit exports and copies of a person's data carry
personal data, and a copy left in a shared phone's cache or an office proxy is a leak. The campaign QR
codes are public and keep their hour of caching."""

import pytest
from django.urls import reverse

from sangathan.privacy import services as privacy_services
from sangathan.privacy.models import DataRequest
from sangathan.recruitment import services as recruitment_services
from sangathan.recruitment.tests.conftest import campaign, rubric, submit  # noqa: F401 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import day, interview, jaipur_app, members  # noqa: F401
from sangathan.training.models import Completion
from sangathan.training.tests.conftest import camp, people, programme  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def assert_not_stored(response) -> None:
    assert response.status_code == 200, response.status_code
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "no-store" in directives and "public" not in directives, response["Cache-Control"]


def test_the_appointment_letter_is_not_stored(client, cast, day, jaipur_app):  # noqa: F811
    appointed = recruitment_services.application_decide(
        application=interview(jaipur_app, day), decision="select", by=cast.state_admin
    )
    client.force_login(cast.district_admin)
    response = client.get(reverse("recruitment:letter", args=[appointed.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert_not_stored(response)
    assert "private" in response["Cache-Control"]


def test_the_training_certificate_is_not_stored(client, cast, camp, people, programme):  # noqa: F811
    completion = Completion.objects.create(person=people.booth1_rep, programme=programme, camp=camp)
    client.force_login(cast.district_admin)
    assert_not_stored(client.get(reverse("training:certificate", args=[completion.pk])))


def test_the_audit_export_is_not_stored(client, cast):
    client.force_login(cast.state_admin)
    response = client.get(reverse("audit:export"))
    assert response["Content-Type"].startswith("text/csv")
    assert_not_stored(response)


def test_the_copy_of_a_persons_data_is_not_stored(client, cast, jaipur_app):  # noqa: F811
    data_request = privacy_services.request_create(
        kind=DataRequest.Kind.ACCESS, application=jaipur_app, via=DataRequest.Via.STAFF, by=cast.district_admin
    )
    client.force_login(cast.district_admin)
    for name in ("privacy:request_json", "privacy:request_html"):
        response = client.get(reverse(name, args=[data_request.pk]))
        assert "attachment" in response["Content-Disposition"]
        assert_not_stored(response)


def test_signed_in_pages_and_anonymous_answers_are_not_stored(client, cast):
    client.force_login(cast.district_admin)
    response = client.get(reverse("home"), follow=True)
    assert_not_stored(response)
    client.logout()
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "no-store" in response["Cache-Control"]


def test_the_public_qr_code_stays_cacheable(client, campaign):  # noqa: F811
    for name in ("apply:qr_png", "apply:qr_svg"):
        response = client.get(reverse(name, args=[campaign.slug]))
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=3600"
