import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.scope import can, scope_paths, top_units
from sangathan.org import services
from sangathan.org.models import Appointment, Person, Unit
from sangathan.org.tests.factories import PersonFactory, UserFactory, position

pytestmark = pytest.mark.django_db


def test_roles_cover_their_subtree_only(cast, tree):
    assert can(cast.district_admin, "appoint", tree.booth1)
    assert can(cast.district_admin, "view", tree.jaipur)
    assert not can(cast.district_admin, "view", tree.rajasthan)
    assert not can(cast.district_admin, "view", tree.ajmer_booth)
    assert can(cast.state_admin, "import_units", tree.ajmer)
    assert not can(cast.district_admin, "import_units", tree.jaipur)
    assert can(cast.viewer, "view", tree.booth1)
    assert not can(cast.viewer, "appoint", tree.booth1)


def test_no_role_means_nothing(cast, tree):
    assert scope_paths(cast.outsider) == []
    assert not Unit.objects.restrict(cast.outsider).exists()
    assert top_units(cast.outsider) == []


def test_querysets_are_restricted(cast, tree):
    ids = set(Unit.objects.restrict(cast.sibling_admin).values_list("id", flat=True))
    assert tree.ajmer.id in ids and tree.ajmer_booth.id in ids
    assert tree.jaipur.id not in ids and tree.rajasthan.id not in ids


def test_person_is_in_scope_by_home_or_by_appointment(cast, tree):
    home_in_ajmer = PersonFactory(home_unit=tree.ajmer_booth)
    services.appointment_create(unit=tree.booth1, position=position("booth", "representative"), person=home_in_ajmer)
    nowhere = PersonFactory()
    jaipur_people = set(Person.objects.restrict(cast.district_admin))
    assert home_in_ajmer in jaipur_people and nowhere not in jaipur_people
    assert home_in_ajmer in set(Person.objects.restrict(cast.sibling_admin))
    assert Person.objects.restrict(cast.district_admin).filter(pk=home_in_ajmer.pk).count() == 1  # no duplicates
    ajmer_appointments = Appointment.objects.restrict(cast.sibling_admin)
    assert not ajmer_appointments.exists()


def test_several_roles_add_up(cast, tree):
    RoleAssignment.objects.create(user=cast.district_admin, unit=tree.ajmer_booth, role=Role.VIEWER)
    from sangathan.access.scope import forget_roles

    forget_roles(cast.district_admin)
    assert can(cast.district_admin, "view", tree.ajmer_booth)
    assert not can(cast.district_admin, "appoint", tree.ajmer_booth)
    assert {u.pk for u in top_units(cast.district_admin)} == {tree.jaipur.pk, tree.ajmer_booth.pk}


def test_superuser_sees_everything(tree):
    boss = UserFactory(is_superuser=True)
    assert scope_paths(boss) is None
    assert Unit.objects.restrict(boss).count() == Unit.objects.count()


def test_inactive_user_sees_nothing(cast, tree):
    cast.state_admin.is_active = False
    assert scope_paths(cast.state_admin) == []


@pytest.fixture
def staff_sibling(cast):
    user = cast.sibling_admin
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["org", "access"], codename__startswith="view_")
        | Permission.objects.filter(codename__in=["change_unit", "change_person"])
    )
    return user


def test_admin_lists_are_scoped(client, staff_sibling, tree):
    services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=PersonFactory(name_en="Jaipur Person")
    )
    client.force_login(staff_sibling)
    for name in ["org_unit", "org_person", "org_appointment", "access_roleassignment"]:
        client.cookies["django_language"] = "en"
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "Jaipur" not in html, name
    client.cookies["django_language"] = "en"
    unit_html = client.get(reverse("admin:org_unit_changelist")).content.decode()
    assert "Ajmer" in unit_html


def test_admin_detail_outside_scope_does_not_leak(client, staff_sibling, tree):
    client.force_login(staff_sibling)
    response = client.get(reverse("admin:org_unit_change", args=[tree.jaipur.pk]), follow=True)
    assert "Jaipur North" not in response.content.decode()
    response = client.post(
        reverse("admin:org_unit_change", args=[tree.jaipur.pk]), {"name_en": "Hacked", "name_hi": "x"}
    )
    tree.jaipur.refresh_from_db()
    assert tree.jaipur.name_en == "Jaipur"


def test_admin_is_read_only_for_staff_who_are_not_superusers(client, staff_sibling, tree):
    client.force_login(staff_sibling)
    url = reverse("admin:org_unit_change", args=[tree.ajmer_booth.pk])
    data = {
        "name_hi": "x",
        "name_en": "Renamed",
        "number": 1,
        "code": "",
        "polling_station": "",
        "parent": tree.kishangarh.pk,
    }
    assert client.post(url, data).status_code == 403
    tree.ajmer_booth.refresh_from_db()
    assert tree.ajmer_booth.name_en == "Kishangarh Mandi"
    assert client.get(reverse("admin:org_unit_add")).status_code == 403
    for name in ["auth_user", "apitokens_apitoken", "org_level"]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.cookies["django_language"] = "en"
    return client


def test_admin_change_goes_through_the_service(superuser_client, tree):
    url = reverse("admin:org_unit_change", args=[tree.ajmer_booth.pk])
    data = {
        "name_hi": "किशनगढ़ मंडी",
        "name_en": "Kishangarh Grain Market",
        "number": 1,
        "code": "",
        "polling_station": "",
        "parent": tree.kishangarh.pk,
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    tree.ajmer_booth.refresh_from_db()
    assert tree.ajmer_booth.name_en == "Kishangarh Grain Market"


def test_admin_add_refused_by_the_service_shows_the_reason_and_saves_nothing(superuser_client, tree):
    before = Unit.objects.count()
    data = {
        "name_hi": "",
        "name_en": "Second booth one",
        "level": tree.booth1.level_id,
        "parent": tree.amer.pk,
        "number": 1,
        "code": "",
        "polling_station": "",
    }
    response = superuser_client.post(reverse("admin:org_unit_add"), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Unit.objects.count() == before


def test_admin_add_unit_counts_it_in_coverage(superuser_client, tree):
    data = {
        "name_hi": "नया बूथ",
        "name_en": "New booth",
        "level": tree.booth1.level_id,
        "parent": tree.amer.pk,
        "number": 3,
        "code": "",
        "polling_station": "",
    }
    assert superuser_client.post(reverse("admin:org_unit_add"), data).status_code == 302
    from sangathan.org.selectors import coverage_for_unit

    booths = next(row for row in coverage_for_unit(tree.rajasthan) if row.level.code == "booth")
    assert booths.units_total == 4


def test_admin_person_with_a_bad_mobile_is_refused(superuser_client, tree):
    data = {
        "name_hi": "",
        "name_en": "Someone",
        "mobile": "12345",
        "email": "",
        "languages": "[]",
        "skills": "[]",
        "social_accounts-TOTAL_FORMS": "0",
        "social_accounts-INITIAL_FORMS": "0",
    }
    response = superuser_client.post(reverse("admin:org_person_add"), data)
    assert response.status_code == 200
    assert "valid 10-digit" in response.content.decode()
    assert not Person.objects.exists()
