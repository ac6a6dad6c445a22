"""The privacy pages: the applicant's actions on the status page, and the admins' request pages."""

import io
import json
import re

import pytest
from django.core import signing
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from sangathan.org import services as org_services
from sangathan.org.models import Person
from sangathan.org.tests.factories import position
from sangathan.privacy.models import ConsentRecord, DataRequest
from sangathan.privacy.public import TICKET_SALT, TICKET_SECONDS, ticket_for
from sangathan.recruitment import selectors as recruitment_selectors
from sangathan.recruitment.models import Application
from sangathan.testing import log_in, pdf_text, status_check
from sangathan.verification.models import MobileChallenge

pytestmark = pytest.mark.django_db

TICKET_RE = re.compile(r'name="ticket" value="([^"]+)"')


def status_page(client, application, mobile):
    """The status page after the code sent to ``mobile`` was typed in (the right code, if one came)."""
    return status_check(client, reference=application.reference, mobile=mobile)


def ticket_of(client, application, mobile="98290 11111") -> str:
    html = status_page(client, application, mobile).content.decode()
    return TICKET_RE.search(html).group(1)


# ---------------------------------------------------------------- the status page


def test_the_status_page_offers_the_data_actions_in_hindi(client, jaipur_app):
    html = status_page(client, jaipur_app, "98290 11111").content.decode()
    assert 'id="my-data"' in html
    assert "आपका डेटा" in html and "सहमति वापस लें" in html
    assert "(संस्करण 1)" in html  # the consent shown, recorded on the way
    assert ConsentRecord.objects.filter(application=jaipur_app).count() == 1
    for name in ("my_json", "my_pdf", "correct", "erase"):
        assert reverse(f"privacy:{name}") in html
    # No actions without a successful look-up.
    html = status_page(client, jaipur_app, "98290 99999").content.decode()
    assert 'id="my-data"' not in html and 'name="ticket"' not in html


@pytest.mark.slow
def test_download_holds_my_data_and_nobody_elses(client, jaipur_app, ajmer_app):
    ticket = ticket_of(client, jaipur_app)
    response = client.post(reverse("privacy:my_json"), {"ticket": ticket})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["applications"][0]["name_en"] == "Seema Meena"
    assert data["applications"][0]["mobile"] == jaipur_app.mobile
    assert data["consents"][0]["withdrawn_at"] is None
    text = response.content.decode()
    assert "Arjun" not in text and ajmer_app.mobile not in text and ajmer_app.reference not in text
    html = client.post(reverse("privacy:my_html"), {"ticket": ticket}).content.decode()
    assert "सीमा मीणा" in html and "Arjun" not in html
    pdf = client.post(reverse("privacy:my_pdf"), {"ticket": ticket})
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Seema Meena" in text and jaipur_app.reference in text and "Arjun" not in text
    assert "आवेदन" in text or "Applications" in text
    assert DataRequest.objects.filter(kind="access", application=jaipur_app, status="done").count() == 3


@pytest.mark.parametrize(
    "ticket",
    ["", "nonsense", "x" * 600, "<script>alert(1)</script>", "' OR 1=1 --"],
)
def test_a_bad_ticket_is_refused_kindly(client, jaipur_app, ticket):
    for name in ("my_json", "correct", "erase"):
        response = client.post(reverse(f"privacy:{name}"), {"ticket": ticket, "details": "x", "confirm": "on"})
        assert response.status_code == 400
        assert "30" in response.content.decode()
    assert not DataRequest.objects.exists()
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"


def test_a_ticket_is_for_one_application_and_expires(client, jaipur_app, ajmer_app, settings):
    ticket_of(client, jaipur_app)  # the code for Jaipur's number is confirmed
    challenge = MobileChallenge.objects.get(confirmed_at__isnull=False)
    # A ticket naming another application with the code confirmed for this number does not work.
    forged = signing.dumps({"a": ajmer_app.pk, "c": challenge.pk}, salt=TICKET_SALT)
    assert client.post(reverse("privacy:my_json"), {"ticket": forged}).status_code == 400
    # Nor one naming a code that was never confirmed.
    unconfirmed = signing.dumps({"a": jaipur_app.pk, "c": challenge.pk + 1000}, salt=TICKET_SALT)
    assert client.post(reverse("privacy:my_json"), {"ticket": unconfirmed}).status_code == 400
    # An expired one neither.
    old = ticket_for(jaipur_app, challenge)
    import time

    real = time.time
    try:
        time.time = lambda: real() + TICKET_SECONDS + 5
        assert client.post(reverse("privacy:my_json"), {"ticket": old}).status_code == 400
    finally:
        time.time = real
    assert client.post(reverse("privacy:my_json"), {"ticket": old}).status_code == 200


