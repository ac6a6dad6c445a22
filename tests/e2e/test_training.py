"""Training camps in Chromium: a district in-charge plans a camp in every block of the district in one
action, a trainee checks in on a 360-px phone through the URL in the camp's QR code with their mobile
number and the personal code from their invitation (the page never shows their name), and the camp page
shows them present; the trainer ticks another invitee on the roll call at 360 px. Screenshots at 360 and
1280 px of every training page."""

import datetime
import io

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from sangathan.org import services as org_services
from sangathan.org.tests.factories import PersonFactory, make_unit, position
from sangathan.testing import log_in_browser
from sangathan.training.models import Attendance, Camp, Invitation, Module, Programme
from sangathan.training.template import load_default_programme
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(tree, cast):
    """Jaipur with three blocks; Amer has a block in-charge and two booth representatives."""
    load_default_programme(Programme, Module)  # the data migration's rows are flushed between tests
    south = make_unit(tree.jaipur, "assembly", "Jaipur South", number=46, name_hi="जयपुर दक्षिण")
    make_unit(south, "block", "Sanganer", name_hi="सांगानेर")
    make_unit(south, "block", "Chaksu", name_hi="चाकसू")
    people = {
        "in_charge": PersonFactory(name_hi="रमेश मीणा", name_en="Ramesh Meena", mobile="+919829011111"),
        "booth1": PersonFactory(name_hi="सीमा शर्मा", name_en="Seema Sharma", mobile="+919829022222"),
        "booth2": PersonFactory(name_hi="अजय सैनी", name_en="Ajay Saini", mobile="+919829033333"),
    }
    org_services.appointment_create(unit=tree.amer, position=position("block", "in_charge"), person=people["in_charge"])
    org_services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=people["booth1"]
    )
    org_services.appointment_create(
        unit=tree.booth2, position=position("booth", "representative"), person=people["booth2"]
    )
    return people


