"""Pictures of the fact-check desk: perceptual hashes, near-duplicates and the text in them.

**Hashes.** Each tip picture and each evidence picture of a claim gets two 64-bit perceptual hashes
(``imagehash``): pHash (the low frequencies of a 32×32 DCT of the grey picture) and dHash (which of two
neighbouring pixels of a 9×8 thumbnail is brighter). Both survive JPEG re-encoding and resizing; pHash
also survives the few-per-cent crop and the frame a forward adds better than dHash, and dHash tells two
pictures of the same layout apart better. Two pictures are near-duplicates when **both** distances
(Hamming, over the 64 bits) are within their thresholds, ``FACTCHECK_IMAGE_PHASH_MAX`` and
``FACTCHECK_IMAGE_DHASH_MAX``; docs/factcheck.md ("Pictures") has the labelled set and the precision and
recall that chose them (``tests/imageset.py`` makes the set).

**Text.** Tesseract (Debian's ``tesseract-ocr`` with the Hindi and English data) reads the words in the
picture; the text goes through the same matcher as a typed tip (``services.tip_rematch``), so a
screenshot of a known rumour is linked or suggested like its text would be.

Both run in a Celery task (``analyse_tip_images``), after the tip is stored: the tipline answers at once,
a picture that cannot be read (not a picture, a decompression bomb, too big) is marked with the reason
and kept, and running the task twice does the work once (``analysed_at``).

The near-duplicate search compares the picture with every hashed picture the reader may see, in Python
(XOR and a popcount): measured at 100,000 stored pictures, 0.35 s to parse the hashes and 0.24 s a scan
on this loaded 2-core machine, so it suits the thousands of a state desk; docs/factcheck.md has the
next step (a multi-index over the hash's 16-bit quarters) for more.
"""

import io
import logging
from dataclasses import dataclass
from typing import IO

import imagehash
import pytesseract
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from rapidfuzz import fuzz

from sangathan.access.permissions import VIEW
from sangathan.factcheck import services  # services queue this module's task: by module, either loads first
from sangathan.factcheck.models import ClaimFile, ImageError, Tip, TipMedia
from sangathan.factcheck.normalise import normalise

log = logging.getLogger(__name__)

# What Pillow may open here (as the tipline's forms.IMAGE_TYPES) and how many pixels at most: a
# 48-megapixel phone photo is 8000×6000; a picture declaring more is a decompression bomb.
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
IMAGE_PIXELS_MAX = 40_000_000
OCR_LANGUAGES = "hin+eng"
OCR_MIN_WIDTH = 1000  # Tesseract reads text best at ~30 px a line: a small screenshot is enlarged first
OCR_MAX_SIDE = 4000  # ... and a big photo shrunk (time grows with pixels; text this large stays legible)
OCR_TEXT_MAX = 5000  # characters kept (a tip's text is at most as long)
MATCHES_SHOWN = 5  # near-duplicates listed per tip picture
# Two pictures of one layout with other words (a meme template, a forged "circular") hash alike: half the
# labelled set's same-layout pairs are within the thresholds. When both pictures have text, it must agree:
# rapidfuzz's token_sort_ratio of the normalised texts at least this (the set: the same picture re-encoded,
# shrunk or framed ≥ 90; the same layout with other words ≤ 73).
WORDS_SAME_MIN = 80


class PictureError(ValueError):
    """A picture that cannot be analysed; ``code`` is an ``ImageError`` value, the message is translated."""

    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


ERROR_MESSAGES = {
    ImageError.NOT_AN_IMAGE: _("This file is not a picture (JPEG, PNG, WebP or GIF)."),
    ImageError.TOO_LARGE: _("This picture is too large to read."),
    ImageError.TOO_MANY_PIXELS: _("This picture has too many pixels to read (over 40 megapixels)."),
    ImageError.MISSING: _("The picture's file is missing."),
}


def _refuse(code: str) -> PictureError:
    return PictureError(code, ERROR_MESSAGES[code])


@dataclass(frozen=True)
class ImageHashes:
    phash: str  # 16 hex digits
    dhash: str


