"""The Content Security Policy in Chromium: the pages whose scripts were moved out of the templates (the
application form and its thank-you page, the recipient's page, the message form), the API docs, the
two-factor set-up and the admin load without a single refusal in the console, and their scripts still work:
the place type-ahead, the copy buttons, the inline answer, the X character count, Swagger UI."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from sangathan.org import services as org_services
from sangathan.org.models import Level, Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery
from sangathan.testing import log_in_browser, open_drive
from tests.e2e.conftest import screenshot
from tests.e2e.test_apply import pick_place

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WHATSAPP = "रविवार सुबह 10 बजे बूथ बैठक। सभी साथी आएँ!"


class Console:
    """Everything a page says in the console or throws; what counts as a problem for these tests."""

    def __init__(self, page):
        self.lines: list[str] = []
        page.on("console", lambda message: self.lines.append(f"console.{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.lines.append(f"pageerror: {error}"))

    def problems(self) -> list[str]:
        return [
            line
            for line in self.lines
            if "Content Security Policy" in line or "Permissions-Policy" in line or line.startswith("pageerror")
        ]


@pytest.fixture
def clipboard_phone(browser):
    """A 360-px phone that lets the page write to and the test read from the clipboard."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        device_scale_factor=1,
        locale="hi-IN",
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def drive(tree, cast):
    cache.clear()  # rate-limit counters of earlier tests
    return open_drive(tree, cast.state_admin)


def test_the_console_reports_a_refused_inline_script(live_server, phone, drive):
    """The check the other tests rely on: an inline script is refused, and the console says so."""
    console = Console(phone)
    phone.goto(f"{live_server.url}/a/rj-2026/")
    # Wait for Chromium's report of the refusal, then check the script did not run.
    with phone.expect_console_message(lambda message: "Content Security Policy" in message.text):
        phone.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
            " document.head.appendChild(s); }"
        )
    assert phone.evaluate("window.injected") is None
    assert any("Content Security Policy" in line for line in console.lines), console.lines


