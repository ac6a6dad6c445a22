"""Resume in Chromium (issue 17): a send and an import whose worker died show "resume" to the operator, in
Hindi, on a 360-px phone and a desktop; pressing it finishes the work. Screenshots at 360 and 1280 px."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from sangathan.org.models import Unit, UnitImportJob
from sangathan.outreach import services
from sangathan.outreach.models import Delivery, Message, SendChunk
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    b"state,district,ac_no,ac_name,block,booth_no,booth_name\n"
    b"Rajasthan,Ajmer,99,Ajmer South,Kishangarh,2,Kishangarh Station\n"
)


def test_a_stopped_send_is_resumed_from_the_phone(phone, desktop, live_server, tree, cast):
    cache.clear()
    message = services.message_create(
        unit=tree.jaipur,
        target_level=tree.booth1.level,
        by=cast.district_admin,
        title="रविवार की बूथ बैठक",
        body_hi="सभी बूथ अध्यक्ष रविवार सुबह 10 बजे बैठक करें।",
        text_whatsapp="रविवार बैठक!",
    )
    services.message_send(message=message, by=cast.district_admin, queue=False)  # its task lost
    SendChunk.objects.filter(message=message).update(updated_at=timezone.now() - datetime.timedelta(minutes=3))

    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/outreach/{message.pk}/track/")
    desktop.wait_for_selector("form.oc-stalled button")
    assert "यह भेजना रुक गया है" in desktop.inner_text("form.oc-stalled")
    screenshot(desktop, "outreach-resume-1280")

    log_in_browser(phone, live_server, "district_admin")
    phone.goto(f"{live_server.url}/outreach/{message.pk}/track/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "outreach-resume-360")
    phone.click("form.oc-stalled button")
    phone.wait_for_selector(".msg-success")
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT
    assert Delivery.objects.filter(message=message).count() == 4
    assert phone.locator("form.oc-stalled").count() == 0


def test_a_stopped_import_is_resumed(phone, desktop, live_server, tree, cast):
    cache.clear()
    job = UnitImportJob.objects.create(
        root=tree.ajmer, content=CSV, original_name="ajmer.csv", created_by=cast.state_admin, status="running"
    )
    UnitImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=3))

    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/import/jobs/{job.pk}/")
    desktop.wait_for_selector("#import-job form button")
    assert "यह आयात रुक गया है" in desktop.inner_text("#import-job form")
    screenshot(desktop, "import-resume-1280")

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/import/jobs/{job.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "import-resume-360")
    phone.click("#import-job form button")
    phone.wait_for_selector(".msg-success")
    assert UnitImportJob.objects.get(pk=job.pk).status == "done"
    assert Unit.objects.filter(parent=tree.kishangarh, number=2).exists()