def test_only_post(client, jaipur_app):
    assert client.get(reverse("privacy:my_json")).status_code == 405
    assert client.get(reverse("privacy:erase")).status_code == 405


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ("", "Write what is wrong"),
        ("   \u200b\u200b  ", "Write what is wrong"),
        ("x" * 1001, "at most 1000"),
    ],
)
def test_a_correction_request_with_bad_input_changes_nothing(client, jaipur_app, details, message):
    client.cookies["django_language"] = "en"
    ticket = ticket_of(client, jaipur_app)
    response = client.post(reverse("privacy:correct"), {"ticket": ticket, "details": details})
    assert response.status_code == 200 and message in response.content.decode()
    assert not DataRequest.objects.exists()


def test_correction_request_flow(client, cast, jaipur_app):
    ticket = ticket_of(client, jaipur_app)
    text = "नाम में 'मीणा' की जगह 'मीना' <script>alert(1)</script> =HYPERLINK(\"x\")"
    response = client.post(reverse("privacy:correct"), {"ticket": ticket, "details": text})
    assert response.status_code == 200 and "अनुरोध" in response.content.decode()
    request = DataRequest.objects.get(kind="correction")
    assert request.details == text and request.status == "open" and request.via == "status_page"

    admin = log_in(client, cast.district_admin)
    listing = admin.get(reverse("privacy:requests")).content.decode()
    assert reverse("privacy:request", args=[request.pk]) in listing
    page = admin.get(reverse("privacy:request", args=[request.pk])).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    response = admin.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "refused", "note": ""})
    request.refresh_from_db()
    assert request.status == "open"  # a refusal needs a reason
    admin.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "done", "note": "Corrected"})
    request.refresh_from_db()
    assert (request.status, request.resolved_by, request.resolution) == ("done", cast.district_admin, "Corrected")


def test_erasure_needs_confirmation(client, jaipur_app):
    client.cookies["django_language"] = "en"
    ticket = ticket_of(client, jaipur_app)
    asked = client.post(reverse("privacy:erase"), {"ticket": ticket, "step": "ask"}).content.decode()
    assert "cannot be undone" in asked and 'name="confirm"' in asked
    response = client.post(reverse("privacy:erase"), {"ticket": ticket})
    assert "Tick the box" in response.content.decode()
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"
    assert not DataRequest.objects.exists()


@pytest.mark.slow
def test_erased_applicant_is_gone_from_every_page_search_export_and_api(client, cast, campaign, tree, jaipur_app):
    person = org_services.appointment_create_for_mobile(
        unit=tree.booth1,
        position=campaign.positions.get(position__code="representative").position,
        mobile=jaipur_app.mobile,
        name_hi="सीमा मीणा",
        name_en="Seema Meena",
        by=cast.state_admin,
    ).person
    org_services.appointment_relieve(appointment=person.appointments.get(), reason="Left", by=cast.state_admin)
    applications = Application.objects.filter(campaign=campaign)
    funnel_before = recruitment_selectors.funnel(applications, {"applied": "a", "appointed": "p"})
    mobile_digits = jaipur_app.mobile[3:]

    ticket = ticket_of(client, jaipur_app)
    response = client.post(reverse("privacy:erase"), {"ticket": ticket, "confirm": "on"})
    assert response.status_code == 200 and "मिटा" in response.content.decode()
    assert ConsentRecord.objects.get(application=jaipur_app).withdrawn_at is not None

    staff = log_in(client, cast.state_admin)
    pages = [
        reverse("recruitment:dashboard", args=[campaign.slug]),
        reverse("recruitment:queue", args=[campaign.slug]),
        reverse("recruitment:application", args=[jaipur_app.pk]),
        reverse("recruitment:export_csv", args=[campaign.slug]),
        reverse("recruitment:export_xlsx", args=[campaign.slug]),
        reverse("org:search") + "?q=Seema",
        reverse("org:search") + f"?q={mobile_digits}",
        reverse("org:search") + "?q=सीमा",
        reverse("org:person", args=[person.pk]),
        reverse("org:unit", args=[tree.booth1.pk]),
        reverse("privacy:requests"),
    ]
    for url in pages:
        response = staff.get(url)
        assert response.status_code == 200, url
        if url.endswith("xlsx"):
            rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
            body = repr([list(row) for row in rows])
        elif response.streaming:
            body = b"".join(response.streaming_content).decode()
        else:
            body = response.content.decode()
        if "?q=" in url:  # a search page repeats what was searched for; the results must not
            body = body.replace(url.split("?q=")[1], "")
            assert reverse("org:person", args=[person.pk]) not in body
        for old in ("Seema", "सीमा", mobile_digits, "@seema"):
            assert old not in body, (url, old)

    api = APIClient()
    api.force_authenticate(cast.state_admin)
    for url in ("/api/v1/people/", f"/api/v1/people/{person.pk}/", f"/api/v1/people/?search={mobile_digits}"):
        body = api.get(url).content.decode()
        assert "Seema" not in body and mobile_digits not in body, url
    # The status page does not find it either; the counts stay.
    html = status_page(client, jaipur_app, "98290 11111").content.decode()
    assert 'id="status-result"' not in html
    assert recruitment_selectors.funnel(applications, {"applied": "a", "appointed": "p"}) == funnel_before
    assert Person.objects.filter(pk=person.pk).exists()


