"""An applicant on a 360-px phone: opens the campaign's link, fills the form in Hindi with the place
type-ahead, corrects a mistake, sends it, gets a reference number and checks the status page."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from sangathan.recruitment.models import Application
from sangathan.testing import open_drive
from tests.e2e.conftest import enter_sent_code, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drive(tree, cast):
    cache.clear()  # rate-limit counters of earlier tests
    return open_drive(tree, cast.state_admin, posts=(("booth", "representative", 100), ("district", "in_charge", 2)))


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def pick_place(page, step: str, typed: str, choice: str) -> None:
    box = page.locator(f'.place[data-step="{step}"]')
    box.locator("input[type=search]").fill(typed)
    box.locator("button[data-pick]", has_text=choice).click()
    assert box.locator("input[type=hidden]").input_value() != ""
    assert choice in box.locator("input[type=search]").input_value()


def test_apply_on_a_phone_in_hindi(live_server, phone, drive, tree):
    page = phone
    page.goto(f"{live_server.url}/a/rj-2026/")
    assert page.get_attribute("html", "lang") == "hi"
    assert "संगठन सृजन अभियान" in page.inner_text("h1")
    assert fits_the_screen(page)
    screenshot(page, "apply-form-360-hi")

    page.locator("label", has_text="बूथ प्रतिनिधि").click()
    page.fill("input[name=name_hi]", "सीमा मीणा")
    page.fill("input[name=name_en]", "Seema Meena")
    page.fill("input[name=mobile]", "12345")  # a mistake, corrected below
    page.fill("input[name=age]", "२७")
    page.select_option("select[name=gender]", "female")

    # The type-ahead: a district, then an assembly constituency inside it, then a booth inside that.
    assert page.locator('.place[data-step="assembly"] input[type=search]').is_disabled()
    pick_place(page, "district", "जय", "जयपुर")
    pick_place(page, "assembly", "45", "जयपुर उत्तर")
    booths = page.locator('.place[data-step="booth"]')
    booths.locator("input[type=search]").fill("आमेर")
    # Only the booths of AC 45 that match, not Ajmer's.
    expect(booths.locator("button[data-pick]")).to_have_count(2)
    booths.scroll_into_view_if_needed()
    screenshot(page, "apply-typeahead-360-hi")
    pick_place(page, "booth", "किला", "आमेर किला द्वार")

    page.select_option("select[name=social-0-platform]", "x")
    page.fill("input[name=social-0-handle]", "@seema_meena")
    page.fill("input[name=social-0-followers]", "1,500")
    page.fill("input[name=occupation]", "शिक्षिका")
    page.check("input[name=languages][value=hi]")
    page.fill("textarea[name=statement]", "मैं अपने बूथ पर संगठन की आवाज़ बनना चाहती हूँ।")
    page.fill("textarea[name=writing_sample]", "हर बूथ हो मजबूत! #संगठन_सृजन")
    page.check("input[name=consent]")
    page.click("#apply-form button[type=submit]")

    # The mistake comes back next to its field, in Hindi, with everything else still filled in.
    page.wait_for_selector("#form-errors")
    mobile_box = page.locator(".field.has-error", has=page.locator("input[name=mobile]"))
    assert "10 अंकों का सही भारतीय मोबाइल नंबर" in mobile_box.inner_text()
    assert page.input_value("input[name=name_hi]") == "सीमा मीणा"
    assert "आमेर किला द्वार" in page.input_value('.place[data-step="booth"] input[type=search]')
    assert not Application.objects.exists()
    assert fits_the_screen(page)
    screenshot(page, "apply-errors-360-hi")

    page.fill("input[name=mobile]", "98290 55555")
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector(".reference")
    reference = page.inner_text(".reference").strip()
    application = Application.objects.get()
    assert application.reference == reference
    assert application.home_unit == tree.booth2 and application.age == 27
    assert application.social_accounts == [{"platform": "x", "handle": "@seema_meena", "followers": 1500}]
    assert fits_the_screen(page)
    screenshot(page, "apply-done-360-hi")

    # The status page, with the reference number and the mobile number.
    page.click("main a.btn-primary")
    page.fill("input[name=reference]", reference.lower())
    page.fill("input[name=mobile]", "9829055555")
    page.click("main button[type=submit]")
    # The reference alone shows nothing: a code goes to the mobile, read here from the console outbox.
    page.wait_for_selector("#status-code")
    assert "सीमा" not in page.inner_text("main") and fits_the_screen(page)
    screenshot(page, "apply-status-code-360-hi")
    enter_sent_code(page, "+919829055555")
    page.wait_for_selector("#status-result")
    assert reference in page.inner_text("#status-result")
    assert "बूथ प्रतिनिधि" in page.inner_text("#status-result")
    assert fits_the_screen(page)
    screenshot(page, "apply-status-360-hi")


def test_language_switch_and_wrong_status(live_server, phone, drive):
    page = phone
    page.goto(f"{live_server.url}/a/rj-2026/")
    page.click("form.lang button")
    page.wait_for_selector("html[lang=en]")
    assert "Organisation-building drive" in page.inner_text("h1")
    assert fits_the_screen(page)
    screenshot(page, "apply-form-360-en")
    page.goto(f"{live_server.url}/a/status/")
    page.fill("input[name=reference]", "RJ-2026-ZZZZ")
    page.fill("input[name=mobile]", "98290 55555")
    page.click("main button[type=submit]")
    page.wait_for_selector("#status-code")  # the same page as for a real reference: nothing told
    page.fill("input[name=code]", "000000")
    page.locator("input[name=code]").press("Enter")
    page.wait_for_selector(".error")
    assert page.locator("#status-result").count() == 0
    screenshot(page, "apply-status-notfound-360-en")


def test_closed_campaign_on_a_phone(live_server, phone, drive):
    drive.opens_at = timezone.now() - datetime.timedelta(days=20)
    drive.closes_at = timezone.now() - datetime.timedelta(hours=2)
    drive.save()
    page = phone
    page.goto(f"{live_server.url}/a/rj-2026/")
    assert page.locator("#apply-form").count() == 0
    assert page.locator("main a.btn-primary").count() == 1  # to the status page
    assert fits_the_screen(page)
    screenshot(page, "apply-closed-360-hi")
