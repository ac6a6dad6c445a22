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

**The near-duplicate search** is a multi-index over the hashes' 16-bit quarters (Norouzi, Punjani and
Fleet's multi-index hashing): each hash is stored with its four 16-bit bands in indexed columns
(``models.hash_bands``). Two hashes within ``t`` bits of each other differ in some band by at most
``t // 4`` bits (were every band ``t // 4 + 1`` bits apart, the whole would be more than ``t``), so the
candidates are the rows with a pHash band among the 16-bit values within ``t // 4`` bits of ours (697
values a band at the default ``t`` = 12) **and** a dHash band likewise; the database finds them by index
(four look-ups of each hash, OR-ed, then AND-ed) and Python checks the two Hamming distances of those
few, instead of reading and comparing every picture in scope (the scan before: 0.35 s to parse and
0.24 s to compare per picture at 100,000; docs/benchmarks.md, "Fact-check matching speed"). A
threshold so high that a band would be searched within more than ``BAND_RADIUS_MAX`` bits falls back to
the scan.
"""

import io
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

import imagehash
import pytesseract
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Lookup, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from rapidfuzz import fuzz

from sangathan.access.permissions import VIEW
from sangathan.factcheck import services  # services queue this module's task: by module, either loads first
from sangathan.factcheck.models import BAND_FIELDS, HASH_BANDS, ClaimFile, ImageError, Tip, TipMedia, hash_bands
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
    _set_hashes(media, image_hashes(image))
    media.ocr_text = _text_or_nothing(image)
    media.error, media.analysed_at = "", timezone.now()
    media.save(update_fields=["phash", "dhash", *BAND_FIELDS, "ocr_text", "error", "analysed_at"])
    return media


def _set_hashes(row: TipMedia | ClaimFile, hashes: ImageHashes) -> None:
    """The two hashes and their indexed bands (``models.hash_bands``) on the row, unsaved."""
    row.phash, row.dhash = hashes.phash, hashes.dhash
    for field, value in hash_bands(hashes.phash, hashes.dhash).items():
        setattr(row, field, value)


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
    _set_hashes(evidence, image_hashes(image))
    evidence.save(update_fields=["phash", "dhash", *BAND_FIELDS])
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


BAND_BITS = 16
BAND_RADIUS_MAX = 4  # 2,517 values a band (20,136 in a query): beyond, the scan (a threshold over 19 bits)


@lru_cache(maxsize=8)
def _band_masks(radius: int) -> tuple[int, ...]:
    """Every 16-bit value with at most ``radius`` bits set: XOR-ed with a band, its neighbours."""
    return tuple(mask for mask in range(1 << BAND_BITS) if mask.bit_count() <= radius)


class AnyOf(Lookup):
    """``column`` is one of ``values`` (ints), the values passed as ONE parameter: PostgreSQL's
    ``= ANY(%s::integer[])``, SQLite's ``IN (SELECT value FROM json_each(%s))``; both probe the column's index
    once a value. The band look-up asks for 697 values a band: as an ``IN`` list that was 5,576 parameters a
    picture, more than PostgreSQL's 65,535 at a page of a dozen pictures asked in one query."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = sorted({int(value) for value in self.rhs})
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::integer[])", (*lhs_params, values)
        if connection.vendor == "sqlite":
            # lhs is the compiled column, the values one parameter: nothing of the caller is in the text
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, json.dumps(values))  # noqa: S608
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


def band_lookup(phash: str, dhash: str) -> Q | None:
    """The rows that may be near-duplicates of the picture with these hashes, as a filter on the indexed
    bands: some pHash band within ``FACTCHECK_IMAGE_PHASH_MAX // 4`` bits of ours and some dHash band within
    ``FACTCHECK_IMAGE_DHASH_MAX // 4`` (the module docstring says why none is missed). None when the
    thresholds are too high for the bands to help (``BAND_RADIUS_MAX``): then every row is a candidate."""
    radii = {
        "phash": settings.FACTCHECK_IMAGE_PHASH_MAX // HASH_BANDS,
        "dhash": settings.FACTCHECK_IMAGE_DHASH_MAX // HASH_BANDS,
    }
    if max(radii.values()) > BAND_RADIUS_MAX:
        return None
    own = hash_bands(phash, dhash)
    lookup = Q()
    for kind, radius in radii.items():
        masks = _band_masks(radius)
        some_band = Q()
        for n in range(HASH_BANDS):
            value = own[f"{kind}_band{n}"]
            assert value is not None
            some_band |= Q(AnyOf(F(f"{kind}_band{n}"), [value ^ mask for mask in masks]))
        lookup &= some_band
    return lookup


