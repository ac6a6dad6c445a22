"""A member's data requests on the privacy pages, in Chromium (Hindi): after the code on /join/me/, the box
"इस डेटा पर आपके अधिकार" asks for a correction (recorded for the privacy officer) and for erasure (the
confirmation page, then done: the membership ends and the count goes down once). At 360 px (no sideways
scrolling) and 1280 px. Screenshots in test-artifacts/membership-privacy-*.png."""

import pytest
from django.core.cache import cache

from sangathan.membership.models import Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join
from sangathan.privacy.models import DataRequest
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_rights import fits_the_screen, prove

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_asks_for_a_correction_and_erasure_on_the_privacy_pages(live_server, phone, desktop, tree):
    cache.clear()
    member = join(tree.booth1, name="सीमा मीणा", verify=True)
    prove(desktop, live_server, member.mobile)
    desktop.locator("#me-privacy").scroll_into_view_if_needed()
    screenshot(desktop, "membership-privacy-box-1280")

    page = phone
    prove(page, live_server, member.mobile)
    assert "इस डेटा पर आपके अधिकार" in page.inner_text("#me-privacy") and fits_the_screen(page)
    page.fill("#id_privacy_details", "मेरी आयु 31 है, 30 नहीं।")
    with page.expect_navigation():
        page.click("#me-privacy-correct")
    assert DataRequest.objects.filter(kind="correction", subject_id=member.pk, status="open").count() == 1
    assert fits_the_screen(page)
    screenshot(page, "membership-privacy-correction-done-360")

    page.go_back()
    with page.expect_navigation():
        page.click("#me-privacy-erase")
    assert fits_the_screen(page)
    screenshot(page, "membership-privacy-erase-360")
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.click("form[action='/privacy/me/erase/'] button[type=submit]")
    screenshot(page, "membership-privacy-erased-360")
    assert Member.objects.get(pk=member.pk).status == "revoked"
    assert counts_for_unit(tree.rajasthan).verified == 0
    assert DataRequest.objects.get(kind="erasure").status == "done"


def test_the_district_records_a_members_request_on_their_behalf(live_server, phone, desktop, tree, cast):
    """A member without a phone asks at the district office: the admin picks "सदस्य", types the number and
    records the correction; at 360 px the page fits. Screenshots membership-privacy-staff-*.png."""
    cache.clear()
    member = join(tree.booth1, name="सीमा मीणा", verify=True)
    for page, width in ((phone, 360), (desktop, 1280)):
        log_in_browser(page, live_server, cast.district_admin.username)
        page.goto(f"{live_server.url}/privacy/new/")
        assert "किसका डेटा" in page.inner_text("main") and fits_the_screen(page)
        page.check("input[name=who][value=member]")
        page.fill("#id_subject", member.mobile[3:])
        page.check("input[name=kind][value=correction]")
        page.fill("#id_details", f"आयु 31 है ({width})")
        screenshot(page, f"membership-privacy-staff-form-{width}")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert fits_the_screen(page)
        screenshot(page, f"membership-privacy-staff-recorded-{width}")
    recorded = DataRequest.objects.filter(kind="correction", subject_kind="member", subject_id=member.pk, via="staff")
    assert recorded.count() == 2
