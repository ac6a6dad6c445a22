"""Scorecards in Chromium: a state admin opens the districts' scorecards on a 360-px phone in Hindi (ranked,
coloured bars, the formulas below, nothing wider than the screen), switches to 30 days, opens an in-charge's
scorecard and the needs-attention list with its committee actions; the same page at 1280 px. Screenshots."""

import datetime

import pytest
from django.utils import timezone

from sangathan.controlroom import services
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_scorecards_on_a_phone_and_a_desktop(browser, phone, desktop, live_server, tree, cast, settings):
    settings.CONTROLROOM_ATTENTION_WEEKS = 1
    settings.CONTROLROOM_ATTENTION_SCORE = 20  # Jaipur: 9 of 35 reports, the best activity, none trained: 32
    today = timezone.localdate()
    started = today - datetime.timedelta(days=60)
    holders = {}
    for unit in (tree.jaipur, tree.ajmer, tree.jaipur_ac, tree.amer, tree.booth1, tree.booth2, tree.ajmer_booth):
        holders[unit.pk] = org_services.appointment_create(
            unit=unit,
            position=Position.objects.get(level=unit.level, is_key=True),
            person=PersonFactory(name_hi=f"प्रभारी {unit.name_hi}"),
            start_date=started,
        )
    for n in range(1, 4):
        day = today - datetime.timedelta(days=n)
        for unit in (tree.booth1, tree.booth2, tree.jaipur):
            services.activity_report_submit(
                appointment_id=holders[unit.pk].pk, day=day, counts={"posts": 3, "shares": 2}, today=day
            )
    for n in range(1, 8):
        services.rollup_refresh(day=today - datetime.timedelta(days=n))

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/controlroom/unit/{tree.rajasthan.pk}/scorecards/")
    phone.wait_for_selector(f"[data-unit='{tree.jaipur.pk}']")
    assert "स्कोरकार्ड" in phone.inner_text("h1")
    ranks = phone.eval_on_selector_all("#sc-cards > li", "items => items.map(i => i.dataset.unit)")
    assert ranks == [str(tree.jaipur.pk), str(tree.ajmer.pk)]
    assert "रिपोर्टिंग की नियमितता" in phone.inner_text(f"[data-unit='{tree.jaipur.pk}']")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "controlroom-scorecards-360")
    phone.click("text=पिछले 30 दिन")
    phone.wait_for_url("**days=30")
    assert "(30 दिन)" in phone.inner_text("body")

    jaipur_in_charge = Appointment.objects.get(unit=tree.jaipur)
    phone.click(f"[data-unit='{tree.jaipur.pk}'] .sc-bearer a")
    phone.wait_for_selector("#sc-bearer")
    assert jaipur_in_charge.person.name_hi in phone.inner_text("h1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "controlroom-bearer-scorecard-360")

    phone.goto(f"{live_server.url}/controlroom/unit/{tree.rajasthan.pk}/needs-attention/")
    phone.wait_for_selector(f"#sc-attention [data-unit='{tree.ajmer.pk}']")
    assert phone.locator(f"#sc-attention [data-unit='{tree.jaipur.pk}']").count() == 0
    assert phone.locator(f"a[href='/units/{tree.ajmer.pk}/dissolve/']").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "controlroom-needs-attention-360")

    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/controlroom/unit/{tree.rajasthan.pk}/scorecards/")
    desktop.wait_for_selector(f"[data-unit='{tree.ajmer.pk}']")
    screenshot(desktop, "controlroom-scorecards-1280")
