"""Personal data masked for those without ``view_personal``; revealing it is one click and one audit entry."""

import csv
import io

import pytest
from django.urls import reverse

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.org.masking import age_band, mask_email, mask_mobile, mask_value
from sangathan.org.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

FULL = "98290 12345"  # how the pages print +919829012345 in full
MASKED = "+91 98•••••345"


@pytest.fixture
def person(tree):
    return PersonFactory(
        home_unit=tree.booth1, name_hi="", name_en="Sunil Sharma", mobile="+919829012345", email="sunil@gmail.com"
    )


def reveals():
    return AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS)


def test_masks():
    assert mask_mobile("+919829012345") == MASKED
    assert mask_mobile("9829012345") == "98•••••345"
    assert mask_mobile("") == ""
    assert mask_email("sunil.sharma@gmail.com") == "s•••@gmail.com"
    assert mask_email("nonsense") == "•••"
    assert age_band(34) == "30–39"
    assert age_band(None) == ""
    assert mask_value("['+919829012345']") == "['+91 98•••••345']"
    assert mask_value("None") == "None"


def test_person_page_masks_for_everyone_and_offers_reveal_to_those_who_may(client, cast, person):
    url = reverse("org:person", args=[person.pk])
    reveal_url = reverse("audit:reveal", args=["org.person", person.pk, "mobile"])
    client.force_login(cast.district_admin)
    body = client.get(url).content.decode()
    assert MASKED in body and FULL not in body and "sunil@gmail.com" not in body
    assert reveal_url in body
    client.force_login(cast.viewer)
    body = client.get(url).content.decode()
    assert MASKED in body and FULL not in body and "s•••@gmail.com" in body
    assert reveal_url not in body


def test_reveal_shows_the_number_and_is_audited(client, cast, person):
    client.force_login(cast.district_admin)
    url = reverse("audit:reveal", args=["org.person", person.pk, "mobile"])
    response = client.post(url, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    assert FULL in response.content.decode()
    entry = reveals().get()
    assert entry.actor == cast.district_admin
    assert entry.object_pk == str(person.pk)
    assert entry.additional_data == {"revealed": "mobile"}
    assert entry.remote_addr == "203.0.113.5"
    assert client.get(url).status_code == 405
    assert reveals().count() == 1


def test_reveal_is_refused_without_view_personal_and_outside_scope(client, cast, person):
    url = reverse("audit:reveal", args=["org.person", person.pk, "mobile"])
    client.force_login(cast.viewer)
    assert client.post(url).status_code == 403
    client.force_login(cast.sibling_admin)
    assert client.post(url).status_code == 404
    client.force_login(cast.outsider)
    assert client.post(url).status_code == 404
    client.force_login(cast.district_admin)
    assert client.post(reverse("audit:reveal", args=["org.person", person.pk, "name_en"])).status_code == 404
    assert client.post(reverse("audit:reveal", args=["org.unit", person.home_unit_id, "mobile"])).status_code == 404
    assert not reveals().exists()


def test_reveal_of_an_applicant(client, cast, jaipur_app, ajmer_app):
    client.force_login(cast.district_admin)
    page = client.get(reverse("recruitment:application", args=[jaipur_app.pk])).content.decode()
    assert "20–29" in page and "98290 11111" not in page
    response = client.post(reverse("audit:reveal", args=["recruitment.application", jaipur_app.pk, "age"]))
    assert response.status_code == 200 and "27" in response.content.decode()
    response = client.post(reverse("audit:reveal", args=["recruitment.application", ajmer_app.pk, "mobile"]))
    assert response.status_code == 404
    assert reveals().count() == 1


def test_api_masks_for_users_without_view_personal(client, cast, person):
    client.force_login(cast.viewer)
    listed = client.get(reverse("api:person-list")).json()["results"]
    assert [p["mobile"] for p in listed] == [MASKED]
    assert listed[0]["email"] == "s•••@gmail.com"
    detail = client.get(reverse("api:person-detail", args=[person.pk])).json()
    assert detail["mobile"] == MASKED
    client.force_login(cast.district_admin)
    assert client.get(reverse("api:person-detail", args=[person.pk])).json()["mobile"] == "+919829012345"
    assert client.get(reverse("api:person-list")).json()["results"][0]["email"] == "sunil@gmail.com"


def test_api_person_list_query_count_does_not_grow_for_mixed_roles(client, cast, tree, django_assert_max_num_queries):
    # A recruiter in Jaipur who is only a viewer in Ajmer: personal data for Jaipur's people only.
    user = UserFactory(username="mixed")
    RoleAssignment.objects.create(user=user, unit=tree.jaipur, role=Role.RECRUITER)
    RoleAssignment.objects.create(user=user, unit=tree.ajmer, role=Role.VIEWER)
    jaipur = PersonFactory(home_unit=tree.booth1, mobile="+919829012345")
    ajmer = PersonFactory(home_unit=tree.ajmer_booth, mobile="+919829054321")
    client.force_login(user)
    with django_assert_max_num_queries(8) as few:
        results = {p["id"]: p["mobile"] for p in client.get(reverse("api:person-list")).json()["results"]}
    assert results == {jaipur.pk: "+919829012345", ajmer.pk: "+91 98•••••321"}
    for _i in range(5):
        PersonFactory(home_unit=tree.ajmer_booth)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("api:person-list"))


