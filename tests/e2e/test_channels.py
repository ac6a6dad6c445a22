"""The channel registry in Chromium: a district in-charge registers a booth's WhatsApp group (after a wrong
link is refused in Hindi) and broadcast list on a 360-px phone, imports a sheet on a laptop, and sees the
booths still missing a group or list. Screenshots of every page at 360 and 1280 px."""

import pytest

from sangathan.channels.models import Channel, Platform
from sangathan.channels.services import channel_register
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CODE = "AbCdEf1234567890GhIjK"


def test_register_on_a_phone_then_import_on_a_laptop(live_server, tree, cast, phone, desktop, tmp_path):
    channel_register(
        unit=tree.ajmer_booth, platform=Platform.WHATSAPP_GROUP, name="किशनगढ़", link=f"chat.whatsapp.com/{CODE}9"
    )
    log_in_browser(phone, live_server, "district_admin")

    # The booth has nothing yet: register its WhatsApp group; a wa.me link is refused in Hindi.
    phone.goto(f"{live_server.url}/channels/units/{tree.booth1.pk}/")
    assert "अभी कोई चैनल दर्ज नहीं है" in phone.content()
    screenshot(phone, "channels-unit-empty-360")
    phone.click("text=व्हाट्सएप ग्रुप दर्ज करें")
    phone.fill("input[name=name]", "बूथ 1 आमेर")
    phone.fill("input[name=link]", "https://wa.me/919829012345")
    phone.fill("input[name=admin_mobiles]", "98290 12345")
    phone.fill("input[name=member_count]", "212")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert "ग्रुप नहीं" in phone.content()
    screenshot(phone, "channels-form-error-360")
    phone.fill("input[name=link]", f" chat.whatsapp.com/{CODE}1 ")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert "दर्ज हो गया" in phone.content()

    # Then its broadcast list: no link, the phone it is run from.
    phone.click("text=चैनल दर्ज करें")
    phone.select_option("select[name=platform]", "whatsapp_broadcast")
    phone.fill("input[name=name]", "बूथ 1 सूचना सूची")
    phone.fill("input[name=owner_mobile]", "9829012345")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert Channel.objects.filter(unit=tree.booth1, is_active=True).count() == 2
    # Checked today, with the member count.
    group = Channel.objects.get(platform=Platform.WHATSAPP_GROUP, unit=tree.booth1)
    phone.fill(f"#members-{group.pk}", "230")
    with phone.expect_navigation():
        phone.click(f"#channel-{group.pk} form button")
    group.refresh_from_db()
    assert group.member_count == 230 and group.last_verified_on is not None
    screenshot(phone, "channels-unit-360")

    # The district's area page: bars and the booth still missing both.
    phone.goto(f"{live_server.url}/channels/units/{tree.jaipur.pk}/area/")
    html = phone.content()
    assert "1/2" in html and "आमेर किला द्वार" in html  # booth 2 still lacks both
    assert "किशनगढ़" not in html  # Ajmer's group is not shown to Jaipur
    screenshot(phone, "channels-area-360")

    # On a laptop: import a sheet with Hindi headings (booth 2's group and list), preview, confirm.
    log_in_browser(desktop, live_server, "district_admin")
    sheet = tmp_path / "jaipur-channels.csv"
    sheet.write_text(
        "जिला,विधानसभा संख्या,बूथ संख्या,प्लेटफ़ॉर्म,नाम,लिंक,सदस्य संख्या\n"
        f"जयपुर,45,2,व्हाट्सएप ग्रुप,बूथ 2 आमेर किला,https://chat.whatsapp.com/{CODE}2,140\n"
        "जयपुर,45,2,ब्रॉडकास्ट,बूथ 2 सूची,98290 55555,\n"
        f"जयपुर,45,1,व्हाट्सएप ग्रुप,बूथ 1 आमेर,https://chat.whatsapp.com/{CODE}1,230\n",
        encoding="utf-8-sig",
    )
    desktop.goto(f"{live_server.url}/channels/units/{tree.jaipur.pk}/import/")
    screenshot(desktop, "channels-import-1280")
    desktop.set_input_files("input[type=file]", str(sheet))
    with desktop.expect_navigation():
        desktop.click("main form button[type=submit]")
    assert "2 चैनल जोड़े जाएँगे" in desktop.content()
    screenshot(desktop, "channels-import-preview-1280")
    with desktop.expect_navigation():
        desktop.click("text=आयात करें >> nth=-1")
    assert Channel.objects.filter(unit=tree.booth2, is_active=True).count() == 2
    assert "2/2" in desktop.content()
    screenshot(desktop, "channels-area-1280")
    desktop.goto(f"{live_server.url}/channels/units/{tree.booth1.pk}/")
    screenshot(desktop, "channels-unit-1280")
    desktop.goto(f"{live_server.url}/channels/units/{tree.booth1.pk}/register/")
    desktop.fill("input[name=name]", "बूथ 1 यूट्यूब")
    desktop.select_option("select[name=platform]", "youtube")
    desktop.fill("input[name=link]", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    with desktop.expect_navigation():
        desktop.click("main button[type=submit]")
    assert "वीडियो का लिंक" in desktop.content()
    screenshot(desktop, "channels-form-error-1280")

    # The same sheet again on the phone: nothing left to import.
    phone.goto(f"{live_server.url}/channels/units/{tree.jaipur.pk}/import/")
    screenshot(phone, "channels-import-360")
    phone.set_input_files("input[type=file]", str(sheet))
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert "पहले से दर्ज है" in phone.content()
    screenshot(phone, "channels-import-preview-360")
    assert Channel.objects.filter(is_active=True).count() == 5

    # Ajmer's in-charge cannot open Jaipur's booth.
    phone.context.clear_cookies()
    log_in_browser(phone, live_server, "sibling_admin")
    response = phone.goto(f"{live_server.url}/channels/units/{tree.booth1.pk}/")
    assert response.status == 404
