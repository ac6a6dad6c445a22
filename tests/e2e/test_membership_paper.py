"""A booth's office-bearer types in paper membership forms one after another on a 360-px phone (the booth
kept, today's count rising, a refused form told why in Hindi), then uploads a sheet of them and reads the
refused row by its number; a reviewer clears a sign-up held by a fraud signal. Screenshots at 360 and 1280 px."""

import pytest
from django.test import override_settings
from django.urls import reverse

from sangathan.membership import services
from sangathan.membership.models import Member
from sangathan.membership.selectors import counts_for_unit
from sangathan.testing import log_in_browser, sent_code
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_paper_forms_on_a_phone_and_a_sheet(live_server, phone, desktop, tree, cast):
    page = phone
    log_in_browser(page, live_server, cast.district_admin.username)
    page.goto(live_server.url + reverse("membership:paper", args=[tree.booth1.pk]))
    assert page.inner_text("#entered-today") == "0"
    for name, mobile in (("कमला देवी", "98290 50001"), ("रवि कुमार", "98290 50002")):
        page.fill("input[name=name]", name)
        page.fill("input[name=mobile]", mobile)
        page.fill("input[name=age]", "44")
        page.locator("input[name=age]").press("Enter")  # the keyboard's "go": no scrolling to a button
        page.wait_for_selector(".messages")
    assert page.inner_text("#entered-today") == "2"
    assert page.input_value("input[name=name]") == ""  # empty for the next form, the same booth
    assert "आमेर विद्यालय" in page.inner_text("#paper-form")
    assert fits_the_screen(page)
    screenshot(page, "membership-paper-360-hi")

    page.fill("input[name=name]", "तीसरा व्यक्ति")
    page.fill("input[name=mobile]", "98290 50001")  # the first form's number again
    page.fill("input[name=age]", "15")
    page.click("#paper-form button[type=submit]")
    page.wait_for_selector(".field.has-error")
    assert "कम से कम 18" in page.inner_text("#paper-form")
    page.fill("input[name=age]", "30")
    page.click("#paper-form button[type=submit]")
    page.wait_for_selector(".errors")
    assert "पहले से" in page.inner_text("#paper-form")
    assert page.input_value("input[name=name]") == "तीसरा व्यक्ति"  # what was typed is kept
    screenshot(page, "membership-paper-refused-360-hi")
    assert Member.objects.filter(source="paper").count() == 2
    assert counts_for_unit(tree.india).verified == 0 and counts_for_unit(tree.india).pending == 2

    log_in_browser(desktop, live_server, cast.district_admin.username)
    desktop.goto(live_server.url + reverse("membership:sheet_upload", args=[tree.jaipur_ac.pk]))
    sheet = "नाम,मोबाइल,आयु,बूथ\nसीमा मीणा,9829050003,27,1\nगलत बूथ,9829050004,40,77\n".encode()
    desktop.set_input_files("input[type=file]", {"name": "forms.csv", "mimeType": "text/csv", "buffer": sheet})
    desktop.click("#sheet-form button[type=submit]")
    desktop.wait_for_selector("#sheet-outcome")
    assert desktop.inner_text("#sheet-entered") == "1"
    assert "3" in desktop.inner_text("#sheet-errors td.num")
    screenshot(desktop, "membership-sheet-1280-hi")
    desktop.set_viewport_size({"width": 360, "height": 780})
    assert fits_the_screen(desktop)
    screenshot(desktop, "membership-sheet-360-hi")
    desktop.goto(live_server.url + reverse("membership:sheet_upload", args=[tree.jaipur_ac.pk]))
    screenshot(desktop, "membership-sheet-upload-360-hi")
    desktop.set_viewport_size({"width": 1280, "height": 900})
    desktop.goto(live_server.url + reverse("membership:paper", args=[tree.booth1.pk]))
    screenshot(desktop, "membership-paper-1280-hi")


@override_settings(MEMBERSHIP_FRAUD_PER_ADDRESS=0)
def test_the_review_of_a_held_sign_up_on_a_phone(live_server, phone, desktop, tree, cast):
    held_mobile = "+919829050011"
    answer = services.member_join(
        unit=tree.booth1, name="सीमा मीणा", mobile=held_mobile, age=30, requested_from="203.0.113.7"
    )
    held = services.member_confirm(
        form_token="",
        member_id=answer.member.pk,
        challenge_id=answer.challenge_id,
        mobile=held_mobile,
        code=sent_code(held_mobile),
    )
    assert held.status == "held"
    log_in_browser(desktop, live_server, cast.district_admin.username)
    desktop.goto(live_server.url + reverse("membership:review", args=[tree.jaipur.pk]))
    assert "इंटरनेट पते" in desktop.inner_text(f"#held-{held.pk}")
    screenshot(desktop, "membership-review-1280-hi")
    page = phone
    log_in_browser(page, live_server, cast.district_admin.username)
    page.goto(live_server.url + reverse("membership:review", args=[tree.jaipur.pk]))
    assert fits_the_screen(page)
    screenshot(page, "membership-review-360-hi")
    page.click(f"#held-{held.pk} button[value=clear]")
    page.wait_for_selector(".messages")
    assert Member.objects.get(pk=held.pk).status == "verified" and counts_for_unit(tree.india).verified == 1
