"""The first run in a real browser: a superuser on an installation with no units lands on the set-up page,
sets the organisation up on a phone, and the first state admin signs in to their state."""

import pytest
from django.urls import reverse

from sangathan.access.models import Role, RoleAssignment
from sangathan.org.models import Level, Position, Unit
from sangathan.org.template import load_default_numbering, load_default_template
from sangathan.org.tests.factories import UserFactory
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "nadi-kinare-ghar-2026"


@pytest.fixture
def fresh(db):
    # Transactional tests flush what the data migrations wrote: the seeds' levels and posts, and no unit.
    load_default_template(Level, Position)
    load_default_numbering(Level)
    UserFactory(username="root", is_superuser=True, is_staff=True)


def test_set_up_on_a_phone_then_the_state_admin_signs_in(live_server, phone, desktop, fresh):
    log_in_browser(desktop, live_server, "root")
    desktop.wait_for_selector("textarea[name=chain]")
    screenshot(desktop, "setup-1280-hi")

    page = phone
    log_in_browser(page, live_server, "root")
    page.wait_for_selector("textarea[name=chain]")
    assert page.url.endswith(reverse("setup"))
    screenshot(page, "setup-360-hi")
    page.fill("input[name=name_hi]", "जन सेवा दल")
    page.fill("input[name=name_en]", "Jan Seva Dal")
    page.fill("textarea[name=states]", "राजस्थान | Rajasthan | RJ")
    chain = page.locator("textarea[name=chain]").input_value()
    page.fill(
        "textarea[name=chain]",
        "\n".join(line for line in chain.splitlines() if not line.startswith(("ward", "cluster"))),
    )
    page.fill("input[name=admin_username]", "rajasthan")
    page.fill("input[name=admin_password1]", PASSWORD)
    page.fill("input[name=admin_password2]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('भारत')")
    assert not Level.objects.filter(code__in=["ward", "cluster"]).exists()
    state = Unit.objects.get(code="RJ")
    assert RoleAssignment.objects.filter(user__username="rajasthan", unit=state, role=Role.STATE_ADMIN).exists()

    page.context.clear_cookies()
    log_in_browser(page, live_server, "rajasthan", PASSWORD)
    page.wait_for_selector("h1:has-text('राजस्थान')")
    screenshot(page, "setup-done-state-360-hi")