# ---------------------------------------------------------------- staff pages and scope


def test_admin_raises_a_request_on_someones_behalf(client, cast, jaipur_app):
    admin = log_in(client, cast.district_admin)
    response = admin.post(
        reverse("privacy:new"), {"subject": jaipur_app.reference.lower(), "kind": "access", "details": ""}
    )
    request = DataRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("privacy:request", args=[request.pk])
    assert (request.via, request.raised_by, request.status) == ("staff", cast.district_admin, "done")
    data = admin.get(reverse("privacy:request_json", args=[request.pk]))
    assert json.loads(data.content)["applications"][0]["reference"] == jaipur_app.reference
    # By mobile number, for erasure: done at once.
    admin.post(reverse("privacy:new"), {"subject": "98290 11111", "kind": "erasure"})
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Erased"


@pytest.mark.parametrize(
    "post",
    [
        {"subject": "", "kind": "access"},
        {"subject": "RJ-2026-ZZZZ", "kind": "access"},
        {"subject": "x" * 41, "kind": "access"},
        {"subject": "98290 11111", "kind": "nonsense"},
        {"subject": "98290 11111", "kind": "correction", "details": ""},
        {"subject": "98290 11111", "kind": "correction", "details": "y" * 1001},
        {"subject": '=HYPERLINK("http://x")', "kind": "access"},
        {"subject": "98290\u200b11111' OR 1=1 --", "kind": "erasure"},
    ],
)
def test_staff_form_bad_input_changes_nothing(client, cast, jaipur_app, post):
    response = log_in(client, cast.district_admin).post(reverse("privacy:new"), post)
    assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert not DataRequest.objects.exists()
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"


def test_sibling_district_admin_can_neither_raise_nor_see_requests(client, cast, jaipur_app):
    request = DataRequest.objects.create(
        kind="correction", via="status_page", application=jaipur_app, unit=jaipur_app.home_unit, details="नाम ठीक करें"
    )
    person = Person.objects.create(name_en="Ravi", mobile="+919829077777", home_unit=jaipur_app.home_unit)
    sibling = log_in(client, cast.sibling_admin)
    assert (
        reverse("privacy:request", args=[request.pk]) not in sibling.get(reverse("privacy:requests")).content.decode()
    )
    for url in (
        reverse("privacy:request", args=[request.pk]),
        reverse("privacy:request_json", args=[request.pk]),
        reverse("privacy:new") + f"?person={person.pk}",
    ):
        assert sibling.get(url).status_code == 404, url
    assert sibling.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "done"}).status_code == 404
    # Raising by reference or mobile: "nobody in your area", nothing written.
    for subject in (jaipur_app.reference, "98290 11111", "98290 77777"):
        response = sibling.post(reverse("privacy:new"), {"subject": subject, "kind": "erasure"})
        assert response.status_code == 200 and "error" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "open" and DataRequest.objects.count() == 1
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"
    assert Person.objects.get(pk=person.pk).name_en == "Ravi"


