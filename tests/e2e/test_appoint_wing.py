"""A district admin appoints somebody into a wing of a booth on a 360-px phone, in Hindi: the wing is chosen in
the appoint form, shown on the confirmation and kept on the appointment (issue 16); the form at 1280 px too."""

import pytest

from sangathan.org.models import Appointment, Wing
from sangathan.org.template import load_default_wings
from sangathan.org.tests.factories import position
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_appoint_into_a_wing_on_a_phone(live_server, phone, desktop, cast, tree):
    load_default_wings(Wing)  # a transactional test flushes the rows the migration made
    women = Wing.objects.get(code="women")
    page = phone
    log_in_browser(page, live_server, "district_admin")
    page.goto(f"{live_server.url}/units/{tree.booth2.pk}/appoint/")
    page.select_option("select[name=position]", str(position("booth", "volunteer").pk))
    page.fill("input[name=mobile]", "98290 44444")
    page.fill("input[name=name_hi]", "कविता शर्मा")
    page.select_option("select[name=wing]", str(women.pk))
    screenshot(page, "appoint-wing-360-hi")
    page.click("main form button[type=submit]")
    page.wait_for_selector("input[name=confirm]", state="attached")
    assert women.name_hi in page.locator("main").inner_text()
    screenshot(page, "appoint-wing-confirm-360-hi")
    page.click("main form button.btn-primary")
    page.wait_for_selector(".messages")
    appointment = Appointment.objects.get(unit=tree.booth2)
    assert appointment.wing == women and appointment.person.name_hi == "कविता शर्मा"

    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/units/{tree.booth1.pk}/appoint/")
    assert women.name_hi in desktop.locator("select[name=wing]").inner_text()
    screenshot(desktop, "appoint-wing-1280-hi")
