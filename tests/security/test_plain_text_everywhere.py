"""Names and places are plain text by one rule (``core.validators.has_markup``) at every entry point, the
ones ``sangathan/org/tests/test_plain_text.py`` does not reach: the public forms' free-text field (a camp's
walk-in name, an applicant's answers) and the first-run page that names the national unit and the states.
Before, the public forms had a rule of their own that let an unclosed tag through."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sangathan.access.models import RoleAssignment
from sangathan.core.validators import has_markup
from sangathan.org.models import Unit
from sangathan.org.tests.factories import UserFactory
from sangathan.recruitment.forms_public import PlainTextField
from sangathan.testing import log_in
from sangathan.training.models import WalkInRequest
from tests.security.test_bad_input import open_camp  # noqa: F401

pytestmark = pytest.mark.django_db

MARKUP = ["<svg/onload=alert(1)>", "<b>Seema</b>", "Seema <img src=x onerror=alert(1)", "</script", "<!-- x"]
PLAIN = ["सीमा मीणा", "Seema Meena", "A < B", "3<4", "Ram & Shyam", "मतदान केंद्र 12 >"]


@pytest.mark.parametrize("value", MARKUP + PLAIN)
def test_the_public_forms_follow_the_one_rule(value):
    field = PlainTextField(max_length=200)
    refused = False
    try:
        field.clean(value)
    except ValidationError:
        refused = True
    assert refused == has_markup(value), value


@pytest.mark.parametrize("value", ["Seema <img src=x onerror=alert(1)", "<svg/onload=alert(1)>"])
def test_a_walk_in_name_with_markup_is_refused(client, open_camp, value):  # noqa: F811
    client.cookies["django_language"] = "en"
    url = reverse("training_public:walk_in", args=[open_camp.check_in_token])
    response = client.post(url, {"join-mobile": "98290 33333", "join-name": value})
    assert response.status_code in (200, 400)
    assert "Write plain text, without HTML tags." in response.content.decode()
    assert not WalkInRequest.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"national_hi": "<b>भारत</b>"},
        {"national_en": "India <img src=x onerror=alert(1)"},
        {"states": "राजस्थान | <svg/onload=alert(1)> | RJ"},
        {"states": "राजस्थान | Rajasthan | <b>RJ"},
    ],
)
def test_the_first_run_page_refuses_markup_in_unit_names(client, changes):
    from sangathan.site.tests.test_first_run import setup_data

    log_in(client, UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.post(reverse("setup"), setup_data(**changes))
    assert response.status_code == 400
    assert not Unit.objects.exists() and not RoleAssignment.objects.exists()