def test_recruitment_export_masks_for_viewers(client, cast, campaign, jaipur_app):
    url = reverse("recruitment:export_csv", args=[campaign.slug])

    def exported(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))[1]

    assert "'+919829011111" in exported(cast.district_admin)  # formula-safe: a leading apostrophe
    row = exported(cast.viewer)
    assert "'+919829011111" not in row and "'+91 98•••••111" in row and "20–29" in row


def test_search_list_is_masked(client, cast, person):
    client.force_login(cast.district_admin)
    body = client.get(reverse("org:search"), {"q": "Sunil"}).content.decode()
    assert "Sunil Sharma" in body and MASKED in body and FULL not in body


def test_channel_api_masks_numbers_for_viewers(client, cast, tree):
    from sangathan.channels.models import Platform
    from sangathan.channels.services import channel_register

    channel = channel_register(
        unit=tree.booth1,
        platform=Platform.WHATSAPP_BROADCAST,
        name="Booth 1 broadcast",
        owner_mobile="9829012345",
        other_admin_mobiles=["+919829099999"],
    )
    url = reverse("channels_api:channel-detail", args=[channel.pk])
    client.force_login(cast.viewer)
    body = client.get(url).json()
    assert body["owner_mobile"] == MASKED and body["other_admin_mobiles"] == ["+91 98•••••999"]
    client.force_login(cast.district_admin)
    assert client.get(url).json()["owner_mobile"] == "+919829012345"


def test_silent_units_and_message_report_mask_for_viewers(client, cast, tree, in_charges, make_draft, send):
    from sangathan.org.phones import display_mobile
    from sangathan.outreach.models import Message

    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    send(message, cast.district_admin)
    message = Message.objects.get(pk=message.pk)
    number = in_charges.booth2.mobile
    for user, full_in_csv in ((cast.viewer, False), (cast.district_admin, True)):
        client.force_login(user)
        page = client.get(reverse("outreach:track", args=[message.pk])).content.decode()
        assert mask_mobile(number) in page and display_mobile(number) not in page and number not in page
        report = client.get(reverse("outreach:report", args=[message.pk, "csv"]))
        text = b"".join(report.streaming_content).decode()
        assert (number in text) is full_in_csv
        assert (mask_mobile(number) in text) is not full_in_csv


def test_late_list_masks_the_in_charges_number(client, cast, tree):
    from sangathan.org.phones import display_mobile
    from sangathan.planning import progress
    from sangathan.planning import services as planning_services
    from sangathan.planning.tests.helpers import D, appoint

    planning_services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)
    head = appoint(tree.booth1)  # appointed, not trained: late for the training deadline
    progress.refresh(today=D(2026, 12, 20))
    number = head.person.mobile
    for user, button in ((cast.viewer, False), (cast.district_admin, True)):
        client.force_login(user)
        page = client.get(reverse("planning:late", args=[tree.jaipur.pk])).content.decode()
        assert mask_mobile(number) in page and display_mobile(number) not in page
        assert (reverse("audit:reveal", args=["org.person", head.person.pk, "mobile"]) in page) is button
