"""The public tipline, tested as an attacker would use it: a flood, a huge body, a file that is not a
picture, a picture bomb, markup, someone else's number; each refusal says why in Hindi and stores nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from sangathan.factcheck.models import Tier, Tip, TipMedia, Verdict
from sangathan.factcheck.services import claim_publish
from sangathan.factcheck.tests.samples import NOTES_HI
from sangathan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
URL = "/tip/"


@pytest.fixture(autouse=True)
def _claims(claims, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return claims


def png(size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "PNG")
    return SimpleUploadedFile("screenshot.png", buffer.getvalue(), content_type="image/png")


def test_the_form_is_in_hindi_first(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "अफ़वाह" in page and 'enctype="multipart/form-data"' in page
    assert reverse("factcheck_public:tipline") == URL


def test_a_tip_with_a_picture_gets_a_reference_and_is_matched(client):
    response = client.post(URL, {"text": NOTES_HI, "link": "example.com/x", "images": [png()]})
    assert response.status_code == 200
    tip = Tip.objects.get()
    assert tip.reference in response.content.decode()
    assert tip.tier == Tier.AUTO and tip.link == "https://example.com/x" and tip.unit is None
    media = TipMedia.objects.get()
    assert media.content_type == "image/png" and media.file.name.endswith(".png") and media.size > 0


def test_a_published_claim_is_answered_by_sms_to_the_number_given(client):
    claim_publish(
        claim=Tip._meta.get_field("claim").related_model.objects.get(external_id="notes-2000"), verdict=Verdict.FALSE
    )
    client.post(URL, {"text": NOTES_HI, "mobile": "98290 12345"})
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.language) == ("sms", "+919829012345", "hi")


def test_an_empty_form_says_so_in_hindi(client):
    response = client.post(URL, {"text": "  "})
    assert response.status_code == 400 and "फ़ॉर्म खाली है" in response.content.decode()
    assert not Tip.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused(client):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program, not a photo", content_type="image/jpeg")
    response = client.post(URL, {"text": NOTES_HI, "images": [fake]})
    assert response.status_code == 400 and "फ़ोटो नहीं है" in response.content.decode()
    assert not Tip.objects.exists() and not TipMedia.objects.exists()


def test_a_picture_bomb_is_refused(client):
    # A tiny PNG that says it is 20,000 × 20,000 pixels (400 megapixels).
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    response = client.post(URL, {"text": NOTES_HI, "images": [bomb]})
    assert response.status_code == 400 and not Tip.objects.exists()


@override_settings(FACTCHECK_TIP_IMAGE_MAX_BYTES=1000)
def test_a_picture_over_the_size_is_refused(client):
    response = client.post(URL, {"text": NOTES_HI, "images": [png((400, 400))]})
    assert response.status_code == 400 and not Tip.objects.exists()


def test_more_than_four_pictures_are_refused(client):
    response = client.post(URL, {"text": NOTES_HI, "images": [png() for _ in range(5)]})
    assert response.status_code == 400 and not Tip.objects.exists()


@override_settings(FACTCHECK_TIP_MAX_BYTES=10_000)
def test_a_huge_body_is_refused_before_it_is_read(client, monkeypatch):
    def unread(*args, **kwargs):
        raise AssertionError("the body was read")

    monkeypatch.setattr("django.core.handlers.wsgi.WSGIRequest._load_post_and_files", unread)
    response = client.post(URL, {"text": "x" * 20_000})
    assert response.status_code == 413 and "MB" in response.content.decode()
    assert not Tip.objects.exists()


def test_markup_is_stored_as_typed_and_escaped_where_shown(client):  # shown: test_tip_list
    client.post(URL, {"text": '<script>alert("x")</script> EVM hack'})
    assert Tip.objects.get().text.startswith("<script>")


def test_a_bad_mobile_or_link_is_refused_in_hindi(client):
    response = client.post(URL, {"text": NOTES_HI, "mobile": "12345", "link": "javascript:alert(1)"})
    assert response.status_code == 400 and not Tip.objects.exists()
    assert "मोबाइल" in response.content.decode()


@override_settings(FACTCHECK_TIP_RATE_IP="3/h")
def test_a_flood_from_one_address_is_stopped(client):
    statuses = [client.post(URL, {"text": f"rumour number {n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert Tip.objects.count() == 3


@override_settings(FACTCHECK_TIP_RATE_MOBILE="2/h")
def test_someone_elses_number_cannot_be_flooded_with_answers(client):
    statuses = [
        client.post(URL, {"text": f"rumour {n}", "mobile": "9829012345"}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429] and Tip.objects.count() == 2


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(client):
    response = client.post(URL, {"text": NOTES_HI, "website": "spam.example"})
    assert response.status_code == 200 and not Tip.objects.exists()
