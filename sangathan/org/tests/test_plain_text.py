"""Names, skills, codes and polling stations are plain text: one rule (core.validators) for the web forms,
the API, the model fields and the spreadsheet import."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sangathan.core.validators import validate_plain_text
from sangathan.org.importing import import_units
from sangathan.org.models import Appointment, Person, Unit
from sangathan.org.tests.factories import position
from sangathan.testing import api_client as api

pytestmark = pytest.mark.django_db

MARKUP = ["<svg/onload=alert(1)>", "<b>Seema</b>", "Seema <img src=x onerror=alert(1)", "</script>", "<!-- x -->"]


def snapshot():
    return (
        sorted(Unit.objects.values_list("name_hi", "name_en", "code", "polling_station")),
        sorted(Person.objects.values_list("name_hi", "name_en", "skills")),
    )


@pytest.mark.parametrize("value", MARKUP)
def test_the_rule(value):
    with pytest.raises(ValidationError):
        validate_plain_text(value)


@pytest.mark.parametrize("value", ["सीमा मीणा", "Seema Meena", "A < B", "3<4", "Ram & Shyam", "मतदान केंद्र 12 >"])
def test_plain_text_passes(value):
    validate_plain_text(value)


@pytest.mark.parametrize("value", MARKUP)
def test_model_fields_carry_the_rule(tree, value):
    """ModelForms and ModelSerializers (and the admin) take validators from the model fields."""
    for obj, field in ((tree.booth1, "name_en"), (tree.booth1, "polling_station"), (tree.jaipur, "code")):
        setattr(obj, field, value)
        with pytest.raises(ValidationError) as refused:
            obj.full_clean()
        assert field in refused.value.message_dict
    person = Person(name_hi="सीमा", mobile="+919829011111", skills=["video", value])
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "skills" in refused.value.message_dict


@pytest.mark.parametrize("field", ["name_hi", "name_en"])
def test_web_form_refuses_markup_in_a_name(client, cast, tree, field):
    client.force_login(cast.district_admin)
    client.cookies["django_language"] = "en"
    data = {"position": position("booth", "representative").pk, "mobile": "9829011111", "name_en": "X", "confirm": "1"}
    data[field] = "<svg/onload=alert(1)>"
    response = client.post(reverse("org:appoint", args=[tree.booth2.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Write plain text, without HTML tags." in html and "<svg/onload" not in html
    assert not Appointment.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("api:unit-list", {"level": "booth", "name_en": "<svg/onload=alert(1)>", "number": 7}),
        ("api:unit-list", {"level": "booth", "name_en": "Booth 7", "number": 7, "polling_station": "<b>School</b>"}),
        ("api:person-list", {"name_en": "<svg/onload=alert(1)>", "mobile": "9829011111"}),
        ("api:person-list", {"name_en": "Seema", "mobile": "9829011111", "skills": ["video", "<svg/onload=x>"]}),
    ],
)
def test_api_refuses_markup(cast, tree, url, data):
    before = snapshot()
    data = {**data, "parent": tree.amer.pk} if url == "api:unit-list" else {**data, "home_unit": tree.booth1.pk}
    response = api(cast.district_admin).post(reverse(url), data, format="json")
    assert response.status_code == 400, response.content
    assert "Write plain text, without HTML tags." in response.content.decode()
    assert snapshot() == before


def test_api_update_refuses_markup(cast, tree):
    before = snapshot()
    response = api(cast.district_admin).patch(
        reverse("api:unit-detail", args=[tree.booth1.pk]), {"name_en": "<svg/onload=alert(1)>"}, format="json"
    )
    assert response.status_code == 400 and snapshot() == before


def test_import_uses_the_same_rule(tree, cast):
    data = (
        b"state,district,ac_no,ac_name,block,booth_no,booth_name,polling_station\n"
        b"Rajasthan,Jaipur,45,Jaipur North,Amer,3,<svg/onload=alert(1)>,School\n"
        b"Rajasthan,Jaipur,45,Jaipur North,Amer,4,Booth 4,<b>School</b>\n"
    )
    before = snapshot()
    with translation.override("en"):
        report = import_units(file=io.BytesIO(data), root=tree.rajasthan, by=cast.state_admin)
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "Write plain text, without HTML tags."),
        (3, "Write plain text, without HTML tags."),
    ]
    assert snapshot() == before