def open_picture(source: IO[bytes], *, size: int | None = None) -> Image.Image:
    """The picture in ``source``, loaded, or a ``PictureError``: over ``FACTCHECK_TIP_IMAGE_MAX_BYTES``,
    not a JPEG/PNG/WebP/GIF (whatever the content type said), or more than ``IMAGE_PIXELS_MAX`` pixels
    (checked from the header, before a single pixel is decoded)."""
    limit = settings.FACTCHECK_TIP_IMAGE_MAX_BYTES
    if size is not None and size > limit:
        raise _refuse(ImageError.TOO_LARGE)
    data = source.read(limit + 1)
    if len(data) > limit:
        raise _refuse(ImageError.TOO_LARGE)
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in IMAGE_FORMATS:
            raise _refuse(ImageError.NOT_AN_IMAGE)
        if image.width * image.height > IMAGE_PIXELS_MAX:
            raise _refuse(ImageError.TOO_MANY_PIXELS)
        if not _whole(image.format, data):
            raise _refuse(ImageError.NOT_AN_IMAGE)
        image.load()
    except Image.DecompressionBombError:
        raise _refuse(ImageError.TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(ImageError.NOT_AN_IMAGE) from None
    return image


def _whole(image_format: str, data: bytes) -> bool:
    """Whether ``data`` holds the whole picture, not a file cut short. Pillow would refuse a cut-off file on
    ``load()``, but WeasyPrint turns on ``ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process when it is
    imported (our PDFs), and then the missing part loads grey: so check it here. A PNG's chunks are read to
    its end with their checksums (``verify``); a JPEG ends with its end-of-image marker (some cameras add a
    few bytes after it)."""
    if image_format == "PNG":
        Image.open(io.BytesIO(data)).verify()  # OSError / SyntaxError when cut short or corrupt
        return True
    if image_format == "JPEG":
        return b"\xff\xd9" in data[-4096:]
    return True


def _rgb(image: Image.Image) -> Image.Image:
    """The first frame, upright (EXIF orientation), in RGB (transparency on white, as a chat shows it)."""
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB")


def image_hashes(image: Image.Image) -> ImageHashes:
    """pHash and dHash of the picture, 16 hex digits each."""
    image = _rgb(image)
    return ImageHashes(phash=str(imagehash.phash(image)), dhash=str(imagehash.dhash(image)))


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hashes of 16 hex digits."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def words_differ(a: str, b: str) -> bool:
    """Both pictures have text and it is not the same text (``WORDS_SAME_MIN``)."""
    a_key, b_key = normalise(a), normalise(b)
    return bool(a_key and b_key) and fuzz.token_sort_ratio(a_key, b_key) < WORDS_SAME_MIN


def is_near(phash_distance: int, dhash_distance: int) -> bool:
    """Near-duplicates: both distances within their thresholds (docs/factcheck.md, "Pictures")."""
    return phash_distance <= settings.FACTCHECK_IMAGE_PHASH_MAX and dhash_distance <= settings.FACTCHECK_IMAGE_DHASH_MAX


def picture_text(image: Image.Image) -> str:
    """The words Tesseract reads in the picture (Hindi and English), whitespace tidied."""
    image = ImageOps.grayscale(_rgb(image))
    if image.width < OCR_MIN_WIDTH:
        factor = OCR_MIN_WIDTH / image.width
        image = image.resize((OCR_MIN_WIDTH, max(1, round(image.height * factor))), Image.Resampling.LANCZOS)
    if max(image.size) > OCR_MAX_SIDE:
        image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    raw = pytesseract.image_to_string(image, lang=OCR_LANGUAGES, timeout=settings.FACTCHECK_OCR_TIMEOUT_SECONDS)
    lines = (" ".join(line.split()) for line in raw.splitlines())
    return "\n".join(line for line in lines if line)[:OCR_TEXT_MAX]


# ---------------------------------------------------------------- writes


def tip_media_analyse(*, media: TipMedia) -> TipMedia:
    """Hash and read one tip picture, once (``analysed_at``). A picture that cannot be read keeps its
    reason in ``error`` (and the desk still has the file); a provider's media id not yet fetched waits.
    Tesseract missing or too slow leaves the hashes and no text (logged): the task does not fail over it."""
    if media.analysed_at is not None or not media.file:
        return media
    try:
        with media.file.open("rb") as source:
            image = open_picture(source, size=media.size or None)
    except PictureError as refused:
        media.error, media.analysed_at = refused.code, timezone.now()
        media.save(update_fields=["error", "analysed_at"])
        return media
    except FileNotFoundError:
        media.error, media.analysed_at = ImageError.MISSING, timezone.now()
        media.save(update_fields=["error", "analysed_at"])
        return media
    hashes = image_hashes(image)
    media.phash, media.dhash = hashes.phash, hashes.dhash
    media.ocr_text = _text_or_nothing(image)
    media.error, media.analysed_at = "", timezone.now()
    media.save(update_fields=["phash", "dhash", "ocr_text", "error", "analysed_at"])
    return media


def _text_or_nothing(image: Image.Image) -> str:
    try:
        return picture_text(image)
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, RuntimeError, OSError):
        # RuntimeError: pytesseract's timeout. The hashes still count; the text is simply not there.
        log.warning("factcheck: OCR failed", exc_info=True)
        return ""


def tip_images_analyse(*, tip_id: int) -> Tip | None:
    """Every picture of the tip hashed and read, then the text found offered to the matcher (a tip whose
    own words matched better keeps its match). Safe to run twice: analysed pictures are skipped, and a
    re-match never lowers a tip's tier nor answers a tipster twice."""
    tip = Tip.objects.filter(pk=tip_id).first()
    if tip is None:
        return None
    texts = []
    for media in TipMedia.objects.filter(tip=tip).order_by("id"):
        media = tip_media_analyse(media=media)
        if media.ocr_text:
            texts.append(media.ocr_text)
    if texts:
        tip = services.tip_rematch(tip=tip, text="\n".join(texts))
    return tip


