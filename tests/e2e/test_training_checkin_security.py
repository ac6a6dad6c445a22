"""Issue 11 in Chromium: the QR check-in asks for the mobile number and the personal code of the
invitation, never shows a name, and people without a code only ask the trainer to let them in; the
trainer confirms a new number and cannot confirm an Ajmer number at Amer's camp, on a 360-px phone.
Screenshots of the check-in page at 360 and 1280 px."""

import datetime

import pytest
from django.utils import timezone

from sangathan.org.tests.factories import PersonFactory
from sangathan.testing import log_in_browser
from sangathan.training import services
from sangathan.training.models import Attendance, Invitation, WalkInRequest
from sangathan.training.selectors import default_programme
from tests.e2e.conftest import screenshot
from tests.e2e.test_training import district  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_check_in_with_a_code_and_walk_ins_confirmed_by_the_trainer(live_server, desktop, phone, tree, cast, district):  # noqa: F811
    now = timezone.now()
    camp = services.camp_create(
        programme=default_programme(),
        host_unit=tree.amer,
        venue="पंचायत समिति सभागार, आमेर",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        allow_walk_ins=True,
    )
    services.invitations_generate(camp=camp)
    ajmer_person = PersonFactory(name_hi="गीता रावत", home_unit=tree.kishangarh, mobile="+919829066666")
    url = f"{live_server.url}/t/{camp.check_in_token}/"

    # 1. The page asks for the number and the personal code; a camp with walk-ins also offers to ask.
    phone.goto(url)
    assert phone.locator("input[name=code]").count() == 1 and phone.locator("#walk-in-form").count() == 1
    assert fits(phone)
    screenshot(phone, "training-checkin-code-360-hi")
    desktop.goto(url)
    screenshot(desktop, "training-checkin-code-1280-hi")

    # 2. Somebody types an invitee's number with a guessed code: refused, no name, nothing saved.
    code = Invitation.objects.get(camp=camp, person=district["booth1"]).check_in_code
    phone.fill("input[name=mobile]", "98290 22222")
    phone.fill("input[name=code]", "ABC234" if code != "ABC234" else "ABC235")
    phone.click("#check-in-form button[type=submit]")
    phone.wait_for_selector("#refusal")
    assert "सीमा शर्मा" not in phone.inner_text("main") and not Attendance.objects.exists()
    assert fits(phone)
    screenshot(phone, "training-checkin-code-refused-360-hi")

    # 3. The invitee herself, with her code: checked in, still no name on the page.
    phone.fill("input[name=mobile]", "98290 22222")
    phone.fill("input[name=code]", code)
    phone.click("#check-in-form button[type=submit]")
    phone.wait_for_selector("#checked-in")
    assert "सीमा शर्मा" not in phone.inner_text("main")
    assert Attendance.objects.get().person == district["booth1"]

    # 4. A new person and an Ajmer office-bearer ask to join: both get the same "see the trainer" page.
    answers = []
    for name, mobile in (("सुनील कुमार", "98290 55555"), ("कोई", "98290 66666")):
        phone.goto(url)
        phone.fill("input[name=join-name]", name)
        phone.fill("input[name=join-mobile]", mobile)
        phone.click("#walk-in-form button[type=submit]")
        phone.wait_for_selector("#walk-in-requested")
        answers.append(phone.inner_text("#walk-in-requested"))
    assert answers[0] == answers[1] and "गीता रावत" not in answers[1]
    assert fits(phone)
    screenshot(phone, "training-walk-in-requested-360-hi")
    assert Attendance.objects.count() == 1 and WalkInRequest.objects.filter(status="pending").count() == 2

    # 5. The trainer's roll call on a phone: the Ajmer number cannot be confirmed, Sunil can.
    log_in_browser(phone, live_server, "district_admin")
    phone.goto(f"{live_server.url}/training/camps/{camp.pk}/roll-call/")
    requests = phone.locator("#walk-ins li")
    assert requests.count() == 2
    outside = WalkInRequest.objects.get(mobile=ajmer_person.mobile)
    assert phone.locator(f"#walk-in-{outside.pk} button[value=confirm]").count() == 0
    assert fits(phone)
    screenshot(phone, "training-roll-call-requests-360-hi")
    sunil = WalkInRequest.objects.get(mobile="+919829055555")
    phone.click(f"#walk-in-{sunil.pk} button[value=confirm]")
    phone.wait_for_selector(".messages")
    assert "सुनील कुमार" in phone.inner_text("#roll")
    phone.click(f"#walk-in-{outside.pk} button[value=reject]")
    phone.wait_for_selector(".messages")
    assert phone.locator("#walk-ins").count() == 0
    assert set(Attendance.objects.values_list("method", flat=True)) == {"qr", "walk_in"}
    assert not Attendance.objects.filter(person=ajmer_person).exists()

    # 6. The codes of those not yet present, to read out or send again.
    phone.click("#codes summary")
    booth2_code = Invitation.objects.get(camp=camp, person=district["booth2"]).check_in_code
    assert booth2_code in phone.inner_text("#codes")
    assert fits(phone)
    screenshot(phone, "training-roll-call-codes-360-hi")
    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/training/camps/{camp.pk}/roll-call/")
    desktop.click("#codes summary")
    screenshot(desktop, "training-roll-call-codes-1280-hi")
