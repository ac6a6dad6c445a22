"""The desk's trending rumours in Chromium, in Hindi: the state desk sees each rumour's tips per day as a bar
chart with its districts, on a 360-px phone without sideways scrolling and on a desktop. Screenshots at 360 and
1280 px."""

import datetime

import pytest
from django.utils import timezone

from sangathan.factcheck import clusters, matching
from sangathan.factcheck.models import Tip, TipChannel
from sangathan.factcheck.services import tip_receive
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BANKS = "कल से सारे बैंक सात दिन बंद रहेंगे, आज ही पैसे निकाल लें"
PETROL = "पेट्रोल पंप तीन दिन तक बंद रहेंगे, टंकी आज ही भरवा लें"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def rumours(tree):
    matching.forget_index()
    clusters.forget_cluster_index()
    now = timezone.now()
    plan = [(BANKS, tree.booth1, 0), (BANKS, tree.booth2, 1), (BANKS, tree.amer, 1), (BANKS, tree.ajmer_booth, 3)]
    plan += [(BANKS, tree.booth1, 5), (PETROL, tree.ajmer_booth, 0), (PETROL, tree.ajmer_booth, 2)]
    for text, unit, days_ago in plan:
        tip, _new = tip_receive(channel=TipChannel.CASCADE, text=text, unit=unit)
        Tip.objects.filter(pk=tip.pk).update(created_at=now - datetime.timedelta(days=days_ago, minutes=1))
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


def test_the_state_desk_sees_the_trending_rumours_with_charts(live_server, phone, desktop, cast, rumours):
    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/factcheck/trending/")
    body = phone.inner_text("main")
    assert "चर्चित अफ़वाहें" in body and BANKS in body and PETROL in body and "2 ज़िलों में" in body
    assert phone.locator("main svg").count() == 2 and phone.locator("main svg rect").count() == 14
    assert fits(phone)
    screenshot(phone, "factcheck-trending-360-hi")
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/factcheck/trending/")
    screenshot(desktop, "factcheck-trending-1280-hi")
    with desktop.expect_navigation():
        desktop.click("text=प्रति घंटा सूचनाएँ")
    assert desktop.locator("main svg rect").count() == 2 * 7 * 24 and fits(desktop)
    screenshot(desktop, "factcheck-trending-hourly-1280-hi")
