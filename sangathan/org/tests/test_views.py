import pytest
from django.urls import reverse

from sangathan.org import services
from sangathan.org.models import Appointment, CommitteeEvent, Person
from sangathan.org.selectors import coverage_for_unit
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def jaipur_rep(tree):
    return services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=PersonFactory(home_unit=tree.booth1)
    )


def test_login_page_renders_in_hindi_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "लॉग इन" in response.content.decode()


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("org:unit", args=[tree.jaipur.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_home_goes_to_the_users_unit(client, cast, tree):
    response = log_in(client, cast.district_admin, language="hi").get(reverse("home"))
    assert response["Location"] == reverse("org:unit", args=[tree.jaipur.pk])


def test_user_without_role_sees_nothing(client, cast, tree):
    response = log_in(client, cast.outsider, language="hi").get(reverse("home"))
    assert response.status_code == 200
    assert "Jaipur" not in response.content.decode()
    assert (
        log_in(client, cast.outsider, language="hi").get(reverse("org:unit", args=[tree.rajasthan.pk])).status_code
        == 404
    )


def test_unit_page_shows_committee_children_and_bars(client, cast, tree, jaipur_rep):
    response = log_in(client, cast.state_admin).get(reverse("org:unit", args=[tree.rajasthan.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "State chairman" in html or "प्रदेश चेयरमैन" in html
    assert "Jaipur" in html or "जयपुर" in html
    assert 'class="bar"' in html
    assert "1/3" in html  # one of three booths has its representative


def test_unit_page_query_count_does_not_grow_with_children(client, cast, tree, django_assert_max_num_queries):
    log_in(client, cast.state_admin, language="hi")
    with django_assert_max_num_queries(25):
        client.get(reverse("org:unit", args=[tree.amer.pk]))
    for number in range(10, 40):
        services.unit_create(parent=tree.amer, level=tree.booth1.level, name_en=f"B{number}", number=number)
    with django_assert_max_num_queries(25):
        client.get(reverse("org:unit", args=[tree.amer.pk]))


def test_appoint_with_confirmation(client, cast, tree):
    log_in(client, cast.district_admin, language="hi")
    url = reverse("org:appoint", args=[tree.booth2.pk])
    rep = position("booth", "representative")
    data = {"position": rep.pk, "mobile": "98290 11111", "name_hi": "सीमा मीणा", "name_en": "Seema Meena"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Confirm" in response.content.decode() or "पुष्टि" in response.content.decode()
    assert not Appointment.objects.filter(unit=tree.booth2).exists()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    appointment = Appointment.objects.get(unit=tree.booth2)
    assert appointment.person.mobile == "+919829011111"
    assert appointment.appointed_by == cast.district_admin
    booth_row = next(r for r in coverage_for_unit(tree.jaipur) if r.level.code == "booth")
    assert booth_row.units_key_filled == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "12345"), ("mobile", ""), ("name_hi", "क" * 121), ("position", "999999"), ("position", "abc")],
)
def test_appoint_bad_input_changes_nothing(client, cast, tree, field, value):
    log_in(client, cast.district_admin, language="hi")
    data = {"position": position("booth", "representative").pk, "mobile": "9829011111", "name_en": "X", "confirm": "1"}
    data[field] = value
    response = client.post(reverse("org:appoint", args=[tree.booth2.pk]), data)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Appointment.objects.exists()
    assert not Person.objects.exists()


def test_appoint_into_full_seat_shows_the_reason(client, cast, tree, jaipur_rep):
    log_in(client, cast.district_admin)
    data = {"position": jaipur_rep.position_id, "mobile": "9829011112", "name_en": "Second", "confirm": "1"}
    response = client.post(reverse("org:appoint", args=[tree.booth1.pk]), data)
    assert response.status_code == 200
    assert "seats" in response.content.decode()
    assert Appointment.objects.filter(unit=tree.booth1).count() == 1
    assert not Person.objects.filter(mobile="+919829011112").exists()


def test_relieve_and_dissolve(client, cast, tree, jaipur_rep):
    log_in(client, cast.district_admin, language="hi")
    response = client.post(reverse("org:relieve", args=[jaipur_rep.pk]), {"reason": "Inactive"})
    assert response.status_code == 302
    jaipur_rep.refresh_from_db()
    assert jaipur_rep.status == "relieved"
    services.appointment_create(unit=tree.jaipur, position=position("district", "in_charge"), person=PersonFactory())
    response = client.post(
        reverse("org:dissolve", args=[tree.jaipur.pk]), {"reason": "Rebuild", "include_subtree": "on"}
    )
    assert response.status_code == 302
    assert not Appointment.objects.filter(status="active").exists()
    assert CommitteeEvent.objects.get().include_subtree


def test_reconstitute_page(client, cast, tree):
    log_in(client, cast.district_admin, language="hi")
    url = reverse("org:reconstitute", args=[tree.booth1.pk])
    assert client.get(url).status_code == 200
    rep = position("booth", "representative")
    response = client.post(
        url, {"reason": "Fresh team", f"s{rep.pk}_1-mobile": "9829022222", f"s{rep.pk}_1-name_en": "New Rep"}
    )
    assert response.status_code == 302
    assert Appointment.objects.get(unit=tree.booth1, status="active").person.name_en == "New Rep"


def test_search_finds_units_and_people_in_scope_only(client, cast, tree, jaipur_rep):
    log_in(client, cast.sibling_admin, language="hi")
    html = client.get(reverse("org:search"), {"q": "Amer"}).content.decode()
    assert "Amer School" not in html
    html = client.get(reverse("org:search"), {"q": jaipur_rep.person.mobile[3:]}).content.decode()
    assert jaipur_rep.person.name_en not in html
    log_in(client, cast.district_admin)
    html = client.get(reverse("org:search"), {"q": "Amer"}).content.decode()
    assert "Amer School" in html
    html = client.get(reverse("org:search"), {"q": "1"}).content.decode()
    assert "Kishangarh" not in html


class TestSiblingDistrictIsSealedOff:
    """The sibling district's admin gets 404 for everything of Jaipur, and nothing changes."""

    def test_pages_are_not_found(self, client, cast, tree, jaipur_rep):
        log_in(client, cast.sibling_admin, language="hi")
        for url in [
            reverse("org:unit", args=[tree.jaipur.pk]),
            reverse("org:unit", args=[tree.booth1.pk]),
            reverse("org:appoint", args=[tree.booth1.pk]),
            reverse("org:dissolve", args=[tree.jaipur.pk]),
            reverse("org:reconstitute", args=[tree.jaipur.pk]),
            reverse("org:relieve", args=[jaipur_rep.pk]),
            reverse("org:person", args=[jaipur_rep.person_id]),
        ]:
            assert client.get(url).status_code == 404, url

    def test_writes_are_not_found_and_change_nothing(self, client, cast, tree, jaipur_rep):
        log_in(client, cast.sibling_admin, language="hi")
        rep = position("booth", "representative")
        assert client.post(reverse("org:relieve", args=[jaipur_rep.pk]), {"reason": "x"}).status_code == 404
        assert client.post(reverse("org:dissolve", args=[tree.jaipur.pk]), {"reason": "x"}).status_code == 404
        data = {"position": rep.pk, "mobile": "9829033333", "name_en": "Intruder", "confirm": "1"}
        assert client.post(reverse("org:appoint", args=[tree.booth2.pk]), data).status_code == 404
        jaipur_rep.refresh_from_db()
        assert jaipur_rep.status == "active"
        assert Appointment.objects.count() == 1
        assert not CommitteeEvent.objects.exists()

    def test_the_parent_state_is_not_visible_either(self, client, cast, tree):
        log_in(client, cast.sibling_admin, language="hi")
        assert client.get(reverse("org:unit", args=[tree.rajasthan.pk])).status_code == 404


def test_viewer_may_look_but_not_change(client, cast, tree, jaipur_rep):
    log_in(client, cast.viewer, language="hi")
    assert client.get(reverse("org:unit", args=[tree.jaipur.pk])).status_code == 200
    assert client.get(reverse("org:appoint", args=[tree.booth2.pk])).status_code == 403
    assert client.post(reverse("org:relieve", args=[jaipur_rep.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("org:dissolve", args=[tree.jaipur.pk]), {"reason": "x"}).status_code == 403
    jaipur_rep.refresh_from_db()
    assert jaipur_rep.status == "active"


def test_language_switch_to_english(client, cast, tree):
    log_in(client, cast.district_admin, language="hi")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("org:unit", args=[tree.jaipur.pk])).content.decode()
    assert "Committee" in html
    client.post(reverse("set_language"), {"language": "hi", "next": "/"})
    html = client.get(reverse("org:unit", args=[tree.jaipur.pk])).content.decode()
    assert "समिति" in html


def test_pages_are_hindi_even_when_the_phone_asks_for_english(client, cast, tree):
    log_in(client, cast.district_admin, language="hi")
    html = client.get(reverse("org:unit", args=[tree.jaipur.pk]), HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "समिति" in html


@pytest.mark.parametrize(
    "query", ["²", "\x00", "a\x00b", "٣", "९", "x" * 5000, "' OR 1=1 --", "<script>alert(1)</script>"]
)
def test_search_never_fails(client, cast, tree, query):
    log_in(client, cast.district_admin, language="hi")
    response = client.get(reverse("org:search"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_by_number_only_for_those_who_see_numbers(client, cast, tree, jaipur_rep):
    number = jaipur_rep.person.mobile[3:]
    log_in(client, cast.viewer)  # Jaipur, numbers masked
    assert jaipur_rep.person.name_en not in client.get(reverse("org:search"), {"q": number}).content.decode()
    assert (
        jaipur_rep.person.name_en
        in client.get(reverse("org:search"), {"q": jaipur_rep.person.name_en}).content.decode()
    )
    log_in(client, cast.district_admin)
    assert jaipur_rep.person.name_en in client.get(reverse("org:search"), {"q": number}).content.decode()


def test_search_by_devanagari_number(client, cast, tree):
    log_in(client, cast.district_admin)
    html = client.get(reverse("org:search"), {"q": "४५"}).content.decode()
    assert "Jaipur North" in html


def test_dissolve_page_counts_the_committees_below(client, cast, tree, jaipur_rep):
    log_in(client, cast.district_admin)
    html = client.get(reverse("org:dissolve", args=[tree.jaipur.pk])).content.decode()
    assert "1 more office-bearer will be relieved" in html


def test_person_page_hides_a_home_unit_outside_scope(client, cast, tree):
    person = PersonFactory(home_unit=tree.ajmer_booth, name_en="Ajmer Person")
    services.appointment_create(unit=tree.booth1, position=position("booth", "volunteer"), person=person)
    log_in(client, cast.district_admin, language="hi")
    html = client.get(reverse("org:person", args=[person.pk])).content.decode()
    assert "Ajmer Person" in html and "Kishangarh" not in html


def test_csrf_failure_is_a_friendly_page(cast, tree):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.district_admin)
    response = client.post(reverse("org:relieve", args=[1]), {"reason": "x"})
    assert response.status_code == 403
    assert "फिर" in response.content.decode() or "try again" in response.content.decode()
