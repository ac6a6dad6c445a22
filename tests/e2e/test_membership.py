"""A person opens a volunteer's referral link on a 360-px phone, joins in Hindi (picking their booth with the
type-ahead), types the code from the SMS and downloads the membership card; the volunteer's verified count
rises only then, and the "not me" link takes it back. The staff page of the district, at 360 and 1280 px."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from sangathan.membership import services
from sangathan.membership.card import member_number
from sangathan.membership.models import Member, ReferralCode
from sangathan.membership.selectors import counts_for_unit
from sangathan.notifications.models import OutboxMessage
from sangathan.org.tests.factories import PersonFactory
from sangathan.testing import log_in_browser, pdf_text
from tests.e2e.conftest import enter_sent_code, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOBILE = "+919829061616"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def link(tree, cast):
    cache.clear()  # rate-limit counters of earlier tests
    volunteer = PersonFactory(name_en="Ramesh Volunteer", name_hi="रमेश स्वयंसेवक", home_unit=tree.amer)
    return services.referral_code_for_person(person=volunteer, unit=tree.amer)


def verified_count(link) -> int:
    return ReferralCode.objects.get(pk=link.pk).verified_count


def test_join_on_a_phone_in_hindi_with_a_referral_link(live_server, phone, desktop, link, tree, cast):
    page = phone
    page.goto(f"{live_server.url}/join/{link.code}/")
    assert page.get_attribute("html", "lang") == "hi"
    assert "सदस्य बनें" in page.inner_text("h1")
    assert fits_the_screen(page)
    screenshot(page, "membership-join-360-hi")

    page.fill("input[name=name]", "सीमा मीणा")
    page.fill("input[name=mobile]", "98290 61616")
    page.fill("input[name=age]", "१५")  # under age: refused, corrected below
    page.select_option("select[name=gender]", "female")
    booth = page.locator('.place[data-step="booth"]')
    booth.locator("input[type=search]").fill("किला")
    booth.locator("button[data-pick]", has_text="आमेर किला द्वार").click()
    page.check("input[name=consent]")
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert "कम से कम 18 वर्ष" in page.locator(".field.has-error").inner_text()
    assert "आमेर किला द्वार" in page.input_value('.place[data-step="booth"] input[type=search]')
    assert not Member.objects.exists()

    page.fill("input[name=age]", "२७")
    page.check("input[name=consent]")
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("input[name=code]")
    assert "98•••••616" in page.inner_text("#join-code")
    screenshot(page, "membership-code-360-hi")
    member = Member.objects.get(mobile=MOBILE)
    assert member.status == "pending" and member.unit == tree.booth2
    assert verified_count(link) == 0 and counts_for_unit(tree.jaipur).verified == 0  # not before the code

    enter_sent_code(page, MOBILE)
    page.wait_for_selector("#member-done")
    assert "आप सदस्य हैं" in page.inner_text("h1")
    assert fits_the_screen(page)
    screenshot(page, "membership-member-360-hi")
    assert verified_count(link) == 1 and counts_for_unit(tree.jaipur).verified == 1  # only now

    with page.expect_download() as download:
        page.click("#card-link")
    card = Path(download.value.path()).read_bytes()
    text = pdf_text(card)
    assert member_number(member) in text and "सीमा मीणा" in text and "सदस्यता कार्ड" in text

    # The district's staff page: the count, the bar of the assembly constituency, the volunteer's link.
    log_in_browser(desktop, live_server, cast.district_admin.username)
    desktop.goto(live_server.url + reverse("membership:unit", args=[tree.jaipur.pk]))
    assert desktop.inner_text("#verified-count") == "1"
    screenshot(desktop, "membership-staff-1280")
    desktop.set_viewport_size({"width": 360, "height": 780})
    assert fits_the_screen(desktop)
    screenshot(desktop, "membership-staff-360")

    # "Not me": the holder of the number takes it back, and the count goes down.
    body = OutboxMessage.objects.get(template="membership_welcome", recipient=MOBILE).body
    path = re.search(r"(/join/not-me/\S+/)", body).group(1)
    page.goto(live_server.url + path)
    screenshot(page, "membership-not-me-360-hi")
    page.check("input[name=confirm]")
    page.click("main button[type=submit]")
    page.wait_for_selector("#not-me-done")
    assert verified_count(link) == 0 and counts_for_unit(tree.jaipur).verified == 0
    assert Member.objects.get(mobile=MOBILE).status == "revoked"
