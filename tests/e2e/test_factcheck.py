"""The fact-check desk in Chromium (issue 14, "Proof"): a tip arrives through the WhatsApp webhook (signed
like Meta's), repeats a published fact-check and is answered at once; a new rumour is taken through the
desk's workflow on a 1280-px desk, published with its ClaimReview and its rebuttal sent down the cascade; a
booth representative opens it on a 360-px phone. Screenshots of the desk's pages and the public page at 360
and 1280 px."""

import hashlib
import hmac
import json
import re
import urllib.request
from pathlib import Path

import pytest

from sangathan.access.models import Role, RoleAssignment
from sangathan.factcheck import clusters, desk, matching
from sangathan.factcheck.models import Claim, Status, Tier, Tip, TipChannel
from sangathan.factcheck.services import tip_receive
from sangathan.notifications.models import OutboxMessage
from sangathan.org.tests.factories import UserFactory
from sangathan.outreach.models import Delivery, Message
from sangathan.outreach.services import delivery_link
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[2] / "sangathan" / "factcheck" / "tests" / "fixtures"
APP_SECRET = "app-secret-e2e"
NOTES_HI = "कल से ₹2000 के नोट बंद, आधी रात के बाद कोई दुकान या बैंक इन्हें नहीं लेगा"
NOTES_EN = "₹2000 notes banned from tomorrow; no shop or bank will accept them after midnight"
RUMOUR_HI = "कल से सभी पेट्रोल पंप तीन दिन के लिए बंद रहेंगे, आज ही टंकी भरवा लें"
RUMOUR_EN = "All petrol pumps will stay shut for three days from tomorrow, fill your tank today"
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def indexes():
    matching.forget_index()
    clusters.forget_cluster_index()
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


@pytest.fixture
def checker(tree):
    user = UserFactory(username="checker_jaipur")
    RoleAssignment.objects.create(user=user, unit=tree.jaipur, role=Role.FACT_CHECKER)
    return user


def _publish(claim, by):
    desk.claim_edit(claim=claim, by=by, rebuttal={"rebuttal_hi": "नोट बंद नहीं हुए।", "rebuttal_en": "Not banned."})
    for step in ("triage", "verifying"):
        desk.claim_transition(claim=claim, to=step, by=by)
    desk.claim_transition(claim=claim, to="verdict", verdict="false", by=by)
    return desk.claim_transition(claim=claim, to="published", by=by)


def test_a_whatsapp_tip_repeating_a_published_claim_is_answered_at_once(live_server, settings, tree, checker, indexes):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    _publish(desk.claim_open(unit=tree.jaipur, texts={"hi": NOTES_HI, "en": NOTES_EN}, by=checker), checker)
    body = (FIXTURES / "whatsapp_text.json").read_bytes()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 - the live test server (http)
        f"{live_server.url}/tip/hooks/whatsapp/",
        data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the live test server
        assert answer.status == 200
    tip = Tip.objects.get(channel=TipChannel.WHATSAPP)
    assert tip.tier == Tier.AUTO and tip.answered_at is not None
    reply = OutboxMessage.objects.get(channel="whatsapp")
    assert reply.recipient == "+919829012345" and tip.reference in reply.body


