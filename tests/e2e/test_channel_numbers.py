"""An official account's numbers in Chromium: a district in-charge opens the X account's page on a 360-px phone
in Hindi (followers as bars, day by day), sets its API access (the token is not shown back) and sees it on a
laptop. Screenshots at 360 and 1280 px."""

import datetime

import pytest
from django.utils import timezone

from sangathan.channels.models import ChannelCredential, ChannelSnapshot, Platform
from sangathan.channels.platforms import DayNumbers
from sangathan.channels.services import channel_register, snapshots_record
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_account_numbers_on_a_phone_and_a_laptop(live_server, tree, cast, phone, desktop):
    account = channel_register(unit=tree.jaipur, platform=Platform.X, name="भाजपा जयपुर", link="@bjp4jaipur")
    today = timezone.localdate()
    days = [
        DayNumbers(
            day=today - datetime.timedelta(days=n),
            followers=152_000 + 180 * (29 - n) - (2500 if n < 4 else 0),
            followers_change=180,
            posts=12,
            impressions=58_000 + 100 * n,
        )
        for n in range(29, -1, -1)
    ]
    snapshots_record(channel=account, days=days, source=ChannelSnapshot.Source.EXPORT)

    log_in_browser(phone, live_server, "district_admin")
    phone.goto(f"{live_server.url}/channels/units/{tree.jaipur.pk}/")
    phone.click("text=फ़ॉलोअर और आँकड़े")
    phone.wait_for_selector("svg.followers-chart")
    assert phone.locator("svg.followers-chart rect").count() == 30
    assert "एक्सपोर्ट फ़ाइल" in phone.content()
    screenshot(phone, "channel-numbers-360")
    phone.fill("input[name=account_id]", "783214")
    phone.fill("input[name=token]", "AAAA-secret-bearer")
    with phone.expect_navigation():
        phone.click("form[action$='/api-access/'] button[type=submit]")
    assert "एपीआई एक्सेस सहेजा गया" in phone.content() and "AAAA-secret-bearer" not in phone.content()
    assert ChannelCredential.objects.get(channel=account).account_id == "783214"

    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/channels/{account.pk}/numbers/")
    assert "783214" in desktop.content()
    screenshot(desktop, "channel-numbers-1280")