def claim_file_hash(*, file_id: int) -> ClaimFile | None:
    """pHash and dHash of an evidence picture of a claim (a PDF or an unreadable file gets none), once."""
    evidence = ClaimFile.objects.filter(pk=file_id).first()
    if evidence is None or evidence.phash or not evidence.content_type.startswith("image/"):
        return evidence
    try:
        with evidence.file.open("rb") as source:
            image = open_picture(source, size=evidence.size or None)
    except (PictureError, FileNotFoundError):
        return evidence
    hashes = image_hashes(image)
    evidence.phash, evidence.dhash = hashes.phash, hashes.dhash
    evidence.save(update_fields=["phash", "dhash"])
    return evidence


def tip_images_queue(tip: Tip) -> None:
    """Queue the tip's pictures for analysis once the tip's transaction commits."""
    tip_id = tip.pk
    transaction.on_commit(lambda: analyse_tip_images.delay(tip_id))


def claim_file_queue(evidence: ClaimFile) -> None:
    file_id = evidence.pk
    transaction.on_commit(lambda: hash_claim_file.delay(file_id))


# The tasks live here rather than in tasks.py: services and desk queue them, and tasks.py imports desk
# (whose names come from services), so a task module they imported would close an import cycle.
# tasks.py imports this module, so a worker that autodiscovers tasks.py registers them.


@shared_task(name="sangathan.factcheck.tasks.analyse_tip_images")
def analyse_tip_images(tip_id: int) -> None:
    """Thin: hash and read a tip's pictures, then re-match it (``tip_images_analyse``)."""
    tip_images_analyse(tip_id=tip_id)


@shared_task(name="sangathan.factcheck.tasks.hash_claim_file")
def hash_claim_file(file_id: int) -> None:
    """Thin: hash an evidence picture (``claim_file_hash``)."""
    claim_file_hash(file_id=file_id)


# ---------------------------------------------------------------- reads

THUMBNAIL_SIDE = 160


def thumbnail(source: IO[bytes]) -> bytes:
    """A JPEG of at most ``THUMBNAIL_SIDE`` pixels a side, re-drawn from the picture in ``source``."""
    image = _rgb(open_picture(source))
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pictures_for_tips(*, user, tips: list[Tip]) -> dict[int, list[TipMedia]]:
    """{tip id: its pictures} for the tips' pictures ``user`` may view (one query)."""
    found: dict[int, list[TipMedia]] = {}
    for media in TipMedia.objects.restrict(user, VIEW).filter(tip__in=tips).exclude(file="").order_by("id"):
        found.setdefault(media.tip_id, []).append(media)
    return found


@dataclass(frozen=True)
class ImageMatch:
    """A picture near one of a tip's: an earlier tip's (``tip``) or a claim's evidence (``claim``)."""

    media: TipMedia  # the tip's own picture
    phash_distance: int
    dhash_distance: int
    other_tip: Tip | None = None
    other_media: TipMedia | None = None
    claim_file: ClaimFile | None = None

    @property
    def distance(self) -> int:
        return self.phash_distance


def image_matches_for_tips(*, user, tips: list[Tip]) -> dict[int, list[ImageMatch]]:
    """{tip id: its pictures' near-duplicates} among the evidence pictures of the claims ``user`` may
    view and the pictures of earlier tips ``user`` may view, nearest first, ``MATCHES_SHOWN`` a picture.
    Three queries for the page whatever its length."""
    own = list(TipMedia.objects.restrict(user, VIEW).filter(tip__in=tips).exclude(phash="").select_related("tip"))
    if not own:
        return {}
    evidence = [
        (int(row.phash, 16), int(row.dhash, 16), row)
        for row in ClaimFile.objects.restrict(user, VIEW).exclude(phash="").select_related("claim")
    ]
    latest = max(media.tip.created_at for media in own) if own else None
    earlier = [
        (int(row.phash, 16), int(row.dhash, 16), row)
        for row in TipMedia.objects.restrict(user, VIEW)
        .exclude(phash="")
        .filter(Q(tip__created_at__lte=latest))
        .select_related("tip")
    ]
    found: dict[int, list[ImageMatch]] = {}
    for media in own:
        p, d = int(media.phash, 16), int(media.dhash, 16)
        near: list[ImageMatch] = []
        for ph, dh, evidence_file in evidence:
            pd, dd = (p ^ ph).bit_count(), (d ^ dh).bit_count()
            if is_near(pd, dd):
                near.append(ImageMatch(media, pd, dd, claim_file=evidence_file))
        for ph, dh, other in earlier:
            if other.tip_id == media.tip_id or other.tip.created_at > media.tip.created_at:
                continue
            pd, dd = (p ^ ph).bit_count(), (d ^ dh).bit_count()
            if is_near(pd, dd) and not words_differ(media.ocr_text, other.ocr_text):
                near.append(ImageMatch(media, pd, dd, other_tip=other.tip, other_media=other))
        near.sort(key=lambda match: (match.phash_distance + match.dhash_distance, match.claim_file is None))
        found.setdefault(media.tip_id, []).extend(near[:MATCHES_SHOWN])
    return found