def test_bulk_plan_check_in_by_qr_on_a_phone_and_roll_call(browser, live_server, tree, cast, district, desktop, phone):
    # Camps that run now: they start an hour ago (local time), all on one day.
    start = timezone.localtime() - datetime.timedelta(hours=1)

    # 0. Nobody is trained yet: the coverage on the camps page shows 0 of 2 booth representatives.
    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/training/")
    desktop.wait_for_selector("#coverage")
    assert "0/2" in desktop.inner_text("#coverage")

    # 1. The district in-charge plans one camp in every block of Jaipur, in one action.
    desktop.goto(f"{live_server.url}/training/plan/")
    desktop.select_option("select[name=parent]", str(tree.jaipur.pk))
    desktop.fill("input[name=week_start]", start.date().isoformat())
    desktop.select_option("select[name=days]", "1")
    desktop.fill("input[name=start]", start.strftime("%H:%M"))
    desktop.fill("input[name=hours]", "6")
    desktop.fill("input[name=venue]", "ब्लॉक कार्यालय")
    screenshot(desktop, "training-plan-1280-hi")
    with desktop.expect_navigation():
        desktop.click("main button[type=submit]")
    assert Camp.objects.count() == 3
    assert desktop.locator(".camp-card").count() == 3
    assert "3" in desktop.locator(".messages").inner_text()
    screenshot(desktop, "training-camps-1280-hi")

    # 2. Amer's camp page shows the QR code; it decodes to the check-in URL.
    amer_camp = Camp.objects.get(host_unit=tree.amer)
    assert amer_camp.invitations.count() == 3
    desktop.goto(f"{live_server.url}/training/camps/{amer_camp.pk}/")
    qr = desktop.locator(".qr-box img")
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    check_in_url = barcode.text
    assert check_in_url == f"{live_server.url}/t/{amer_camp.check_in_token}/"
    screenshot(desktop, "training-camp-1280-hi")

    # 3. A trainee opens that URL on a 360-px phone and checks in with their mobile number and the
    # personal code from their invitation message. The page says "checked in", never whose name.
    code = Invitation.objects.get(camp=amer_camp, person=district["booth1"]).check_in_code
    phone.goto(check_in_url)
    screenshot(phone, "training-checkin-360-hi")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.fill("input[name=mobile]", "98290 22222")
    phone.fill("input[name=code]", code.lower())
    phone.click("#check-in-form button[type=submit]")
    phone.wait_for_selector("#checked-in")
    assert "सीमा शर्मा" not in phone.inner_text("main")
    screenshot(phone, "training-checked-in-360-hi")
    # Scanning again: friendly, nothing new.
    phone.goto(check_in_url)
    phone.fill("input[name=mobile]", "9829022222")
    phone.fill("input[name=code]", code)
    phone.click("#check-in-form button[type=submit]")
    phone.wait_for_selector("#checked-in")
    assert Attendance.objects.count() == 1
    # Someone else's number without their code is refused, like a number nobody invited.
    phone.goto(check_in_url)
    phone.fill("input[name=mobile]", "9829033333")
    phone.fill("input[name=code]", "ABC234" if code != "ABC234" else "ABC235")
    phone.click("#check-in-form button[type=submit]")
    phone.wait_for_selector("#refusal")
    assert "अजय सैनी" not in phone.inner_text("main")
    assert Attendance.objects.count() == 1
    screenshot(phone, "training-checkin-refused-360-hi")

    # 4. The camp page shows her present, and the training coverage has risen to 1 of 2 at booth level.
    desktop.reload()
    assert desktop.inner_text("#present-count") == "1"
    assert "सीमा शर्मा" in desktop.inner_text("#roster")
    desktop.goto(f"{live_server.url}/training/")
    desktop.wait_for_selector("#coverage")
    assert "1/2" in desktop.inner_text("#coverage")
    screenshot(desktop, "training-camps-coverage-1280-hi")

    # 5. The trainer, on a phone, ticks Ajay present on the roll call (htmx, no reload).
    log_in_browser(phone, live_server, "district_admin")
    phone.goto(f"{live_server.url}/training/camps/{amer_camp.pk}/roll-call/")
    row = phone.locator(f"#roll-{district['booth2'].pk}")
    row.locator("button.tick").click()
    phone.wait_for_selector(f"#roll-{district['booth2'].pk}.is-present")
    assert Attendance.objects.filter(person=district["booth2"], method="roll_call").exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-roll-call-360-hi")
    # Someone without a smartphone came uninvited: the trainer adds and marks him present.
    phone.click("#add-walk-in summary")
    phone.fill("#add-walk-in input[name=mobile]", "98290 55555")
    phone.fill("#add-walk-in input[name=name]", "सुनील कुमार")
    screenshot(phone, "training-roll-call-walk-in-360-hi")
    phone.click("#add-walk-in button[type=submit]")
    phone.wait_for_selector(".messages")
    assert "सुनील कुमार" in phone.inner_text("#roll")
    assert Attendance.objects.filter(method="walk_in").count() == 1
    phone.goto(f"{live_server.url}/training/camps/{amer_camp.pk}/")
    assert phone.inner_text("#present-count") == "3"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-camp-360-hi")
    phone.goto(f"{live_server.url}/training/")
    phone.wait_for_selector("#coverage")
    phone.click("#coverage details summary")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-camps-360-hi")
    phone.goto(f"{live_server.url}/training/plan/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-plan-360-hi")
    phone.goto(f"{live_server.url}/training/camps/{amer_camp.pk}/edit/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-edit-360-hi")
    phone.goto(f"{live_server.url}/training/programmes/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-programmes-360-hi")
    phone.goto(f"{live_server.url}/training/coverage/?unit={tree.jaipur.pk}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-coverage-360-hi")
    phone.goto(f"{live_server.url}/training/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "training-new-360-hi")
    desktop.goto(f"{live_server.url}/training/camps/{amer_camp.pk}/roll-call/")
    screenshot(desktop, "training-roll-call-1280-hi")
    desktop.goto(check_in_url)
    screenshot(desktop, "training-checkin-1280-hi")

    # 6. The same page in English on another phone: the double scan is a friendly "already checked in".
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=1, locale="en-IN")
    english = context.new_page()
    try:
        english.goto(check_in_url)
        with english.expect_navigation():
            english.click("button[name=language][value=en]")
        assert "Check in" in english.inner_text("h1")
        english.fill("input[name=mobile]", "+91 98290 22222")
        english.fill("input[name=code]", code)
        english.click("#check-in-form button[type=submit]")
        english.wait_for_selector("#checked-in")
        assert "already checked in" in english.inner_text("#checked-in")
        screenshot(english, "training-checked-in-again-360-en")
    finally:
        context.close()
