"""The plan in Chromium: a state admin copies the template plan, saves the dates and sees the dashboard —
per-level progress, the chart from daily snapshots, late units with their in-charge — on a 1280-px screen and
on a 360-px phone. Screenshots in test-artifacts/planning-*.png."""

import datetime

import pytest
from django.utils import timezone

from sangathan.planning import progress
from sangathan.planning.models import Plan
from sangathan.planning.snapshots import snapshot_write
from sangathan.planning.tests.helpers import appoint, channels, train
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_state_admin_copies_the_template_and_sees_the_dashboard(live_server, desktop, phone, tree, cast):
    state_head = appoint(tree.rajasthan)
    train(state_head.person)
    appoint(tree.jaipur)
    rep = appoint(tree.booth1)
    train(rep.person)
    channels(tree.booth1)

    page = desktop
    log_in_browser(page, live_server, "state_admin")
    page.goto(f"{live_server.url}/plan/unit/{tree.rajasthan.pk}/")
    with page.expect_navigation():
        page.click(f"a[href='/plan/unit/{tree.rajasthan.pk}/new/']")
    assert page.locator("table.table tbody tr").count() == 9  # the template's nine deadlines
    page.fill("input[name=year]", str(timezone.localdate().year))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    plan = Plan.objects.get(scope=tree.rajasthan)
    assert page.url.endswith(f"/plan/{plan.pk}/edit/")
    screenshot(page, "planning-edit-1280")
    with page.expect_navigation():
        page.click("main button[type=submit]")  # save the dates as copied
    assert page.url.endswith(f"/plan/unit/{tree.rajasthan.pk}/")

    # A few days of history for the chart, as the daily run would have written.
    today = timezone.localdate()
    for back in (3, 2, 1, 0):
        if back == 1:
            train(appoint(tree.booth2).person)
        progress.refresh(today=today - datetime.timedelta(days=back))
        snapshot_write(today=today - datetime.timedelta(days=back))
    page.reload()
    assert page.locator("#level-booth .ms").count() == 3
    assert page.locator("svg.chart").count() >= 1
    assert page.locator("#late .late-item").count() >= 1
    assert "अजमेर" in page.locator("#late").inner_text()  # Ajmer: no in-charge, late
    screenshot(page, "planning-dashboard-1280")

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/plan/unit/{tree.rajasthan.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "planning-dashboard-360")
    with phone.expect_navigation():
        phone.click(f"#units-below a[href='/plan/unit/{tree.jaipur.pk}/']")  # drill down
    assert "/plan/unit/" in phone.url
    screenshot(phone, "planning-jaipur-360")
    phone.goto(f"{live_server.url}/plan/unit/{tree.rajasthan.pk}/late/")
    screenshot(phone, "planning-late-360")

    phone.context.clear_cookies()
    log_in_browser(phone, live_server, "sibling_admin")
    response = phone.goto(f"{live_server.url}/plan/unit/{tree.jaipur.pk}/")
    assert response.status == 404
