"""Logins for office-bearers in a real browser: a state admin appoints a district in-charge, who gets the
invitation (read from the console outbox), sets a password on a 360-px phone, signs in and sees only their
district; relieving them takes access away on their next click."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from sangathan.logins.models import Login, PostRole
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Position
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "nadi-kinare-ghar-2026"
MOBILE = "+919829012345"


def invitation_path(mobile: str) -> str:
    message = OutboxMessage.objects.filter(template="login_invitation", recipient=mobile).order_by("-pk").first()
    assert message is not None, "no invitation in the outbox"
    link = re.search(r"https?://\S+/welcome/\S+/", message.body).group(0)
    return urlsplit(link).path


def test_appoint_invite_set_password_on_a_phone_and_relieve(live_server, desktop, phone, cast, tree, settings):
    settings.LOGIN_INVITATIONS = True
    admin = desktop
    log_in_browser(admin, live_server, "state_admin")
    admin.click("form.lang button")  # English for the admin's walk
    admin.wait_for_selector("text=Committee")
    admin.goto(f"{live_server.url}{reverse('org:unit', args=[tree.jaipur.pk])}")
    admin.click("#committee .seat.vacant >> nth=0 >> a.btn")  # the district in-charge's seat comes first
    admin.fill("input[name=mobile]", "98290 12345")
    admin.fill("input[name=name_hi]", "सुनीता मीणा")
    admin.fill("input[name=name_en]", "Sunita Meena")
    admin.click("main button[type=submit]")
    admin.click("button:has-text('Confirm and appoint')")
    admin.wait_for_selector(".messages")
    appointment = Appointment.objects.get(unit=tree.jaipur, person__mobile=MOBILE, status="active")
    assert appointment.position.code == "in_charge"

    # The committee's logins page shows her invited.
    admin.goto(f"{live_server.url}{reverse('logins:unit', args=[tree.jaipur.pk])}")
    admin.wait_for_selector(".status-invited")
    screenshot(admin, "logins-committee-1280-en")

    # On her phone: the link from the message, a password, and she lands on her district (in Hindi).
    page = phone
    page.goto(live_server.url + invitation_path(MOBILE))
    page.wait_for_selector("input[name=new_password1]")
    assert page.locator(".username").inner_text() == "9829012345"
    screenshot(page, "invitation-360-hi")
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('जयपुर')")
    assert page.url.endswith(reverse("org:unit", args=[tree.jaipur.pk]))
    screenshot(page, "invited-in-charge-home-360-hi")

    # Signed out and in again with her mobile's digits: only her district, nothing beside it.
    page.click("header form[action='/logout/'] button")
    log_in_browser(page, live_server, "9829012345", PASSWORD)
    page.wait_for_selector("h1:has-text('जयपुर')")
    assert page.goto(f"{live_server.url}{reverse('org:unit', args=[tree.ajmer.pk])}").status == 404
    assert page.goto(f"{live_server.url}{reverse('org:unit', args=[tree.rajasthan.pk])}").status == 404
    page.goto(f"{live_server.url}{reverse('org:unit', args=[tree.jaipur.pk])}")
    page.wait_for_selector("#committee")

    # The state admin relieves her.
    admin.goto(f"{live_server.url}{reverse('org:relieve', args=[appointment.pk])}")
    admin.fill("textarea[name=reason]", "Moved to another post")
    admin.click("main button[type=submit]")
    admin.wait_for_selector(".messages")

    # Her next click finds her signed out.
    page.click("nav.sections a >> nth=0")
    page.wait_for_selector("input[name=username]")
    assert urlsplit(page.url).path == reverse("login")
    assert not Login.objects.get(person__mobile=MOBILE).user.role_assignments.exists()


def test_the_new_pages_at_360_and_1280(live_server, desktop, phone, cast, tree, settings):
    """The roles of posts and the committee's logins, on a phone and a desktop, in Hindi."""
    settings.LOGIN_INVITATIONS = True
    coordinator = Position.objects.get(level__code="district", code="coordinator")
    for page, width in ((phone, 360), (desktop, 1280)):
        log_in_browser(page, live_server, "state_admin")
        page.goto(f"{live_server.url}{reverse('logins:posts')}")
        page.wait_for_selector("select[name=role]")
        assert "किस पद के साथ कौन-सी भूमिका" in page.locator("h1").inner_text()
        screenshot(page, f"post-roles-{width}-hi")
        page.goto(f"{live_server.url}{reverse('logins:unit', args=[tree.jaipur.pk])}")
        page.wait_for_selector("#new-login")
        screenshot(page, f"logins-committee-{width}-hi")
    # The invitation page and the sign-in by code, in both sizes (the link is only looked at, not used).
    org_services.appointment_create_for_mobile(
        unit=tree.ajmer,
        position=Position.objects.get(level__code="district", code="in_charge"),
        mobile="98290 54321",
        name_hi="रमेश जाट",
        name_en="Ramesh Jat",
        by=cast.state_admin,
    )
    for page, width in ((phone, 360), (desktop, 1280)):
        page.context.clear_cookies()
        page.goto(live_server.url + invitation_path("+919829054321"))
        page.wait_for_selector("input[name=new_password1]")
        screenshot(page, f"invitation-{width}-hi")
        page.click("a[href='/welcome/code/']")
        page.wait_for_selector("input[name=mobile]")
        screenshot(page, f"code-sign-in-{width}-hi")
    log_in_browser(desktop, live_server, "state_admin")
    # A post's role changed through the page is the state's own from then on.
    desktop.goto(f"{live_server.url}{reverse('logins:posts')}")
    row = desktop.locator("form.post-role", has=desktop.locator(f"input[name=position][value='{coordinator.pk}']"))
    row.locator("select[name=role]").select_option("trainer")
    with desktop.expect_navigation():
        row.locator("button").click()
    # Once the ids passed 999 (long PostgreSQL runs) the state's id was rendered "1,011" and the save was a 404:
    # ids in templates are unlocalised now (tests/test_templates.py).
    assert desktop.locator(".messages").count(), f"{desktop.url}\n{desktop.locator('main').inner_text()[:500]}"
    assert PostRole.objects.get(state=tree.rajasthan, position=coordinator).role == "trainer"
