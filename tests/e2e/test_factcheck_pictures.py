"""Tip pictures in Chromium: a screenshot of a published rumour, sent twice from a 360-px phone with no words
typed, is read by Tesseract (the task runs eagerly in the tests), linked to the claim and answered; the
state desk's tip list shows the picture's thumbnail, the text read in it and the earlier tip with the same
picture. Screenshots of the list at 360 and 1280 px."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from sangathan.factcheck import clusters, matching
from sangathan.factcheck.models import Tier, Tip, Verdict
from sangathan.factcheck.services import claim_create, claim_publish
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTES_HI = "कल से ₹2000 के नोट बंद, आधी रात के बाद कोई दुकान या बैंक इन्हें नहीं लेगा"
FONT = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def published(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    matching.forget_index()
    clusters.forget_cluster_index()
    claim = claim_create(external_id="notes-2000", texts={"hi": NOTES_HI})
    yield claim_publish(claim=claim, verdict=Verdict.FALSE)
    matching.forget_index()
    clusters.forget_cluster_index()


def pictures_shown(page) -> list[bool]:
    """Each thumbnail of the page decoded (``decode()`` waits for a lazy picture to arrive)."""
    return page.locator("main img").evaluate_all(
        "images => Promise.all(images.map(image => image.decode().then(() => image.naturalWidth > 0, () => false)))"
    )


def rumour_picture(path, quality: int) -> str:
    image = Image.new("RGB", (900, 240), (250, 250, 245))
    draw, face = ImageDraw.Draw(image), ImageFont.truetype(FONT, 34)
    draw.text((30, 40), "कल से ₹2000 के नोट बंद, आधी रात के बाद", font=face, fill=(10, 10, 10))
    draw.text((30, 100), "कोई दुकान या बैंक इन्हें नहीं लेगा", font=face, fill=(10, 10, 10))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_screenshot_of_a_rumour_is_read_linked_and_shown_with_its_twin(
    live_server, phone, desktop, cast, published, tmp_path
):
    for number, quality in enumerate((90, 35)):
        phone.goto(f"{live_server.url}/tip/")
        phone.set_input_files("input[name=images]", rumour_picture(tmp_path / f"forward{number}.jpg", quality))
        with phone.expect_navigation():
            phone.click("#tip-form button[type=submit]")
        phone.wait_for_selector("#reference")
    first, second = Tip.objects.order_by("created_at", "id")
    for tip in (first, second):
        assert (tip.tier, tip.claim_id) == (Tier.AUTO, published.pk)
        assert tip.media.get().phash and "नोट" in tip.media.get().ocr_text

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/factcheck/tips/")
    body = phone.inner_text("main")
    assert second.reference in body and "notes-2000" in body and "यही तस्वीर यहाँ भी मिली" in body
    assert f"सूचना {first.reference}" in body and fits(phone)
    assert all(pictures_shown(phone))
    screenshot(phone, "factcheck-tip-pictures-360-hi")
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/factcheck/tips/")
    assert all(pictures_shown(desktop))
    screenshot(desktop, "factcheck-tip-pictures-1280-hi")
