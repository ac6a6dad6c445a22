"""Tips in Chromium: a person reports a rumour on the public tipline from a 360-px phone (text, a link and
a screenshot) and gets a reference number; the rumour repeats a published fact-check, so the answer is
queued at once by SMS; the state desk's tip list shows it linked to the claim with the mobile masked, and
the sibling district does not see it. Screenshots of both pages at 360 and 1280 px."""

import io

import pytest
from PIL import Image

from sangathan.factcheck import clusters, matching
from sangathan.factcheck.models import Tier, Tip, Verdict
from sangathan.factcheck.services import claim_create, claim_publish
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTES_HI = "कल से ₹2000 के नोट बंद, आधी रात के बाद कोई दुकान या बैंक इन्हें नहीं लेगा"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def published(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    matching.forget_index()
    clusters.forget_cluster_index()
    claim = claim_create(
        external_id="notes-2000",
        texts={
            "hi": NOTES_HI,
            "en": "₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight",
        },
    )
    yield claim_publish(claim=claim, verdict=Verdict.FALSE)
    matching.forget_index()
    clusters.forget_cluster_index()


def test_a_tip_from_a_phone_is_answered_and_shown_to_the_desk(live_server, phone, desktop, cast, published, tmp_path):
    picture = tmp_path / "screenshot.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 640), "white").save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())

    phone.goto(f"{live_server.url}/tip/")
    assert "अफ़वाह की सूचना दें" in phone.inner_text("h1") and fits(phone)
    screenshot(phone, "factcheck-tipline-360-hi")
    desktop.goto(f"{live_server.url}/tip/")
    screenshot(desktop, "factcheck-tipline-1280-hi")

    phone.fill("textarea[name=text]", "*Forwarded many times* " + NOTES_HI + " 😱")
    phone.fill("input[name=link]", "https://bit.ly/notes-ban")
    phone.set_input_files("input[name=images]", str(picture))
    phone.fill("input[name=mobile]", "98290 12345")
    phone.click("#tip-form button[type=submit]")
    phone.wait_for_selector("#reference")
    tip = Tip.objects.get()
    assert phone.inner_text("#reference") == tip.reference and fits(phone)
    screenshot(phone, "factcheck-tip-done-360-hi")
    assert tip.tier == Tier.AUTO and tip.claim_id == published.pk and tip.media.count() == 1
    answer = OutboxMessage.objects.get()
    assert (answer.channel, answer.recipient) == ("sms", "+919829012345") and tip.reference in answer.body

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/factcheck/tips/")
    body = phone.inner_text("main")
    assert tip.reference in body and "notes-2000" in body and "+91 98•••••345" in body and fits(phone)
    screenshot(phone, "factcheck-tips-360-hi")
    log_in_browser(desktop, live_server, "sibling_admin")
    desktop.goto(f"{live_server.url}/factcheck/tips/")
    assert tip.reference not in desktop.inner_text("main")
    desktop.context.clear_cookies()
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/factcheck/tips/")
    screenshot(desktop, "factcheck-tips-1280-hi")
