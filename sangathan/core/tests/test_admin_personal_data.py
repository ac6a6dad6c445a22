"""The admin shows personal data masked in lists, in full on detail pages to superusers only, and lets
only superusers search by a number (a search that finds a full number tells whose it is)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sangathan.org.masking import mask_mobile
from sangathan.org.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(cast):
    return _staff(cast.district_admin)  # Jaipur, may see numbers on the pages (view_personal)


def _staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="org", codename__startswith="view_"))
    return user


@pytest.fixture
def resident(tree):
    return PersonFactory(home_unit=tree.booth1, name_en="Kamla Devi", mobile="+919829011122", email="kamla@example.com")


def test_lists_show_numbers_masked_even_to_those_who_may_reveal_them(client, staff_admin, resident):
    client.force_login(staff_admin)
    html = client.get(reverse("admin:org_person_changelist")).content.decode()
    assert "Kamla Devi" in html and mask_mobile(resident.mobile) in html
    assert "9829011122" not in html and "kamla@example.com" not in html


def test_searching_by_number_finds_nobody_but_for_superusers(client, staff_admin, resident):
    client.force_login(staff_admin)
    for url in (reverse("admin:org_person_changelist"), reverse("admin:org_appointment_changelist")):
        html = client.get(url, {"q": "9829011122"}).content.decode()
        assert "Kamla Devi" not in html
    assert "Kamla Devi" in client.get(reverse("admin:org_person_changelist"), {"q": "Kamla"}).content.decode()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("admin:org_person_changelist"), {"q": "9829011122"}).content.decode()
    assert "Kamla Devi" in html


def test_detail_pages_mask_for_staff_and_show_superusers_in_full(client, staff_admin, resident):
    url = reverse("admin:org_person_change", args=[resident.pk])
    client.force_login(staff_admin)
    html = client.get(url).content.decode()
    assert mask_mobile(resident.mobile) in html and "9829011122" not in html and "kamla@example.com" not in html
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "9829011122" in client.get(url).content.decode()


def test_the_sibling_district_sees_nothing_of_them(client, cast, resident):
    client.force_login(_staff(cast.sibling_admin))
    assert "Kamla Devi" not in client.get(reverse("admin:org_person_changelist")).content.decode()
    assert client.get(reverse("admin:org_person_change", args=[resident.pk])).status_code in (302, 404)


def test_url_filters_on_personal_fields_are_refused_but_for_superusers(client, staff_admin, resident):
    """``?mobile=…`` or ``?mobile__startswith=…`` would tell a number digit by digit by whether the row shows."""
    client.force_login(staff_admin)
    for query in ({"mobile": resident.mobile}, {"mobile__startswith": "+9198290"}, {"email": "kamla@example.com"}):
        response = client.get(reverse("admin:org_person_changelist"), query)
        assert "Kamla Devi" not in response.content.decode(), query
    response = client.get(reverse("admin:org_appointment_changelist"), {"person__mobile": resident.mobile})
    assert response.status_code in (302, 400) or "Kamla Devi" not in response.content.decode()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("admin:org_person_changelist"), {"mobile": resident.mobile}).content.decode()
    assert "Kamla Devi" in html