def test_viewer_sees_no_requests_and_cannot_resolve(client, cast, jaipur_app):
    request = DataRequest.objects.create(
        kind="erasure", via="status_page", application=jaipur_app, unit=jaipur_app.home_unit
    )
    viewer = log_in(client, cast.viewer)
    assert "No requests" in viewer.get(reverse("privacy:requests")).content.decode()
    assert viewer.get(reverse("privacy:request", args=[request.pk])).status_code == 404
    assert viewer.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "done"}).status_code == 404
    assert viewer.get(reverse("privacy:new")).status_code == 404
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"


def test_request_list_query_count_is_pinned(client, cast, jaipur_app, django_assert_max_num_queries):
    for _ in range(15):
        DataRequest.objects.create(
            kind="correction", via="status_page", application=jaipur_app, unit=jaipur_app.home_unit, details="x"
        )
    admin = log_in(client, cast.district_admin)
    admin.get(reverse("privacy:requests"))
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("privacy:requests")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("privacy:requests")).status_code == 302


def test_the_public_actions_are_rate_limited(client, jaipur_app, settings):
    settings.PRIVACY_REQUEST_RATE_IP = "2/h"
    ticket = ticket_of(client, jaipur_app)
    codes = [client.post(reverse("privacy:my_json"), {"ticket": ticket}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert DataRequest.objects.count() == 2


def test_admin_handles_an_office_bearers_erasure(client, cast, tree):
    appointment = org_services.appointment_create_for_mobile(
        unit=tree.booth1,
        position=position("booth", "representative"),
        mobile="98290 44444",
        name_hi="गोपाल शर्मा",
        name_en="Gopal Sharma",
        by=cast.state_admin,
    )
    person = appointment.person
    admin = log_in(client, cast.district_admin)
    assert admin.get(reverse("privacy:new") + f"?person={person.pk}").status_code == 200
    admin.post(reverse("privacy:new"), {"subject": "+91 98290 44444", "kind": "erasure"})
    request = DataRequest.objects.get()
    assert (request.person, request.status, request.unit) == (person, "open", tree.booth1)
    # Still in post: "relieve first", nothing erased.
    page = admin.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "done"}, follow=True)
    assert "Relieve them first" in page.content.decode()
    assert Person.objects.get(pk=person.pk).name_en == "Gopal Sharma"
    org_services.appointment_relieve(appointment=appointment, reason="Moved away", by=cast.district_admin)
    admin.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "done"})
    request.refresh_from_db()
    assert request.status == "done"
    assert Person.objects.get(pk=person.pk).name_en == "Erased"
    page = admin.get(reverse("org:unit", args=[tree.booth1.pk])).content.decode()
    assert "Gopal" not in page and "गोपाल" not in page


def test_an_office_bearers_own_erasure_request_waits_and_is_not_doubled(client, cast, tree, jaipur_app):
    org_services.appointment_create_for_mobile(
        unit=tree.booth1,
        position=position("booth", "representative"),
        mobile=jaipur_app.mobile,
        name_en="Seema Meena",
        by=cast.state_admin,
    )
    for _ in range(2):
        ticket = ticket_of(client, jaipur_app)
        html = client.post(reverse("privacy:erase"), {"ticket": ticket, "confirm": "on"}).content.decode()
        assert "पदमुक्त" in html
    assert DataRequest.objects.filter(kind="erasure", status="open").count() == 1
    html = status_page(client, jaipur_app, "98290 11111").content.decode()
    assert "आपने अपना डेटा मिटाने का अनुरोध किया है" in html and 'name="step"' not in html
    assert "सहमति वापस ली" in html  # the consent shows as withdrawn
    assert Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"


def test_a_recruiter_sees_requests_in_scope_but_cannot_close_them(client, tree, jaipur_app):
    from sangathan.access.models import Role, RoleAssignment
    from sangathan.org.tests.factories import UserFactory

    recruiter = UserFactory(username="recruiter")
    RoleAssignment.objects.create(user=recruiter, unit=tree.jaipur, role=Role.RECRUITER)
    request = DataRequest.objects.create(
        kind="erasure", via="status_page", application=jaipur_app, unit=jaipur_app.home_unit
    )
    user = log_in(client, recruiter)
    page = user.get(reverse("privacy:request", args=[request.pk]))
    assert page.status_code == 200 and reverse("privacy:resolve", args=[request.pk]) not in page.content.decode()
    assert user.post(reverse("privacy:resolve", args=[request.pk]), {"outcome": "done"}).status_code == 403
    assert user.get(reverse("privacy:new")).status_code == 404
    request.refresh_from_db()
    assert request.status == "open" and Application.objects.get(pk=jaipur_app.pk).name_en == "Seema Meena"