def test_a_new_rumour_is_verified_published_and_sent_down_to_a_booth(
    live_server, phone, desktop, tree, checker, indexes
):
    # The rumour came in twice, from a Jaipur booth (with a number to answer) and from Ajmer.
    tip_receive(channel=TipChannel.WEB, text=RUMOUR_HI, reply_mobile="+919812300001", unit=tree.booth1)
    log_in_browser(desktop, live_server, "checker_jaipur")
    desktop.goto(f"{live_server.url}/factcheck/claims/new/")
    desktop.select_option("select[name=unit]", str(tree.jaipur.pk))
    desktop.fill("textarea[name=text_hi]", RUMOUR_HI)
    desktop.fill("textarea[name=text_en]", RUMOUR_EN)
    desktop.click("main button[type=submit]")
    desktop.wait_for_selector(".workflow")
    claim = Claim.objects.get()
    # The earlier tip is linked the moment the claim exists: a repeat now joins the claim's cluster.
    tip_receive(channel=TipChannel.WEB, text=RUMOUR_HI + "!!", reply_mobile="+919812300002", unit=tree.ajmer_booth)
    for step in ("triage", "verifying"):
        desktop.select_option("select[name=to]", step)
        with desktop.expect_navigation():
            desktop.click("form[action$='/move/'] button")
    desktop.select_option("select[name=to]", "verdict")
    desktop.select_option("select[name=verdict]", "false")
    with desktop.expect_navigation():
        desktop.click("form[action$='/move/'] button")
    desktop.fill("form[action$='/links/'] input[name=url]", "https://iocl.com/notice")
    with desktop.expect_navigation():
        desktop.click("form[action$='/links/'] button")
    desktop.click(f"a[href$='/claims/{claim.pk}/edit/']")
    desktop.fill("textarea[name=rebuttal_hi]", "पेट्रोल पंप खुले रहेंगे। तेल कंपनियों ने ऐसी कोई घोषणा नहीं की है।")
    desktop.fill(
        "textarea[name=rebuttal_en]", "Petrol pumps stay open. The oil companies announced nothing of the kind."
    )
    desktop.fill("textarea[name=rebuttal_x]", "झूठ: पेट्रोल पंप बंद नहीं होंगे।")
    desktop.click("main button[type=submit]")
    desktop.wait_for_selector(".workflow")
    desktop.select_option("select[name=to]", "published")
    with desktop.expect_navigation():
        desktop.click("form[action$='/move/'] button")
    claim.refresh_from_db()
    assert claim.status == Status.PUBLISHED and claim.verdict == "false"
    screenshot(desktop, "factcheck-claim-1280-hi")

    desktop.click(f"form[action$='/claims/{claim.pk}/answer/'] button")
    desktop.wait_for_selector(".messages")
    message = Message.objects.get()
    assert message.unit == tree.jaipur and message.status in (Message.Status.SENDING, Message.Status.SENT)
    answers = OutboxMessage.objects.filter(template="factcheck_rebuttal")
    assert sorted(answers.values_list("recipient", flat=True)) == ["+919812300001", "+919812300002"]
    desktop.goto(f"{live_server.url}/factcheck/claims/")
    screenshot(desktop, "factcheck-claims-1280-hi")

    # The public page, in Hindi and English, with its ClaimReview.
    for lang, text in (("hi", RUMOUR_HI), ("en", RUMOUR_EN)):
        phone.goto(f"{live_server.url}/tip/checked/{claim.pk}/{lang}/")
        review = json.loads(LD.search(phone.content()).group(1))
        assert review["@type"] == "ClaimReview" and review["claimReviewed"] == text and fits(phone)
        screenshot(phone, f"factcheck-public-360-{lang}")
    desktop.goto(f"{live_server.url}/tip/checked/{claim.pk}/hi/")
    screenshot(desktop, "factcheck-public-1280-hi")

    # A booth representative of Jaipur opens the rebuttal on a phone; Ajmer's booths got nothing.
    booth = Delivery.objects.get(message=message, unit=tree.booth1)
    assert not Delivery.objects.filter(message=message, unit=tree.ajmer_booth).exists()
    phone.goto(delivery_link(booth.pk).replace("http://127.0.0.1:8000", live_server.url))
    assert "पेट्रोल पंप खुले रहेंगे" in phone.inner_text("main") and fits(phone)
    screenshot(phone, "factcheck-rebuttal-booth-360-hi")

    log_in_browser(phone, live_server, "checker_jaipur")
    phone.goto(f"{live_server.url}/factcheck/claims/")
    assert fits(phone)
    screenshot(phone, "factcheck-claims-360-hi")
    phone.goto(f"{live_server.url}/factcheck/claims/{claim.pk}/")
    assert fits(phone)
    screenshot(phone, "factcheck-claim-360-hi")
