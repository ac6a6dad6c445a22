"""Checks of what a message carries: the X post's length as X counts it, hashtags, the image, the link."""

import io
import re
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from sangathan.outreach.errors import OutreachError

X_LIMIT = 280
X_URL_LENGTH = 23  # every link counts as 23 characters on X, however long
# X counts these code points as one character and everything else (emoji, CJK) as two (twitter-text v3).
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"#[^\s#]{1,60}")
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_MAX_SIDE = 1600


def x_length(text: str) -> int:
    """The length of ``text`` as X counts it: NFC characters, links as 23, wide characters as 2."""
    text = unicodedata.normalize("NFC", text or "")
    length = 0
    position = 0
    for match in URL_RE.finditer(text):
        length += _weighted(text[position : match.start()]) + X_URL_LENGTH
        position = match.end()
    return length + _weighted(text[position:])


def _weighted(text: str) -> int:
    total = 0
    for char in text:
        code = ord(char)
        total += 1 if any(low <= code <= high for low, high in X_LIGHT_RANGES) else 2
    return total


def check_x_text(text: str) -> None:
    length = x_length(text)
    if length > X_LIMIT:
        raise OutreachError(
            _("The X post is %(length)d characters long as X counts them; the limit is %(limit)d.")
            % {"length": length, "limit": X_LIMIT},
            code="x_too_long",
        )


def normalise_hashtags(text: str) -> str:
    """ "#Booth  #Sangathan" → "#Booth #Sangathan"; a word without # gets one. Refuses anything else."""
    words = (text or "").replace(",", " ").split()
    tags = []
    for word in words:
        tag = word if word.startswith("#") else f"#{word}"
        if not HASHTAG_RE.fullmatch(tag):
            raise OutreachError(_("%(tag)s is not a hashtag.") % {"tag": word}, code="hashtag")
        if tag not in tags:
            tags.append(tag)
    return " ".join(tags)


def check_media_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise OutreachError(_("The link must start with https:// or http://."), code="media_url")
    return url


def image_max_bytes() -> int:
    return getattr(settings, "OUTREACH_IMAGE_MAX_BYTES", 5 * 1024 * 1024)


def prepare_image(upload) -> ContentFile:
    """Check an uploaded picture (size, a real JPEG/PNG/WebP, not a bomb) and return it resized to at most
    1600 px on its longer side, re-encoded so nothing but the pixels survives (no EXIF, no scripts)."""
    if upload.size > image_max_bytes():
        raise OutreachError(
            _("The picture is too large: at most %(mb)d MB.") % {"mb": image_max_bytes() // (1024 * 1024)},
            code="image_too_large",
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in IMAGE_FORMATS:
            raise OutreachError(_("Upload a JPEG, PNG or WebP picture."), code="image_type")
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > 40_000_000:
                raise OutreachError(_("The picture has too many pixels."), code="image_pixels")
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, "PNG", optimize=True)
                ext = "png"
            else:
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                ext = "jpg"
    except OutreachError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise OutreachError(_("Upload a JPEG, PNG or WebP picture."), code="image_type") from None
    return ContentFile(out.getvalue(), name=f"message.{ext}")
