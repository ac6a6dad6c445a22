import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sangathan.outreach import services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Delivery, Message, Rollup
from sangathan.testing import log_in, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(tree, cast, in_charges, make_draft, send):
    """A message from Jaipur to its booths, sent."""
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, text_x="#बूथ_मजबूत =SUM(A1)")
    send(message, cast.district_admin)
    return Message.objects.get(pk=message.pk)


def token_for(message, unit):
    return services.delivery_token(Delivery.objects.get(message=message, unit=unit).pk)


def test_the_sibling_district_sees_nothing_and_changes_nothing(client, tree, cast, sent, make_draft):
    draft = make_draft(unit=tree.jaipur, by=cast.district_admin)
    log_in(client, cast.sibling_admin, language="hi")
    for url in (
        reverse("outreach:detail", args=[sent.pk]),
        reverse("outreach:track", args=[sent.pk]),
        reverse("outreach:track_panel", args=[sent.pk]),
        reverse("outreach:report", args=[sent.pk, "csv"]),
        reverse("outreach:detail", args=[draft.pk]),
        reverse("outreach:edit", args=[draft.pk]),
        reverse("outreach:unit", args=[tree.booth1.pk]),
    ):
        assert client.get(url).status_code == 404, url
    before = list(Message.objects.values_list("pk", "status", "title"))
    for step in ("submit", "approve", "send"):
        assert client.post(reverse("outreach:step", args=[draft.pk, step])).status_code == 404
    assert client.post(reverse("outreach:rule", args=[tree.jaipur.pk]), {"four_eyes": "on"}).status_code == 404
    assert list(Message.objects.values_list("pk", "status", "title")) == before
    assert Delivery.objects.filter(message=draft).count() == 0
    # Ajmer's own tracking of a state message shows only Ajmer.
    response = client.get(reverse("outreach:list"))
    assert sent.title.encode() not in response.content


def test_a_state_message_is_tracked_by_the_district_for_its_own_area(client, tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin, title="State-wide")
    send(message, cast.state_admin)
    log_in(client, cast.sibling_admin, language="hi")
    page = client.get(reverse("outreach:track", args=[message.pk]))
    assert page.status_code == 200
    assert "किशनगढ़".encode() in page.content and "आमेर".encode() not in page.content
    assert client.get(reverse("outreach:track", args=[message.pk]), {"unit": tree.jaipur.pk}).status_code == 404
    assert client.get(reverse("outreach:report", args=[message.pk, "csv"]), {"unit": tree.amer.pk}).status_code == 404


def test_viewer_cannot_send(client, tree, cast, make_draft):
    draft = make_draft(unit=tree.jaipur, by=cast.district_admin)
    log_in(client, cast.viewer, language="hi")
    assert client.get(reverse("outreach:new")).status_code == 403
    assert client.post(reverse("outreach:step", args=[draft.pk, "send"])).status_code == 403
    assert Message.objects.get(pk=draft.pk).status == "draft"


