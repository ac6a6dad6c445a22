"""The public check-in page the camp's QR code opens, and the certificate link shown after it."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from sangathan.training import services
from sangathan.training.models import Attendance, Completion, Person


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live_camp(tree, programme, people):
    """A camp running now (relative to the clock, so the page's own "now" is inside its window)."""
    now = timezone.now()
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="ब्लॉक कार्यालय, आमेर",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=4),
    )
    services.invitations_generate(camp=camp)
    return camp


def url_of(camp):
    return reverse("training_public:check_in", args=[camp.check_in_token])


def test_page_shows_the_camp_and_asks_for_the_mobile(client, live_camp):
    response = client.get(url_of(live_camp))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ब्लॉक कार्यालय, आमेर" in html and 'name="mobile"' in html
    assert 'name="name"' not in html  # no walk-ins: no name field


def test_unknown_token_is_a_friendly_404(client, db):
    response = client.get(reverse("training_public:check_in", args=["not-a-token"]))
    assert response.status_code == 404


def test_invited_person_checks_in_and_gets_the_certificate_link(client, live_camp, people):
    response = client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile[3:]})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="checked-in"' in html
    assert people.booth1_rep.name_hi in html
    attendance = Attendance.objects.get()
    assert attendance.method == Attendance.Method.QR and attendance.person == people.booth1_rep
    link = reverse("training_public:certificate", args=["X"]).replace("X/", "")
    assert link in html
    token = html.split(link, 1)[1].split("/", 1)[0]
    assert f"{link}{token}/?lang=hi" in html
    pdf = client.get(reverse("training_public:certificate", args=[token]))
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("training_public:certificate", args=[token + "x"])).status_code == 404


def test_double_scan_is_friendly_and_creates_nothing(client, live_camp, people):
    client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile})
    response = client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="checked-in"' in html
    assert Attendance.objects.count() == 1 and Completion.objects.count() == 1


def test_not_invited_is_refused_without_saying_who_is_known(client, live_camp, people):
    known = client.post(url_of(live_camp), {"mobile": people.kishangarh_in_charge.mobile}).content.decode()
    unknown = client.post(url_of(live_camp), {"mobile": "9876501234"}).content.decode()
    assert 'id="refusal"' in known and 'id="refusal"' in unknown
    assert people.kishangarh_in_charge.name_hi not in known
    assert not Attendance.objects.exists()


def test_bad_mobile_is_a_field_error(client, live_camp):
    response = client.post(url_of(live_camp), {"mobile": "12345"})
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert not Attendance.objects.exists()


def test_walk_in_with_name(client, live_camp):
    services.camp_set_walk_ins(camp=live_camp, allow=True)
    page = client.get(url_of(live_camp)).content.decode()
    assert 'name="name"' in page
    response = client.post(url_of(live_camp), {"mobile": "9876501234", "name": ""})
    assert "has-error" in response.content.decode() and not Attendance.objects.exists()
    response = client.post(url_of(live_camp), {"mobile": "9876501234", "name": "Sunil Kumar"})
    assert 'id="checked-in"' in response.content.decode()
    assert Attendance.objects.get().method == Attendance.Method.WALK_IN
    assert Person.objects.get(mobile="+919876501234").name_en == "Sunil Kumar"


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
    response = client.post(url_of(camp), {"mobile": people.booth1_rep.mobile})
    assert 'id="refusal"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_rate_limited_per_mobile_and_per_ip(client, live_camp, people, settings):
    settings.TRAINING_CHECK_IN_RATE_MOBILE = "2/h"
    for _ in range(2):
        assert client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile}).status_code == 200
    assert client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile}).status_code == 429
    cache.clear()
    settings.TRAINING_CHECK_IN_RATE_IP = "1/h"
    assert client.post(url_of(live_camp), {"mobile": people.booth1_rep.mobile}).status_code == 200
    response = client.post(url_of(live_camp), {"mobile": people.amer_in_charge.mobile})
    assert response.status_code == 429
    assert not Attendance.objects.filter(person=people.amer_in_charge).exists()
