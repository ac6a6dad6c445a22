"""The public check-in page the camp's QR code opens, and the certificate link shown after it."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from sangathan.training import services
from sangathan.training.models import Attendance, Invitation, WalkInRequest
from sangathan.training.tests.conftest import code_of, url_of

pytestmark = pytest.mark.usefixtures("clear_rate_limits")


def test_page_shows_the_camp_and_asks_for_the_mobile_and_code(client, live_camp):
    response = client.get(url_of(live_camp))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ब्लॉक कार्यालय, आमेर" in html and 'name="mobile"' in html and 'name="code"' in html
    assert 'name="join-name"' not in html  # no walk-ins: no request form


def test_unknown_token_is_a_friendly_404(client, db):
    response = client.get(reverse("training_public:check_in", args=["not-a-token"]))
    assert response.status_code == 404


def test_invited_person_checks_in_and_gets_the_certificate_link(client, live_camp, people):
    code = code_of(live_camp, people.booth1_rep)
    response = client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile[3:], "code": code.lower()})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="checked-in"' in html
    attendance = Attendance.objects.get()
    assert attendance.method == Attendance.Method.QR and attendance.person == people.booth1_rep
    link = reverse("training_public:certificate", args=["X"]).replace("X/", "")
    assert link in html
    token = html.split(link, 1)[1].split("/", 1)[0]
    assert f"{link}{token}/?lang=hi" in html
    pdf = client.get(reverse("training_public:certificate", args=[token]))
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("training_public:certificate", args=[token + "x"])).status_code == 404


def test_bad_mobile_or_code_shape_is_a_field_error(client, live_camp, people):
    response = client.post(url_of(live_camp), {"mobile": "12345", "code": "ABC234"})
    assert response.status_code == 200 and "has-error" in response.content.decode()
    for code in ("", "ABC23", "ABC2345", "ABCDE0", "<b>xx"):
        response = client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile, "code": code})
        assert response.status_code == 200 and "has-error" in response.content.decode(), code
    assert not Attendance.objects.exists()
    assert Invitation.objects.get(camp=live_camp, person=people.booth1_rep).code_failures == 0


def test_outside_the_window_is_refused(client, tree, programme, people):
    now = timezone.now()
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="x",
        starts_at=now + datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=5),
    )
    services.invitations_generate(camp=camp)
    page = client.get(url_of(camp)).content.decode()
    assert "30" in page  # "check-in opens at ..., 30 minutes before the camp"
    response = client.post(url_of(camp), {"mobile": people.booth1_rep.mobile, "code": code_of(camp, people.booth1_rep)})
    assert 'id="refusal"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_rate_limited_per_mobile_and_per_ip(client, live_camp, people, settings):
    settings.TRAINING_CHECK_IN_RATE_MOBILE = "2/h"
    for _ in range(2):
        assert client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile, "code": "ABC234"}).status_code == 200
    assert client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile, "code": "ABC234"}).status_code == 429
    cache.clear()
    settings.TRAINING_CHECK_IN_RATE_IP = "1/h"
    code = code_of(live_camp, people.booth1_rep)
    assert client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile, "code": code}).status_code == 200
    code = code_of(live_camp, people.amer_in_charge)
    response = client.post(url_of(live_camp), {"mobile": people.amer_in_charge.mobile, "code": code})
    assert response.status_code == 429
    assert not Attendance.objects.filter(person=people.amer_in_charge).exists()


def test_walk_in_requests_are_rate_limited(client, live_camp, settings):
    services.camp_set_walk_ins(camp=live_camp, allow=True)
    settings.TRAINING_WALK_IN_RATE_MOBILE = "1/h"
    join = reverse("training_public:walk_in", args=[live_camp.check_in_token])
    data = {"join-name": "Sunil Kumar", "join-mobile": "9876501234"}
    assert client.post(join, data).status_code == 200
    assert client.post(join, data).status_code == 429
    cache.clear()
    settings.TRAINING_WALK_IN_RATE_IP = "1/h"
    assert client.post(join, {"join-name": "A", "join-mobile": "9876501235"}).status_code == 200
    assert client.post(join, {"join-name": "B", "join-mobile": "9876501236"}).status_code == 429
    assert WalkInRequest.objects.count() == 2


def test_walk_in_form_needs_a_name_and_a_good_number(client, live_camp):
    services.camp_set_walk_ins(camp=live_camp, allow=True)
    join = reverse("training_public:walk_in", args=[live_camp.check_in_token])
    for data in ({"join-name": "", "join-mobile": "9876501234"}, {"join-name": "x", "join-mobile": "12"}):
        response = client.post(join, data)
        assert response.status_code == 200 and "has-error" in response.content.decode()
    assert not WalkInRequest.objects.exists()
    # A camp without walk-ins does not take requests: back to the check-in page, nothing saved.
    services.camp_set_walk_ins(camp=live_camp, allow=False)
    assert client.post(join, {"join-name": "x", "join-mobile": "9876501234"}).status_code == 302
    assert not WalkInRequest.objects.exists()
