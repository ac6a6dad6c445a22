""" "Report a rumour" from an office-bearer's personal links (the cascade's message link, the daily report link),
as an attacker would use them: someone else's link, a tampered, expired or other kind of signed link, a
relieved office-bearer's link, a replay, a flood, huge input, a file that is not a picture. Every refusal
stores nothing; every tip carries the link's unit and says which link and where the rumour was seen."""

import datetime
import importlib
import io
import zoneinfo
from unittest import mock

import pytest
from django.apps import apps
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from sangathan.controlroom import tokens as report_tokens
from sangathan.factcheck.models import Tier, Tip, TipChannel, TipCluster, TipClusterDistrict
from sangathan.factcheck.reported import REPEAT_WINDOW, SeenOn, Source, origin_of, tip_report_from_link
from sangathan.factcheck.tests.samples import NOTES_HI, RUMOUR
from sangathan.org import services as org_services
from sangathan.org.models import Appointment
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery
from sangathan.testing import BAD_INPUT, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_limits(settings, fresh_indexes):
    """The limits count in the shared cache: only the flood test is limited."""
    settings.FACTCHECK_RUMOUR_RATE_LINK = "100000/h"
    settings.FACTCHECK_RUMOUR_RATE_IP = "100000/h"


def cascade_url(message, unit) -> str:
    delivery = Delivery.objects.get(message=message, unit=unit)
    return reverse("factcheck_public:cascade_rumour", args=[outreach_services.delivery_token(delivery.pk)])


def report_url(appointment) -> str:
    return reverse("controlroom_public:rumour", args=[report_tokens.report_token(appointment.pk)])


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("screen.png", buffer.getvalue(), content_type="image/png")


# ---------------------------------------------------------------- the cascade's message link


def test_the_message_page_has_the_button_and_the_form_opens_in_hindi(client, tree, sent):
    delivery = Delivery.objects.get(message=sent, unit=tree.booth1)
    token = outreach_services.delivery_token(delivery.pk)
    page = client.get(reverse("outreach_public:open", args=[token]), HTTP_ACCEPT_LANGUAGE="hi")
    text = page.content.decode()
    assert 'id="report-rumour"' in text and 'href="/tip/m/' in text  # the token's time may differ by a second
    with translation.override("hi"):
        form = client.get(cascade_url(sent, tree.booth1), HTTP_ACCEPT_LANGUAGE="hi")
    assert form.status_code == 200
    body = form.content.decode()
    assert "अफ़वाह की सूचना दें" in body and "आपने इसे कहाँ देखा?" in body
    assert "आमेर विद्यालय" in body  # the unit it goes with


def test_a_rumour_from_the_message_link_carries_the_unit_and_where_it_was_seen(client, tree, sent):
    response = client.post(
        cascade_url(sent, tree.booth1),
        {"text": RUMOUR, "seen_on": SeenOn.FACEBOOK, "unit": tree.ajmer.pk},  # a forged unit is ignored
    )
    assert response.status_code == 303
    tip = Tip.objects.get()
    assert tip.unit == tree.booth1 and tip.channel == TipChannel.CASCADE and tip.text == RUMOUR
    delivery = Delivery.objects.get(message=sent, unit=tree.booth1)
    origin = origin_of(tip)
    assert origin is not None
    assert (origin.source, origin.holder_id, origin.seen_on) == (Source.CASCADE, delivery.pk, SeenOn.FACEBOOK)
    assert (tip.reported_from, tip.seen_on, tip.reported_delivery, tip.reported_appointment) == (
        Source.CASCADE,
        SeenOn.FACEBOOK,
        delivery,
        None,
    )
    report, dot, slot = tip.provider_message_id.partition(".")  # only the digest and the 24-hour slot
    assert (len(report), dot, slot.isdecimal(), ":" in tip.provider_message_id) == (32, ".", True, False)
    assert TipClusterDistrict.objects.filter(cluster=tip.cluster, district=tree.jaipur).exists()
    assert response["Location"].endswith(f"?sent={tip.reference}")
    thanks = client.get(response["Location"])
    assert f'id="reference">{tip.reference}<' in thanks.content.decode()


def test_a_repeat_of_a_known_claim_is_linked(client, tree, sent, claims):
    client.post(cascade_url(sent, tree.booth2), {"text": NOTES_HI, "seen_on": SeenOn.WHATSAPP})
    tip = Tip.objects.get()
    assert tip.tier == Tier.AUTO and tip.claim == claims["notes"] and tip.unit == tree.booth2