def test_the_application_form_and_the_thank_you_page(live_server, clipboard_phone, drive, tree):
    page = clipboard_phone
    console = Console(page)
    page.goto(f"{live_server.url}/a/rj-2026/")
    screenshot(page, "csp-apply-form-360")

    # The type-ahead (recruitment/place-picker.js with htmx).
    assert page.locator('.place[data-step="assembly"] input[type=search]').is_disabled()
    pick_place(page, "district", "जय", "जयपुर")
    assert page.locator('.place[data-step="assembly"] input[type=search]').is_enabled()
    pick_place(page, "assembly", "45", "जयपुर उत्तर")
    pick_place(page, "booth", "किला", "आमेर किला द्वार")
    # Typing again in a box clears it and the boxes after it.
    page.locator('.place[data-step="assembly"] input[type=search]').fill("4")
    assert page.locator('.place[data-step="booth"] input[type=hidden]').input_value() == ""
    assert page.locator('.place[data-step="booth"] input[type=search]').is_disabled()
    pick_place(page, "assembly", "45", "जयपुर उत्तर")
    pick_place(page, "booth", "किला", "आमेर किला द्वार")

    page.locator("label", has_text="बूथ प्रतिनिधि").click()
    page.fill("input[name=name_hi]", "सीमा मीणा")
    page.fill("input[name=mobile]", "98290 55555")
    page.fill("input[name=age]", "27")
    page.select_option("select[name=gender]", "female")
    page.fill("input[name=occupation]", "शिक्षिका")
    page.check("input[name=languages][value=hi]")
    page.fill("textarea[name=statement]", "मैं अपने बूथ पर संगठन की आवाज़ बनना चाहती हूँ।")
    page.fill("textarea[name=writing_sample]", "हर बूथ हो मजबूत!")
    page.check("input[name=consent]")
    page.click("#apply-form button[type=submit]")

    # The thank-you page (recruitment/copy-reference.js): the copy button shows and copies the number.
    page.wait_for_selector(".reference")
    reference = page.inner_text(".reference").strip()
    expect(page.locator("#copy-reference")).to_be_visible()
    page.click("#copy-reference")
    expect(page.locator("#copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == reference
    screenshot(page, "csp-apply-done-360")
    assert not console.problems(), console.problems()


def test_the_recipients_page(live_server, clipboard_phone, tree, cast):
    org_services.appointment_create(
        unit=tree.booth1, position=Position.objects.get(level=tree.booth1.level, is_key=True), person=PersonFactory()
    )
    message = outreach_services.message_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="रविवार की बूथ बैठक",
        body_hi="सभी बूथ अध्यक्ष रविवार सुबह 10 बजे बैठक करें।",
        text_whatsapp=WHATSAPP,
    )
    outreach_services.message_send(message=message, by=cast.district_admin)
    delivery = Delivery.objects.get(message=message, unit=tree.booth1)
    token = outreach_services.delivery_token(delivery.pk)

    page = clipboard_phone
    console = Console(page)
    page.goto(f"{live_server.url}/m/{token}/")
    screenshot(page, "csp-recipient-360")
    # The copy button (outreach/recipient.js).
    button = page.locator("button.copy[data-target=v-whatsapp]")
    button.click()
    expect(button).to_have_text(button.get_attribute("data-done"))
    assert page.evaluate("navigator.clipboard.readText()") == WHATSAPP
    # The answer is posted with fetch and the card swapped in, without reloading the page.
    page.evaluate("window.notReloaded = true")
    page.click("button[value=received]")
    page.wait_for_selector("#done.done")
    assert page.evaluate("window.notReloaded === true")
    delivery.refresh_from_db()
    assert delivery.acknowledged_at is not None
    screenshot(page, "csp-recipient-received-360")
    assert not console.problems(), console.problems()


def test_the_message_form_counts_the_x_text(live_server, desktop, cast):
    console = Console(desktop)
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/outreach/new/")
    assert desktop.inner_text("#x-count") == "0 / 280"  # outreach/x-count.js ran on load
    desktop.fill("#id_text_x", "नमस्ते https://example.org/a-long-link")  # six letters, a space, a link as 23
    assert desktop.inner_text("#x-count") == "30 / 280"
    desktop.fill("#id_text_x", "x" * 281)
    expect(desktop.locator("#x-count")).to_have_class("oc-x-count over")
    assert not console.problems(), console.problems()


@pytest.mark.parametrize(
    "url_name", ["home", "recruitment:campaigns", "planning:home", "training:camps", "outreach:list", "channels:index"]
)
def test_the_staff_sections(live_server, phone, cast, url_name):
    console = Console(phone)
    log_in_browser(phone, live_server, "state_admin")
    phone.goto(live_server.url + reverse(url_name))
    phone.wait_for_load_state("networkidle")
    assert phone.locator("main h1").count() >= 1
    assert not console.problems(), console.problems()


def test_the_api_docs(live_server, desktop, cast):
    console = Console(desktop)
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/api/docs/")
    # Swagger UI started (its script is /api/docs/?script) and read the schema.
    desktop.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert "Sangathan API" in desktop.inner_text(".swagger-ui .info")
    screenshot(desktop, "csp-api-docs-1280")
    assert not console.problems(), console.problems()


def test_the_two_factor_set_up_shows_its_qr_code(live_server, phone, cast, settings):
    settings.REQUIRE_2FA = True
    console = Console(phone)
    log_in_browser(phone, live_server, "state_admin")
    phone.wait_for_selector("img[alt]")
    # The QR code is a data: URI, which img-src allows.
    assert phone.evaluate("document.querySelector('main img[alt]').naturalWidth") > 0
    assert not console.problems(), console.problems()


def test_the_admin(live_server, desktop, db):
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password")
    console = Console(desktop)
    desktop.goto(f"{live_server.url}/admin/login/")
    desktop.fill("input[name=username]", "root")
    desktop.fill("input[name=password]", "a-long-test-password")
    desktop.click("input[type=submit]")
    desktop.wait_for_selector("#content-main")
    # A change form with the admin's scripts: the permission picker (SelectFilter) builds itself.
    desktop.goto(f"{live_server.url}/admin/auth/group/add/")
    desktop.wait_for_selector(".selector-available")
    desktop.fill("input[name=name]", "Volunteers")
    desktop.click("input[name=_save]")
    desktop.wait_for_selector(".messagelist")
    assert not console.problems(), console.problems()
