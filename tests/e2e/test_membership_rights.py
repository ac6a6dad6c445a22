"""A member on a 360-px phone, in Hindi, proves their number with the code from the SMS, sees what is held
about them, corrects their name, downloads the copy and withdraws consent: the counts go down once and the
page says they have left. The same data page at 1280 px."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache

from sangathan.membership.models import Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join
from tests.e2e.conftest import enter_sent_code, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def prove(page, live_server, mobile: str) -> None:
    page.goto(f"{live_server.url}/join/me/")
    page.fill("input[name=mobile]", mobile[3:])
    with page.expect_navigation():
        page.click("#me-ask button[type=submit]")
    with page.expect_navigation():
        enter_sent_code(page, mobile)
    page.wait_for_selector("#me-data")


def test_a_member_sees_corrects_downloads_and_withdraws_on_a_phone(live_server, phone, desktop, tree, cast):
    cache.clear()
    member = join(tree.booth1, name="सीमा मीणा", verify=True, epic="RJX1234567", gender="female")
    assert counts_for_unit(tree.rajasthan).verified == 1

    desktop_page = desktop
    prove(desktop_page, live_server, member.mobile)
    screenshot(desktop_page, "membership-me-data-1280-hi")

    page = phone
    page.goto(f"{live_server.url}/join/me/")
    assert page.get_attribute("html", "lang") == "hi"
    assert "आपकी सदस्यता का विवरण" in page.inner_text("h1")
    screenshot(page, "membership-me-ask-360-hi")
    prove(page, live_server, member.mobile)
    assert "सीमा मीणा" in page.inner_text("#me-name") and "RJX1234567" in page.inner_text("#me-data")
    assert fits_the_screen(page)
    screenshot(page, "membership-me-data-360-hi")

    page.fill("#me-correct input[name=name]", "सीमा देवी मीणा")
    with page.expect_navigation():
        page.click("#me-correct button[type=submit]")
    assert "सीमा देवी मीणा" in page.inner_text("#me-name")

    with page.expect_download() as download:
        page.click("#me-download")
    copy = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert copy["member"]["name"] == "सीमा देवी मीणा" and copy["member"]["mobile"] == member.mobile

    page.check("#me-withdraw input[name=confirm]")
    with page.expect_navigation():
        page.click("#me-withdraw button[type=submit]")
    page.wait_for_selector("#me-done")
    assert "आपने सदस्यता छोड़ दी है" in page.inner_text("h1")
    screenshot(page, "membership-me-done-360-hi")
    member.refresh_from_db()
    assert member.status == "revoked" and member.revoked_via == "withdrawn" and member.name == "Erased"
    assert counts_for_unit(tree.rajasthan).verified == 0
    page.go_back()
    page.reload()
    assert counts_for_unit(tree.rajasthan).verified == 0 and Member.objects.filter(status="revoked").count() == 1