def test_the_same_report_twice_is_one_tip(client, tree, sent):
    url = cascade_url(sent, tree.booth1)
    first = client.post(url, {"text": RUMOUR, "seen_on": SeenOn.WHATSAPP})
    again = client.post(url, {"text": RUMOUR + "  ", "seen_on": SeenOn.WHATSAPP})  # a replay, a double tap
    assert first["Location"] == again["Location"]
    assert Tip.objects.count() == 1
    assert Tip.objects.get().cluster.tip_count == 1
    client.post(url, {"text": "दूसरी अफ़वाह: पेट्रोल पंप तीन दिन बंद", "seen_on": SeenOn.WHATSAPP})
    assert Tip.objects.count() == 2
    client.post(url, {"text": RUMOUR, "seen_on": SeenOn.FACEBOOK})  # the same words seen somewhere else
    assert Tip.objects.count() == 3
    assert {t.seen_on for t in Tip.objects.filter(text=RUMOUR)} == {SeenOn.WHATSAPP, SeenOn.FACEBOOK}


def test_the_same_report_across_midnight_is_one_tip_and_a_day_later_another(tree, bearer):
    """The window rolls from the first report: 23:59 and 00:01 in India are one tip (a calendar day in the
    digest had made them two), so is 23 hours 58 later; a day and a minute later the rumour counts again."""
    first_at = datetime.datetime(2026, 12, 7, 23, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata"))

    def report(minutes: int):
        return tip_report_from_link(
            source=Source.REPORT,
            holder_id=bearer.pk,
            unit=tree.booth1,
            seen_on=SeenOn.WHATSAPP,
            text=RUMOUR,
            now=first_at + datetime.timedelta(minutes=minutes),
        )

    first, new = report(0)
    assert new
    Tip.objects.filter(pk=first.pk).update(created_at=first_at)  # the row is stamped by the real clock
    assert report(2) == (first, False)  # 00:01 the next day
    assert report(23 * 60 + 58) == (first, False)  # the next 24-hour slot (they begin at 05:30 in India)
    again, new = report(int(REPEAT_WINDOW.total_seconds() // 60) + 1)
    assert new and again.pk != first.pk
    assert Tip.objects.count() == 2 and TipCluster.objects.get().tip_count == 2


def test_tampered_expired_and_other_signed_links_store_nothing(client, tree, sent, bearer):
    url = cascade_url(sent, tree.booth1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    data = {"text": RUMOUR, "seen_on": SeenOn.WHATSAPP}
    assert client.post(reverse("factcheck_public:cascade_rumour", args=[tampered]), data).status_code == 404
    assert client.post(reverse("factcheck_public:cascade_rumour", args=["nonsense"]), data).status_code == 404
    # A report link's token (another salt) does not open the cascade's page, nor the other way round.
    report_token = report_tokens.report_token(bearer.pk)
    assert client.post(reverse("factcheck_public:cascade_rumour", args=[report_token]), data).status_code == 404
    assert client.post(reverse("controlroom_public:rumour", args=[token]), data).status_code == 404
    delivery = Delivery.objects.get(message=sent, unit=tree.booth1)
    forged = signing.dumps(delivery.pk, salt="another.salt")
    assert client.post(reverse("factcheck_public:cascade_rumour", args=[forged]), data).status_code == 404
    report = report_url(bearer)
    later = timezone.now() + datetime.timedelta(days=400)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = client.post(url, data)
        assert expired.status_code == 410
        assert client.post(report, data).status_code == 410
    assert "इस लिंक की अवधि समाप्त हो गई है" in expired.content.decode()
    assert not Tip.objects.exists()


def test_a_flood_from_one_link_is_stopped(client, tree, sent, settings):
    settings.FACTCHECK_RUMOUR_RATE_LINK = "3/h"
    url = cascade_url(sent, tree.booth1)
    codes = [
        client.post(url, {"text": f"अफ़वाह संख्या {n}: बैंक {n} दिन बंद", "seen_on": SeenOn.X}).status_code for n in range(5)
    ]
    assert codes == [303, 303, 303, 429, 429]
    assert Tip.objects.count() == 3
    # Another office-bearer's link is not held up by this one's flood.
    assert client.post(cascade_url(sent, tree.booth2), {"text": RUMOUR, "seen_on": SeenOn.X}).status_code == 303


def test_huge_empty_and_false_input_is_refused_clearly(client, tree, sent, settings):
    url = cascade_url(sent, tree.booth1)
    with translation.override("hi"):
        huge = client.post(url, {"text": "अ" * 4001, "seen_on": SeenOn.WHATSAPP}, HTTP_ACCEPT_LANGUAGE="hi")
        empty = client.post(url, {"text": "", "seen_on": SeenOn.WHATSAPP}, HTTP_ACCEPT_LANGUAGE="hi")
        nowhere = client.post(url, {"text": RUMOUR, "seen_on": "telegram-secret"}, HTTP_ACCEPT_LANGUAGE="hi")
        fake = SimpleUploadedFile("screen.png", b"%PDF-1.4 not a picture", content_type="image/png")
        not_image = client.post(url, {"seen_on": SeenOn.WHATSAPP, "images": fake}, HTTP_ACCEPT_LANGUAGE="hi")
        bad_link = client.post(url, {"link": "javascript:alert(1)", "seen_on": SeenOn.WHATSAPP})
    assert [r.status_code for r in (huge, empty, nowhere, not_image, bad_link)] == [400] * 5
    assert "4000" in huge.content.decode()
    assert "फ़ॉर्म खाली है" in empty.content.decode()
    assert "बताइए कि आपने इसे कहाँ देखा" in nowhere.content.decode()
    assert "फ़ोटो नहीं है" in not_image.content.decode()
    settings.FACTCHECK_TIP_MAX_BYTES = 1000
    too_large = client.post(url, {"text": "क" * 2000, "seen_on": SeenOn.WHATSAPP})
    assert too_large.status_code == 413
    assert not Tip.objects.exists()


def test_a_screenshot_is_kept(client, tree, sent):
    response = client.post(cascade_url(sent, tree.booth1), {"seen_on": SeenOn.YOUTUBE, "images": png()})
    assert response.status_code == 303
    tip = Tip.objects.get()
    assert tip.media.get().content_type == "image/png"
    assert origin_of(tip).seen_on == SeenOn.YOUTUBE


# ---------------------------------------------------------------- the daily report link


def test_the_report_page_has_the_button_and_the_tip_carries_the_appointment(client, tree, bearer):
    report = client.get(reverse("controlroom_public:report", args=[report_tokens.report_token(bearer.pk)]))
    assert 'id="report-rumour"' in report.content.decode() and "/rumour/" in report.content.decode()
    page = client.get(report_url(bearer))
    assert page.status_code == 200 and "बूथ प्रभारी" in page.content.decode()
    response = client.post(report_url(bearer), {"link": "https://x.com/someone/status/123", "seen_on": SeenOn.X})
    assert response.status_code == 303
    tip = Tip.objects.get()
    assert tip.unit == tree.booth1 and tip.link == "https://x.com/someone/status/123"
    origin = origin_of(tip)
    assert (origin.source, origin.holder_id, origin.seen_on) == (Source.REPORT, bearer.pk, SeenOn.X)
    assert (tip.reported_appointment, tip.reported_delivery) == (bearer, None)


def test_whose_tip_it_was_outlives_a_deleted_delivery_and_keeps_its_appointment(client, tree, sent, bearer):
    client.post(cascade_url(sent, tree.booth1), {"text": RUMOUR, "seen_on": SeenOn.WHATSAPP})
    client.post(report_url(bearer), {"text": RUMOUR, "seen_on": SeenOn.X})
    from_message, from_report = Tip.objects.order_by("pk")
    Delivery.objects.filter(message=sent).delete()  # the message's clean-up: the tip stays, without its holder
    from_message.refresh_from_db()
    assert from_message.reported_delivery_id is None
    origin = origin_of(from_message)
    assert origin is not None and (origin.source, origin.holder_id, origin.seen_on) == (
        Source.CASCADE,
        None,
        SeenOn.WHATSAPP,
    )
    with pytest.raises(ProtectedError):  # who reported it stays on the record
        Appointment.objects.filter(pk=bearer.pk).delete()
    assert from_report.reported_appointment_id == bearer.pk


def test_the_holder_goes_with_its_kind_of_link(tree, sent, bearer):
    tip = Tip.objects.create(
        reference="T-CHECK1", channel=TipChannel.WEB, cluster=TipCluster.objects.create(key="x"), seen_on="x"
    )
    delivery = Delivery.objects.filter(message=sent).first()
    for fields in (
        {"reported_from": Source.CASCADE, "reported_appointment_id": bearer.pk},
        {"reported_from": Source.REPORT, "reported_delivery_id": delivery.pk},
        {"reported_from": "", "reported_delivery_id": delivery.pk},
        {"reported_from": "telegram"},
        {"seen_on": "tiktok"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Tip.objects.filter(pk=tip.pk).update(**fields)


def test_a_relieved_office_bearers_link_stores_nothing(client, tree, bearer):
    org_services.appointment_relieve(appointment=bearer, reason="Moved away", by=None)
    response = client.post(report_url(bearer), {"text": RUMOUR, "seen_on": SeenOn.WHATSAPP})
    assert response.status_code == 410
    assert not Tip.objects.exists()


def test_tips_of_other_channels_have_no_origin(tree):
    assert origin_of(Tip(channel=TipChannel.WHATSAPP, provider_message_id="report:1:x:abc")) is None
    assert origin_of(Tip(channel=TipChannel.CASCADE, provider_message_id="report:1:x:abc")) is None  # not read
    assert origin_of(Tip(channel=TipChannel.CASCADE, reported_from="report", seen_on="tiktok")) is None


def test_the_migration_moves_packed_origins_to_the_columns(client, tree, sent, bearer):
    """0006: the ids packed before 0005 (``<source>:<holder>:<where>:<digest>``) become columns and a digest;
    the same digest seen in two places stays two tips; a deleted holder leaves its column empty."""
    migration = importlib.import_module("sangathan.factcheck.migrations.0006_tip_origin_from_packed_ids")
    delivery = Delivery.objects.get(message=sent, unit=tree.booth1)
    for text in ("one", "two", "three", "four"):
        client.post(cascade_url(sent, tree.booth1), {"text": f"{RUMOUR} {text}", "seen_on": SeenOn.OTHER})
    by_report, seen_twice, gone = Tip.objects.order_by("pk")[:3]
    untouched = Tip.objects.order_by("pk")[3]
    packed = {
        by_report.pk: f"report:{bearer.pk}:x:{'a' * 32}",
        seen_twice.pk: f"cascade:{delivery.pk}:facebook:{'a' * 32}",
        gone.pk: f"cascade:999999:whatsapp:{'b' * 32}",
    }
    blank = {"seen_on": "", "reported_from": "", "reported_delivery": None, "reported_appointment": None}
    for pk, value in packed.items():
        Tip.objects.filter(pk=pk).update(provider_message_id=value, **blank)
    telegram = Tip.objects.create(
        reference="T-TELEG1",
        channel=TipChannel.TELEGRAM,
        cluster=untouched.cluster,
        provider_message_id="55:12",  # a Telegram id has a colon too
    )

    migration.unpack(apps, None)

    rows = {t.pk: t for t in Tip.objects.all()}
    one, two, three = rows[by_report.pk], rows[seen_twice.pk], rows[gone.pk]
    assert (one.reported_from, one.reported_appointment_id, one.seen_on, one.provider_message_id) == (
        Source.REPORT,
        bearer.pk,
        SeenOn.X,
        "a" * 32,
    )
    assert (two.reported_from, two.reported_delivery_id, two.seen_on) == (Source.CASCADE, delivery.pk, "facebook")
    assert len(two.provider_message_id) == 32 and two.provider_message_id != "a" * 32  # told apart by the place
    assert (three.reported_from, three.reported_delivery_id, three.provider_message_id) == (
        Source.CASCADE,
        None,
        "b" * 32,
    )
    assert rows[untouched.pk].provider_message_id == untouched.provider_message_id
    assert rows[telegram.pk].provider_message_id == "55:12" and rows[telegram.pk].reported_from == ""
    assert origin_of(one).holder_id == bearer.pk

    migration.pack(apps, None)  # and back
    assert Tip.objects.get(pk=by_report.pk).provider_message_id == f"report:{bearer.pk}:x:{'a' * 32}"
    assert Tip.objects.get(pk=gone.pk).provider_message_id == "b" * 32  # its holder is gone: nothing to pack


def test_the_bad_input_corpus_never_breaks_the_page(client, tree, sent):
    url = cascade_url(sent, tree.booth1)
    corpus = {**BAD_INPUT, "js_url": "javascript:alert(1)", "data_url": "data:text/html,<b>x"}
    for field in ("text", "link", "seen_on"):
        for label, value in corpus.items():
            data = {"text": RUMOUR, "seen_on": SeenOn.OTHER, field: value}
            response = client.post(url, data)
            assert response.status_code in (303, 400, 413), f"{field}={label}: answered {response.status_code}"
    links = [link for link in Tip.objects.values_list("link", flat=True) if link]
    assert all(link.startswith(("https://", "http://")) for link in links)
    texts = list(Tip.objects.values_list("text", flat=True))
    assert texts and not any(ch in text for text in texts for ch in "\x00\x1b")  # control characters dropped
    page = client.get(url + "?sent=<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in page


def test_the_desk_sees_where_it_was_seen_and_from_which_link(client, tree, sent, checkers):
    client.post(cascade_url(sent, tree.booth1), {"text": RUMOUR, "seen_on": SeenOn.FACEBOOK})
    log_in(client, checkers.jaipur, language="hi")
    with translation.override("hi"):
        page = client.get(reverse("factcheck:tips")).content.decode()
    assert "Facebook पर देखा · संदेश का लिंक" in page and "आमेर विद्यालय" in page
    log_in(client, checkers.ajmer)
    assert "Facebook" not in client.get(reverse("factcheck:tips")).content.decode()  # the sibling sees no tip