def _near(candidates, *, phash: str, dhash: str) -> list[tuple[int, int, TipMedia | ClaimFile]]:
    """(pHash distance, dHash distance, row) of the ``candidates`` (rows read) near these hashes."""
    p, d = int(phash, 16), int(dhash, 16)
    found = []
    for row in candidates:
        pd, dd = (p ^ int(row.phash, 16)).bit_count(), (d ^ int(row.dhash, 16)).bit_count()
        if is_near(pd, dd):
            found.append((pd, dd, row))
    return found


def near_rows(rows, *, phash: str, dhash: str) -> list[tuple[int, int, TipMedia | ClaimFile]]:
    """(pHash distance, dHash distance, row) of the hashed rows of ``rows`` (a queryset of ``TipMedia`` or
    ``ClaimFile``) near the picture with these hashes (``is_near``), candidates found by the bands' index."""
    lookup = band_lookup(phash, dhash)
    candidates = rows.exclude(phash="")
    if lookup is not None:
        candidates = candidates.filter(lookup)
    return _near(candidates, phash=phash, dhash=dhash)


def _any_near(pictures: list[TipMedia], also=lambda media: Q()) -> Q | None:
    """The rows that may be near one of ``pictures``: each picture's ``band_lookup`` (and ``also(picture)``),
    OR-ed, so a row is read when it may be near one picture (OR-ing the bands' values instead would make
    nearly every row a candidate of a page of pictures). None: every row is a candidate."""
    found = Q()
    for media in pictures:
        lookup = band_lookup(media.phash, media.dhash)
        if lookup is None:
            return None
        found |= lookup & also(media)
    return found


def image_matches_for_tips(*, user, tips: list[Tip]) -> dict[int, list[ImageMatch]]:
    """{tip id: its pictures' near-duplicates} among the evidence pictures of the claims ``user`` may
    view and the pictures of earlier tips ``user`` may view, nearest first, ``MATCHES_SHOWN`` a picture.

    Three queries a page, whatever its pictures: the page's pictures, then the candidates of all of them
    among the evidence and among earlier tips (each picture's band look-up OR-ed, so each reads only what the
    bands' index gives, as one look-up a picture did; a page of 50 pictures had made 100 queries)."""
    own = list(TipMedia.objects.restrict(user, VIEW).filter(tip__in=tips).exclude(phash="").select_related("tip"))
    if not own:
        return {}
    evidence = ClaimFile.objects.restrict(user, VIEW).exclude(phash="").select_related("claim")
    earlier = TipMedia.objects.restrict(user, VIEW).exclude(phash="").select_related("tip")
    evidence_lookup = _any_near(own)
    earlier_lookup = _any_near(
        own, lambda media: Q(tip__created_at__lte=media.tip.created_at) & ~Q(tip_id=media.tip_id)
    )
    if evidence_lookup is not None:
        evidence = evidence.filter(evidence_lookup)
    if earlier_lookup is not None:
        earlier = earlier.filter(earlier_lookup)
    else:
        earlier = earlier.filter(tip__created_at__lte=max(media.tip.created_at for media in own))
    evidence_rows, earlier_rows = list(evidence), list(earlier)
    found: dict[int, list[ImageMatch]] = {}
    for media in own:
        near: list[ImageMatch] = []
        for pd, dd, evidence_file in _near(evidence_rows, phash=media.phash, dhash=media.dhash):
            assert isinstance(evidence_file, ClaimFile)
            near.append(ImageMatch(media, pd, dd, claim_file=evidence_file))
        for pd, dd, other in _near(earlier_rows, phash=media.phash, dhash=media.dhash):
            assert isinstance(other, TipMedia)
            if other.tip_id == media.tip_id or other.tip.created_at > media.tip.created_at:
                continue  # another picture's candidate: not earlier than this one's tip
            if not words_differ(media.ocr_text, other.ocr_text):
                near.append(ImageMatch(media, pd, dd, other_tip=other.tip, other_media=other))
        near.sort(key=lambda match: (match.phash_distance + match.dhash_distance, match.claim_file is None))
        found.setdefault(media.tip_id, []).extend(near[:MATCHES_SHOWN])
    return found
