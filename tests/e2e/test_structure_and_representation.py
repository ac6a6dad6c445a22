"""A state shapes its structure and reads its women's and youth share, in a real browser (Hindi, 360 and
1280 px): a post added through the form, the structure page, the representation page with its bars."""

import pytest

from sangathan.org import representation, services, shaping
from sangathan.org.models import Position, Wing
from sangathan.org.template import load_default_wings
from sangathan.org.tests.factories import PersonFactory, level, position
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_state_adds_a_post_and_reads_its_representation(live_server, phone, desktop, cast, tree):
    load_default_wings(Wing)  # a transactional test flushes the rows the migration made
    shaping.state_level_add(state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone")
    for booth, gender, band in ((tree.booth1, "female", "18_25"), (tree.booth2, "male", "46_60")):
        person = representation.person_profile_set(person=PersonFactory(), gender=gender, age_band=band, consent=True)
        appointment = services.appointment_create(
            unit=booth, position=position("booth", "representative"), person=person
        )
    representation.appointment_wing_set(appointment=appointment, wing=Wing.objects.get(code="it_cell"))

    page = phone
    log_in_browser(page, live_server, "state_admin")
    page.goto(f"{live_server.url}/units/{tree.rajasthan.pk}/structure/")
    page.select_option("select[name=post-level]", str(level("district").pk))
    page.fill("input[name=post-title_hi]", "जिला प्रवक्ता")
    page.fill("input[name=post-title_en]", "District spokesperson")
    page.fill("input[name=post-seats]", "2")
    page.click("form:has(input[value=post]) button[type=submit]")
    page.wait_for_selector(".messages")
    assert Position.objects.filter(state=tree.rajasthan, title_en="District spokesperson").exists()
    assert "जिला प्रवक्ता" in page.content() and "ज़ोन" in page.content()
    screenshot(page, "structure-360-hi")

    page.goto(f"{live_server.url}/units/{tree.rajasthan.pk}/representation/")
    assert "50%" in page.locator("main").inner_text()
    screenshot(page, "representation-360-hi")

    log_in_browser(desktop, live_server, "state_admin")
    for path, name in (("structure", "structure-1280-hi"), ("representation", "representation-1280-hi")):
        desktop.goto(f"{live_server.url}/units/{tree.rajasthan.pk}/{path}/")
        screenshot(desktop, name)
