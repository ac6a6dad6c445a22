"""The membership target as a milestone of the plan, in Chromium (Hindi): a state admin adds the deadline
"membership target reached" for booths on the plan's page, two verified members reach the target at one
booth, and the dashboard shows one booth of three done — at 1280 px and on a 360-px phone (no sideways
scrolling). Screenshots in test-artifacts/membership-plan-target-*.png."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from sangathan.membership.tests.conftest import join
from sangathan.planning import progress
from sangathan.planning import services as plan_services
from sangathan.planning.snapshots import snapshot_write
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@override_settings(MEMBERSHIP_TARGET_PER_BOOTH=2)
def test_the_target_on_the_plan_page(live_server, desktop, phone, tree, cast):
    today = timezone.localdate()
    plan = plan_services.plan_create(scope=tree.rajasthan, year=today.year, by=cast.state_admin)

    page = desktop
    log_in_browser(page, live_server, "state_admin")
    page.goto(f"{live_server.url}/plan/{plan.pk}/edit/")
    page.select_option("select[name=add-level]", str(tree.booth1.level_id))
    page.select_option("select[name=add-kind]", "members")
    page.fill("input[name=add-due_date]", (today + datetime.timedelta(days=20)).isoformat())
    with page.expect_navigation():
        page.click(f"form[action='/plan/{plan.pk}/milestones/add/'] button[type=submit]")
    assert plan.milestones.filter(kind="members").count() == 1

    join(tree.booth1, verify=True)
    for back in (2, 1, 0):
        if back == 1:
            join(tree.booth1, verify=True)  # the second: the target of 2 reached
        progress.refresh(today=today - datetime.timedelta(days=back))
        snapshot_write(today=today - datetime.timedelta(days=back))

    page.goto(f"{live_server.url}/plan/unit/{tree.rajasthan.pk}/")
    booth = page.locator("#level-booth")
    assert "सदस्यता लक्ष्य पूरा" in booth.inner_text()
    assert "1/3" in booth.inner_text().replace(" ", "")
    screenshot(page, "membership-plan-target-1280")

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/plan/unit/{tree.rajasthan.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert "सदस्यता लक्ष्य पूरा" in phone.locator("#level-booth").inner_text()
    screenshot(phone, "membership-plan-target-360")
