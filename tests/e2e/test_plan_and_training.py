"""Issue 4's walk in one browser session: a state admin copies the template plan, the Jaipur in-charge
plans a camp in every block, a booth representative checks in by the camp's QR code on a 360-px phone,
and the plan dashboard's "trained" count rises."""

import datetime
import io

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from sangathan.planning.models import Plan
from sangathan.testing import log_in_browser
from sangathan.training.models import Camp, Invitation
from tests.e2e.conftest import screenshot
from tests.e2e.test_training import district  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def booth_trained(page) -> str:
    """The booth level's "trained" milestone: "done/total"."""
    milestone = page.locator("#level-booth .ms").nth(1)
    return milestone.locator(".ms-nums span").first.inner_text().split()[0]


def test_plan_camps_check_in_and_the_dashboard_rises(live_server, browser, desktop, phone, tree, cast, district):  # noqa: F811
    # 1. The state admin copies the template plan for Rajasthan.
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/plan/unit/{tree.rajasthan.pk}/new/")
    desktop.fill("input[name=year]", str(timezone.localdate().year))
    with desktop.expect_navigation():
        desktop.click("main button[type=submit]")
    with desktop.expect_navigation():
        desktop.click("main button[type=submit]")  # save the dates as copied
    assert Plan.objects.filter(scope=tree.rajasthan).exists()

    # 2. The Jaipur in-charge sees nobody trained at booth level yet, and plans a camp in every block.
    in_charge = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_browser(in_charge, live_server, "district_admin")
    in_charge.goto(f"{live_server.url}/plan/unit/{tree.jaipur.pk}/")
    before = booth_trained(in_charge)
    assert before.startswith("0/")
    start = timezone.localtime() - datetime.timedelta(hours=1)
    in_charge.goto(f"{live_server.url}/training/plan/")
    in_charge.select_option("select[name=parent]", str(tree.jaipur.pk))
    in_charge.fill("input[name=week_start]", start.date().isoformat())
    in_charge.select_option("select[name=days]", "1")
    in_charge.fill("input[name=start]", start.strftime("%H:%M"))
    in_charge.fill("input[name=hours]", "6")
    in_charge.fill("input[name=venue]", "ब्लॉक कार्यालय")
    with in_charge.expect_navigation():
        in_charge.click("main button[type=submit]")
    assert Camp.objects.filter(host_unit__path__startswith=tree.jaipur.path).count() == 3

    # 3. The booth representative scans Amer's QR code and checks in on a 360-px phone with the personal
    # code from her invitation message.
    amer_camp = Camp.objects.get(host_unit=tree.amer)
    in_charge.goto(f"{live_server.url}/training/camps/{amer_camp.pk}/")
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(in_charge.locator(".qr-box img").screenshot())))
    phone.goto(code.text)
    phone.fill("input[name=mobile]", "98290 22222")
    phone.fill("input[name=code]", Invitation.objects.get(camp=amer_camp, person=district["booth1"]).check_in_code)
    phone.click("#check-in-form button[type=submit]")
    phone.wait_for_selector("#checked-in")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # 4. The dashboard counts again and the booth level's trained count has risen by one.
    in_charge.goto(f"{live_server.url}/plan/unit/{tree.jaipur.pk}/")
    with in_charge.expect_navigation():
        in_charge.click("button:has-text('फिर से गिनें')")
    after = booth_trained(in_charge)
    assert int(after.split("/")[0]) == int(before.split("/")[0]) + 1, (before, after)
    # The people count (trained / appointed per level) comes from the training app: the dashboard loads it
    # after the page, and links to it.
    coverage = in_charge.locator("#training-coverage a, #training-coverage #coverage").first
    coverage.wait_for()
    in_charge.goto(f"{live_server.url}/training/coverage/?unit={tree.jaipur.pk}")
    assert "1/2" in in_charge.inner_text("#coverage")
    screenshot(in_charge, "plan-trained-rises-1280")
