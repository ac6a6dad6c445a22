"""The audit trail in Chromium: a district admin reveals a person's number with one click (recorded), reads
the person's history and the district's audit log, on a phone and on a desktop. Screenshots at 360 and 1280."""

import pytest

from sangathan.audit.models import AuditEntry
from sangathan.org import services
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(tree, cast):
    person = PersonFactory(
        home_unit=tree.booth1,
        name_hi="सुनील शर्मा",
        name_en="Sunil Sharma",
        mobile="+919829012345",
        email="sunil@gmail.com",
    )
    appointment = services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=person, by=cast.district_admin
    )
    services.person_update(
        person=person,
        name_hi="सुनील कुमार शर्मा",
        name_en="Sunil Kumar Sharma",
        mobile="+919829054321",
        email="sunil@gmail.com",
        home_unit=tree.booth1,
        languages=["hi"],
        skills=["video"],
        by=cast.district_admin,
    )
    services.appointment_relieve(appointment=appointment, reason="दूसरे ज़िले में चले गए", by=cast.district_admin)
    PersonFactory(home_unit=tree.ajmer_booth, name_hi="रेखा जैन", name_en="Rekha Jain")
    return person


@pytest.mark.parametrize(("device", "width"), [("phone", 360), ("desktop", 1280)])
def test_reveal_history_and_log(request, live_server, cast, history, device, width):
    page = request.getfixturevalue(device)
    log_in_browser(page, live_server, "district_admin")
    page.goto(f"{live_server.url}/people/{history.pk}/")
    assert "98•••••321" in page.content()
    assert "98290 54321" not in page.content()
    page.click("button.reveal >> nth=0")
    page.wait_for_selector(".personal.revealed")
    assert "98290 54321" in page.inner_text(".personal.revealed")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, actor=cast.district_admin).count() == 1
    screenshot(page, f"audit-person-reveal-{width}")

    with page.expect_navigation():
        page.click("text=बदलावों का इतिहास")
    body = page.inner_text("main")
    assert "सुनील कुमार शर्मा" in body
    assert "98•••••321" in body  # the trail stores numbers masked
    screenshot(page, f"audit-history-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"{live_server.url}/audit/")
    body = page.inner_text("main")
    assert "रेखा जैन" not in body  # Ajmer is not the district admin's
    assert "दूसरे ज़िले में चले गए" in body
    screenshot(page, f"audit-log-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
