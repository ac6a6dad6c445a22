"""Tip pictures: perceptual hashes against the labelled set, the text read in them matched like a typed tip,
near-duplicates among the pictures a desk may see, and pictures that are not what they claim to be."""

import io

import pytesseract
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image, ImageDraw, ImageFile

from sangathan.factcheck import desk, images
from sangathan.factcheck.models import ImageError, Tier, TipChannel, TipCluster, TipMedia
from sangathan.factcheck.services import TipMediaIn, tip_receive
from sangathan.factcheck.tests import imageset
from sangathan.factcheck.tests.samples import EVM_HI, NOTES_HI
from sangathan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(fresh_indexes):
    return fresh_indexes


def text_picture(text: str, *, size=(900, 260), fmt="PNG") -> bytes:
    """A screenshot-like picture of ``text`` in Noto Sans Devanagari (Latin letters and digits included)."""
    image = Image.new("RGB", size, (250, 250, 245))
    draw = ImageDraw.Draw(image)
    face = imageset.font(imageset.DEVANAGARI_FONT, 34)
    lines = imageset._wrapped(draw, text, face, size[0] - 60)
    for number, line in enumerate(lines):
        draw.text((30, 30 + number * 52), line, font=face, fill=(10, 10, 10))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def poster_bytes(layout: int, words: int = 0, *, fmt="PNG", quality=85) -> bytes:
    buffer = io.BytesIO()
    imageset.poster(layout, words).save(buffer, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def upload(data: bytes, name="tip.png", content_type="image/png") -> TipMediaIn:
    return TipMediaIn(
        content_type=content_type, file=SimpleUploadedFile(name, data, content_type=content_type), size=len(data)
    )


@pytest.fixture
def no_ocr(monkeypatch):
    """Tesseract takes seconds a picture: tests about hashes read no text."""
    monkeypatch.setattr(images, "picture_text", lambda image: "")


# ---------------------------------------------------------------- the thresholds against the labelled set


def test_the_thresholds_hold_on_the_labelled_set(settings):
    """Part of the set of docs/factcheck.md (four layouts of three originals, every edit): no two different
    pictures of different layouts are called duplicates, every re-encoding, resizing and greying is found,
    and most crops, frames and screenshots are."""
    pairs = imageset.pairs(imageset.items(originals=12))
    cross = [pair for pair in pairs if pair.same or not pair.same_family]
    near = images.is_near
    result = imageset.counts(cross, lambda pair: near(pair.phash, pair.dhash))
    assert result.false_pos == 0
    assert result.recall >= 0.6
    for variant in ("jpeg-80", "jpeg-40", "jpeg-15", "half-size", "third-size", "bigger", "grey", "crop-3pc"):
        of = [pair for pair in pairs if pair.same and set(pair.variants) == {"original", variant}]
        assert of and all(near(pair.phash, pair.dhash) for pair in of), variant
    # A margin: one step looser on either hash still calls no different pictures duplicates.
    for phash_max, dhash_max in (
        (settings.FACTCHECK_IMAGE_PHASH_MAX + 2, settings.FACTCHECK_IMAGE_DHASH_MAX),
        (settings.FACTCHECK_IMAGE_PHASH_MAX, settings.FACTCHECK_IMAGE_DHASH_MAX + 2),
    ):
        looser = imageset.counts(cross, lambda pair, p=phash_max, d=dhash_max: pair.phash <= p and pair.dhash <= d)
        assert looser.false_pos == 0


def test_hashes_are_sixteen_hex_digits_and_alike_for_a_reencoded_picture():
    original = images.open_picture(io.BytesIO(poster_bytes(3)))
    again = images.open_picture(io.BytesIO(poster_bytes(3, fmt="JPEG", quality=30)))
    other = images.open_picture(io.BytesIO(poster_bytes(7)))
    a, b, c = images.image_hashes(original), images.image_hashes(again), images.image_hashes(other)
    assert len(a.phash) == len(a.dhash) == 16 and int(a.phash, 16) >= 0
    assert images.is_near(images.hamming(a.phash, b.phash), images.hamming(a.dhash, b.dhash))
    assert not images.is_near(images.hamming(a.phash, c.phash), images.hamming(a.dhash, c.dhash))


def test_the_same_layout_with_other_words_is_told_apart_by_its_text():
    assert images.words_differ("कल से ₹2000 के नोट बंद", "ईवीएम मशीन को ब्लूटूथ से हैक किया जा सकता है")
    assert not images.words_differ("कल से ₹2000 के नोट बंद", "कल से ₹2000 के नोट बंद l")
    assert not images.words_differ("", "anything")  # no text on one side: the hashes decide


# ---------------------------------------------------------------- pictures that are not what they say


def refused(data: bytes) -> images.PictureError:
    with pytest.raises(images.PictureError) as caught:
        images.open_picture(io.BytesIO(data), size=len(data))
    return caught.value


def test_a_file_that_is_not_a_picture_is_refused_with_a_translated_reason():
    error = refused(b"%PDF-1.4 this is a document, whatever its name says")
    assert error.code == ImageError.NOT_AN_IMAGE
    with translation.override("en"):
        english = str(error.message)
    with translation.override("hi"):
        hindi = str(error.message)
    assert english.startswith("This file is not a picture") and "तस्वीर" in hindi


@pytest.mark.parametrize("loads_truncated", [False, True], ids=["pillow-default", "after-weasyprint"])
def test_a_truncated_picture_is_refused(monkeypatch, loads_truncated):
    # WeasyPrint turns LOAD_TRUNCATED_IMAGES on for the whole process when imported: refused all the same.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", loads_truncated)
    assert refused(poster_bytes(1)[:2000]).code == ImageError.NOT_AN_IMAGE
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(poster_bytes(1))).convert("RGB").save(jpeg, "JPEG", quality=80)
    assert refused(jpeg.getvalue()[: len(jpeg.getvalue()) // 2]).code == ImageError.NOT_AN_IMAGE


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 megapixels in ~50 kB
    assert len(buffer.getvalue()) < 100_000
    assert refused(buffer.getvalue()).code == ImageError.TOO_MANY_PIXELS


def test_a_huge_file_is_refused_by_its_size_and_by_what_is_read(settings):
    settings.FACTCHECK_TIP_IMAGE_MAX_BYTES = 10_000
    data = poster_bytes(2)
    assert refused(data).code == ImageError.TOO_LARGE
    with pytest.raises(images.PictureError) as caught:
        images.open_picture(io.BytesIO(data))  # the stored size unknown: reading stops past the limit
    assert caught.value.code == ImageError.TOO_LARGE


def test_a_picture_stored_under_a_wrong_type_is_marked_and_kept(
    claims, tree, no_ocr, django_capture_on_commit_callbacks
):
    """A provider's file (not checked by the tipline form) claiming to be a JPEG: the tip and the file stay,
    the picture says why it was not read, and a second run changes nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_receive(
            channel=TipChannel.WHATSAPP,
            text=NOTES_HI,
            media=[upload(b"<html>not a picture</html>", name="photo.jpg", content_type="image/jpeg")],
            unit=tree.booth1,
        )
    media = TipMedia.objects.get(tip=tip)
    assert media.error == ImageError.NOT_AN_IMAGE and media.analysed_at is not None and media.file
    assert (media.phash, media.ocr_text) == ("", "")
    assert tip.tier == Tier.AUTO  # its words still matched
    analysed_at = media.analysed_at
    images.tip_images_analyse(tip_id=tip.pk)
    media.refresh_from_db()
    assert media.analysed_at == analysed_at


def test_tesseract_missing_leaves_the_hashes(tree, claims, monkeypatch, django_capture_on_commit_callbacks):
    def missing(*args, **kwargs):
        raise pytesseract.TesseractNotFoundError()

    monkeypatch.setattr(pytesseract, "image_to_string", missing)
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(4))], unit=tree.booth1)
    media = TipMedia.objects.get(tip=tip)
    assert len(media.phash) == 16 and media.ocr_text == "" and media.error == ""


# ---------------------------------------------------------------- the text in a picture


def test_tesseract_reads_devanagari_in_a_picture():
    text = images.picture_text(images.open_picture(io.BytesIO(text_picture(NOTES_HI))))
    for word in ("नोट", "बैंक", "दुकान", "2000"):
        assert word in text


def test_a_screenshot_of_a_published_rumour_is_linked_and_answered_once(
    checkers, published_claim, tree, django_capture_on_commit_callbacks
):
    """A picture alone, no words typed: the task reads it, links the tip to the published claim, moves it to
    the claim's cluster and answers the tipster; running the task again changes nothing."""
    claim = published_claim()
    picture = text_picture(NOTES_HI, fmt="JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_receive(
            channel=TipChannel.WEB,
            media=[upload(picture, "s.jpg", "image/jpeg")],
            reply_mobile="+919876543210",
            unit=tree.booth1,
        )
    tip.refresh_from_db()
    assert (tip.claim_id, tip.tier) == (claim.pk, Tier.AUTO)
    assert tip.answered_at is not None and tip.language == "hi"
    assert tip.cluster.claim_id == claim.pk
    answers = OutboxMessage.objects.filter(idempotency_key=f"factcheck-tip-answer-{tip.pk}")
    assert answers.count() == 1
    TipMedia.objects.filter(tip=tip).update(analysed_at=None)  # even read a second time
    images.tip_images_analyse(tip_id=tip.pk)
    assert answers.count() == 1
    assert TipCluster.objects.get(pk=tip.cluster_id).tip_count == 1


def test_the_text_of_a_picture_never_lowers_a_tips_own_match(
    claims, tree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(images, "picture_text", lambda image: EVM_HI)
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_receive(channel=TipChannel.WEB, text=NOTES_HI, media=[upload(poster_bytes(5))], unit=tree.booth1)
    tip.refresh_from_db()
    assert tip.claim.external_id == "notes-2000" and tip.tier == Tier.AUTO  # EVM's text also auto: no change


def test_an_image_only_tip_moves_to_the_claims_cluster_and_its_first_counts_one_less(
    claims, tree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(images, "picture_text", lambda image: NOTES_HI)
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(6))], unit=tree.booth1)
    first_cluster = tip.cluster_id  # where the tip went on arrival (no words: a cluster of its own)
    tip.refresh_from_db()
    assert tip.tier == Tier.AUTO and tip.cluster.claim_id == claims["notes"].pk and tip.cluster_id != first_cluster
    assert TipCluster.objects.get(pk=first_cluster).tip_count == 0
    assert tip.cluster.tip_count == 1


# ---------------------------------------------------------------- near-duplicates on the desk


def test_near_duplicates_among_earlier_tips_and_claims_evidence_in_scope(
    checkers, open_claim, tree, no_ocr, django_capture_on_commit_callbacks
):
    claim = open_claim()
    evidence = SimpleUploadedFile("forward.png", poster_bytes(8), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        desk.claim_file_add(claim=claim, upload=evidence, content_type="image/png", by=checkers.jaipur)
        earlier, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(8))], unit=tree.booth1)
        ajmer, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(8))], unit=tree.ajmer_booth)
        other, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(9))], unit=tree.booth2)
        later, _ = tip_receive(
            channel=TipChannel.WEB,
            media=[upload(poster_bytes(8, fmt="JPEG", quality=40), "f.jpg", "image/jpeg")],
            unit=tree.booth2,
        )
    assert len(claim.files.get().phash) == 16
    found = images.image_matches_for_tips(user=checkers.jaipur, tips=[later, other])
    matches = found[later.pk]
    assert {m.claim_file.claim_id for m in matches if m.claim_file} == {claim.pk}
    assert {m.other_tip.pk for m in matches if m.other_tip} == {earlier.pk}  # not Ajmer's: out of scope
    assert all(m.distance <= 12 for m in matches)
    assert other.pk not in found or not found[other.pk]
    assert images.image_matches_for_tips(user=checkers.ajmer, tips=[later]) == {}  # later is Jaipur's


def test_the_same_layout_with_other_words_is_not_a_duplicate(
    tree, checkers, no_ocr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(10, 0))], unit=tree.booth1)
        second, _ = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(10, 0))], unit=tree.booth1)
    assert images.image_matches_for_tips(user=checkers.jaipur, tips=[second])[second.pk]
    TipMedia.objects.filter(tip=first).update(ocr_text=NOTES_HI)
    TipMedia.objects.filter(tip=second).update(ocr_text=EVM_HI)
    assert images.image_matches_for_tips(user=checkers.jaipur, tips=[second]) == {second.pk: []}


@override_settings(FACTCHECK_IMAGE_PHASH_MAX=0, FACTCHECK_IMAGE_DHASH_MAX=0)
def test_the_thresholds_are_settings(tree, checkers, no_ocr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(11))], unit=tree.booth1)
        later, _ = tip_receive(
            channel=TipChannel.WEB,
            media=[upload(poster_bytes(11, fmt="JPEG", quality=15), "a.jpg", "image/jpeg")],
            unit=tree.booth1,
        )
    assert images.image_matches_for_tips(user=checkers.jaipur, tips=[later]) == {later.pk: []}