def test_draft_approve_and_send_through_the_pages(client, tree, cast, in_charges, django_capture_on_commit_callbacks):
    services.approval_rule_set(unit=tree.rajasthan, four_eyes=True, by=cast.state_admin)
    log_in(client, cast.district_admin, language="hi")
    form = {
        "unit": tree.jaipur.pk,
        "target_level": tree.booth1.level_id,
        "title": "बूथ बैठक",
        "body_hi": "रविवार को बैठक",
        "text_x": "x" * 281,
        "priority": "normal",
        "ack_within_hours": 24,
    }
    response = client.post(reverse("outreach:new"), form)
    assert response.status_code == 400 and b"280" in response.content
    assert not Message.objects.exists()
    form["text_x"] = "छोटा"
    response = client.post(reverse("outreach:new"), form)
    message = Message.objects.get()
    assert response.status_code == 302
    client.post(reverse("outreach:step", args=[message.pk, "send"]))
    assert Message.objects.get(pk=message.pk).status == "draft"  # four-eyes
    client.post(reverse("outreach:step", args=[message.pk, "submit"]))
    client.post(reverse("outreach:step", args=[message.pk, "approve"]))
    assert Message.objects.get(pk=message.pk).status == "awaiting"  # not the author
    client.logout()
    log_in(client, cast.state_admin, language="hi")
    client.post(reverse("outreach:step", args=[message.pk, "approve"]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:step", args=[message.pk, "send"]))
    assert Message.objects.get(pk=message.pk).status == "sent"
    page = client.get(reverse("outreach:detail", args=[message.pk]), follow=True)
    assert b"hx-trigger" in page.content


def test_bad_image_is_refused(client, tree, cast):
    log_in(client, cast.district_admin, language="hi")
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {
        "unit": tree.jaipur.pk,
        "target_level": tree.booth1.level_id,
        "title": "t",
        "body_hi": "b",
        "priority": "normal",
        "ack_within_hours": 24,
        "image": SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png"),
    }
    response = client.post(reverse("outreach:new"), form)
    assert response.status_code == 400 and not Message.objects.exists()


def test_good_image_is_resized(tree, cast, make_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3000, 1000), "orange").save(buffer, "JPEG")
    upload = SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, image=upload)
    with Image.open(message.image) as image:
        assert image.size == (1600, 533)
    huge = SimpleUploadedFile("huge.jpg", b"0" * (6 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(OutreachError) as refused:
        make_draft(unit=tree.jaipur, by=cast.district_admin, image=huge)
    assert refused.value.code == "image_too_large"


def test_the_recipient_page(client, tree, sent):
    url = reverse("outreach_public:open", args=[token_for(sent, tree.booth1)])
    page = client.get(url)
    assert page.status_code == 200
    assert "रविवार बैठक!".encode() in page.content and b'src="/static/outreach/recipient.js" defer' in page.content
    assert len(page.content) < 12_000
    assert Delivery.objects.get(message=sent, unit=tree.booth1).opened_at is not None
    for _ in range(2):
        assert client.post(url, {"action": "received"}).status_code == 303
    response = client.post(url, {"action": "shared", "share_url": "https://x.com/booth/status/1"})
    assert response.status_code == 303
    bad = client.post(url, {"action": "shared", "share_url": "javascript:alert(1)"})
    assert bad.status_code == 400
    client.post(url, {"action": "shared", "share_url": "https://x.com/booth/status/1"})
    services.rollups_fold(message_ids=[sent.pk])
    roll = Rollup.objects.get(message=sent, path=tree.amer.path, level=tree.booth1.level)
    assert (roll.opened, roll.acknowledged, roll.shared) == (1, 1, 1)
    assert client.get(url).content.count(b"x.com/booth/status/1") == 1


def test_inline_answers_get_the_answer_card_back(client, tree, sent):
    """What the page's script does: POST with ``X-Requested-With: fetch`` and swap in the card it gets."""
    url = reverse("outreach_public:open", args=[token_for(sent, tree.booth1)])
    assert b"csrfmiddlewaretoken" in client.get(url).content
    inline = {"X-Requested-With": "fetch"}
    first = client.post(url, {"action": "received"}, headers=inline)
    assert first.status_code == 200 and first.content.startswith(b'<div class="card done" id="done">')
    assert b"csrfmiddlewaretoken" not in first.content and b'value="shared"' in first.content
    assert client.post(url, {"action": "received"}, headers=inline).content == first.content
    bad = client.post(url, {"action": "shared", "share_url": "ftp://x"}, headers=inline)
    assert bad.status_code == 400 and b'role="alert"' in bad.content and b'id="done"' in bad.content
    shared = client.post(url, {"action": "shared", "note": "बूथ ग्रुप"}, headers=inline)
    assert shared.status_code == 200 and "बूथ ग्रुप".encode() in shared.content
    assert b'value="shared"' not in shared.content
    services.rollups_fold(message_ids=[sent.pk])
    roll = Rollup.objects.get(message=sent, path=tree.amer.path, level=tree.booth1.level)
    assert (roll.opened, roll.acknowledged, roll.shared) == (1, 1, 1)
    other = reverse("outreach_public:open", args=[token_for(sent, tree.booth2)])
    assert client.post(other, {"action": "received"}, headers=inline).content == first.content


def test_expired_and_tampered_links(client, tree, sent):
    token = token_for(sent, tree.booth1)
    assert (
        client.get(reverse("outreach_public:open", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])).status_code
        == 404
    )
    assert client.get(reverse("outreach_public:open", args=["nonsense"])).status_code == 404
    other = signing.dumps(Delivery.objects.get(message=sent, unit=tree.booth2).pk, salt="another.salt")
    assert client.get(reverse("outreach_public:open", args=[other])).status_code == 404
    later = timezone.now() + timedelta(days=31)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.get(reverse("outreach_public:open", args=[token]))
        assert response.status_code == 410
        assert client.post(reverse("outreach_public:open", args=[token]), {"action": "received"}).status_code == 410
    assert Delivery.objects.get(message=sent, unit=tree.booth1).acknowledged_at is None


def test_tracking_page_and_exports(client, tree, cast, sent):
    services.delivery_respond(
        delivery_id=Delivery.objects.get(message=sent, unit=tree.booth1).pk, action="shared", note="=HYPERLINK(1)"
    )
    log_in(client, cast.district_admin, language="hi")
    page = client.get(reverse("outreach:track", args=[sent.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "आमेर किला द्वार" in text  # silent booth listed with its in-charge
    panel = client.get(reverse("outreach:track_panel", args=[sent.pk]), {"unit": tree.amer.pk})
    assert panel.status_code == 200 and "hx-trigger" not in panel.content.decode()
    csv_text = b"".join(client.get(reverse("outreach:report", args=[sent.pk, "csv"])).streaming_content).decode()
    assert "'=HYPERLINK(1)" in csv_text and "आमेर विद्यालय" in csv_text
    xlsx = client.get(reverse("outreach:report", args=[sent.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert len(rows) == 5 and any("'=HYPERLINK(1)" in (c or "") for row in rows for c in map(str, row))
    pdf = client.get(reverse("outreach:report", args=[sent.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    out = pdf_text(pdf.content)
    assert "आमेर" in out and sent.title in out
    history = client.get(reverse("outreach:unit", args=[tree.booth1.pk]))
    assert history.status_code == 200 and b"100%" in history.content


def test_list_page_query_count(client, tree, cast, in_charges, make_draft, send, django_assert_max_num_queries):
    for n in range(4):
        message = make_draft(unit=tree.jaipur, by=cast.district_admin, title=f"m{n}")
        send(message, cast.district_admin)
    log_in(client, cast.district_admin, language="hi")
    client.get(reverse("outreach:list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("outreach:list")).status_code == 200
