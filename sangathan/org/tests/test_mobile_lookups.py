"""Appointing by mobile number never tells the user anything about numbers outside their scope: a number of
somebody registered in another district gets the same answer as a number the user may see but not use here
("This number cannot be used here; ask your state office."), nothing changes, the look-up is in the audit
trail (the number masked) and look-ups are limited per user."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from sangathan.audit.models import AuditEntry
from sangathan.org import services
from sangathan.org.errors import OrgError
from sangathan.org.lookups import UNUSABLE
from sangathan.org.models import Appointment, Person, Position
from sangathan.org.phones import display_mobile
from sangathan.org.tests.factories import PersonFactory, position

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def numbers(tree, cast):
    """A number registered in the sibling district (Ajmer), invisible to Jaipur's admin; and one Jaipur's admin
    sees (she holds a post in Jaipur) but may not appoint (she lives in Ajmer): unusable here."""
    elsewhere = PersonFactory(home_unit=tree.ajmer_booth, mobile="+919829011111")
    seen = PersonFactory(home_unit=tree.ajmer_booth, mobile="+919829022222")
    services.appointment_create(unit=tree.booth2, position=position("booth", "volunteer"), person=seen)
    assert not Person.objects.restrict(cast.district_admin).filter(pk=elsewhere.pk).exists()
    assert Person.objects.restrict(cast.district_admin).filter(pk=seen.pk).exists()
    return elsewhere, seen


def _state():
    return (Person.objects.count(), Appointment.objects.count(), list(Appointment.objects.values_list("pk", "status")))


def _same(html: str, typed: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html).replace(typed, "NUMBER")


def _log_in(client, user, settings, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def _post(client, tree, mobile: str, **extra):
    rep = Position.objects.get(level__code="booth", code="representative")
    data = {"position": rep.pk, "mobile": mobile, "name_hi": "", "name_en": "", **extra}
    return client.post(reverse("org:appoint", args=[tree.booth1.pk]), data)


@pytest.mark.parametrize("step", [{}, {"confirm": "1", "name_en": "Somebody"}])
def test_a_number_registered_elsewhere_reads_like_an_unusable_one(client, tree, cast, numbers, step, settings):
    elsewhere, seen = numbers
    _log_in(client, cast.district_admin, settings)
    before = _state()
    pages = []
    for person in (elsewhere, seen):
        typed = display_mobile(person.mobile)
        response = _post(client, tree, typed, **step)
        assert response.status_code == 200
        pages.append(_same(response.content.decode(), typed))
        assert str(UNUSABLE) in response.content.decode()
        assert person.name_en not in response.content.decode() and person.name_hi not in response.content.decode()
    assert pages[0] == pages[1]
    assert _state() == before
    # Each refused look-up is an entry on the unit, the number masked, nothing about whose it is.
    entries = AuditEntry.objects.filter(additional_data__mobile_lookup="appoint").order_by("id")
    assert [e.additional_data["outcome"] for e in entries] == ["refused", "refused"]
    assert [e.additional_data["mobile"] for e in entries] == ["+91 98•••••111", "+91 98•••••222"]
    assert all(e.actor == cast.district_admin and e.object_pk == str(tree.booth1.pk) for e in entries)
    for entry in entries:
        text = repr((entry.object_repr, entry.changes, entry.changes_text, entry.additional_data))
        assert "9829011111" not in text and "9829022222" not in text and "Ajmer" not in text


def test_a_new_number_and_a_usable_one_still_go_ahead(client, tree, cast, numbers, settings):
    mine = PersonFactory(home_unit=tree.booth2, mobile="+919829033333")
    _log_in(client, cast.district_admin, settings)
    page = _post(client, tree, "98290 33333").content.decode()
    assert "Confirm appointment" in page and mine.name_en in page
    page = _post(client, tree, "98290 44444", name_en="New Person").content.decode()
    assert "Confirm appointment" in page and "New Person" in page
    assert not AuditEntry.objects.filter(additional_data__has_key="mobile_lookup").exists()


def test_the_state_office_may_appoint_both(tree, cast, numbers):
    elsewhere, seen = numbers
    for person in (elsewhere, seen):
        appointment = services.appointment_create_for_mobile(
            unit=tree.booth1, position=position("booth", "volunteer"), mobile=person.mobile, by=cast.state_admin
        )
        assert appointment.person == person
        appointment.delete()


def test_the_api_answers_alike_and_audits(client, tree, cast, numbers):
    elsewhere, seen = numbers
    client.force_login(cast.district_admin)
    rep = Position.objects.get(level__code="booth", code="representative")
    before = _state()
    answers = []
    for person in (elsewhere, seen):
        response = client.post(
            f"{API}/appointments/",
            {"unit": tree.booth1.pk, "position": rep.pk, "mobile": display_mobile(person.mobile)},
            content_type="application/json",
        )
        assert response.status_code == 400
        answers.append(response.json())
    assert answers[0] == answers[1] and str(UNUSABLE) in str(answers[0])
    assert _state() == before
    assert (
        AuditEntry.objects.filter(additional_data__mobile_lookup="appoint", additional_data__outcome="refused").count()
        == 2
    )


def test_reconstituting_with_a_number_from_elsewhere_is_refused_alike(tree, cast, numbers):
    elsewhere, _seen = numbers
    rep = position("booth", "representative")
    with pytest.raises(OrgError) as error:
        services.committee_reconstitute_for_mobiles(
            unit=tree.booth1, entries=[(rep, elsewhere.mobile, "", "")], reason="New team", by=cast.district_admin
        )
    assert error.value.messages == [str(UNUSABLE)]
    entry = AuditEntry.objects.get(additional_data__mobile_lookup="reconstitute")
    assert entry.additional_data["outcome"] == "refused"


def test_look_ups_are_limited_per_user_kindly(client, tree, cast, numbers, settings):
    settings.MOBILE_LOOKUP_RATE_USER = "3/h"
    cache.clear()
    _log_in(client, cast.district_admin, settings)
    for n in range(3):
        assert _post(client, tree, f"98290 5555{n}", name_en="New").status_code == 200
    before = _state()
    response = _post(client, tree, "98290 55559", name_en="New", confirm="1")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "looked up many mobile numbers" in response.content.decode()
    assert _state() == before
    # The API counts against the same limit; another user is not limited.
    api = client.post(
        f"{API}/appointments/",
        {"unit": tree.booth1.pk, "position": position("booth", "volunteer").pk, "mobile": "98290 55558"},
        content_type="application/json",
    )
    assert api.status_code == 429 and api["Retry-After"] == "3600"
    assert _state() == before
    limited = AuditEntry.objects.filter(additional_data__outcome="rate_limited")
    assert limited.count() == 1 and limited.get().actor == cast.district_admin  # once an hour, not per request
    _log_in(client, cast.state_admin, settings)
    assert _post(client, tree, "98290 55557", name_en="New").status_code == 200
    cache.clear()


def test_look_ups_are_limited_in_hindi_too(client, tree, cast, settings):
    settings.MOBILE_LOOKUP_RATE_USER = "1/h"
    cache.clear()
    _log_in(client, cast.district_admin, settings, language="hi")
    _post(client, tree, "98290 55550", name_en="New")
    response = _post(client, tree, "98290 55551", name_en="New")
    page = response.content.decode()
    assert response.status_code == 429 and "कृपया कुछ देर रुकें" in page and "कुछ भी नहीं बदला गया" in page
    cache.clear()
