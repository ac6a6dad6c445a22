"""A labelled set of pictures for the image hashes' thresholds, generated with Pillow (no downloads).

``ORIGINALS`` posters of the kind forwarded as rumours: a background, a "photo" (blurred random blobs), a
headline and a footer in Devanagari or Latin letters. They come in families of ``FAMILY`` that share
the layout and the photo and differ only in the words (a meme template with another caption: a
*different* rumour, the hardest negative). Each original gets the edits a forwarded picture goes
through (``VARIANTS``): re-encoded as JPEG at lower qualities, resized, cropped by a few per cent, framed
with a WhatsApp-like border and caption strip, shown in a phone screenshot's status bar, turned to grey.

Pairs of the same original (original–variant and variant–variant) are duplicates; pairs of different
originals are not. ``python -m sangathan.factcheck.tests.imageset`` prints precision and recall at each
threshold (docs/factcheck.md, "Pictures"); ``test_images`` checks the chosen settings against the set.
Everything is seeded: the same set on every run.
"""

import io
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sangathan.factcheck.images import hamming, image_hashes

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
DEVANAGARI_FONT = FONT_DIR / "NotoSansDevanagari-Regular.ttf"
DEVANAGARI_BOLD = FONT_DIR / "NotoSansDevanagari-Bold.ttf"
LATIN_FONT = FONT_DIR / "NotoSans-Regular.ttf"
SEED = 14
ORIGINALS = 48
FAMILY = 3  # originals per layout: the same picture with other words
SIZE = (720, 900)

HINDI_WORDS = [
    "सरकार",
    "बैंक",
    "नोट",
    "चुनाव",
    "मतदान",
    "ईवीएम",
    "टीका",
    "अस्पताल",
    "खाते",
    "बंद",
    "नया",
    "नियम",
    "कल",
    "से",
    "सभी",
    "लोगों",
    "को",
    "तुरंत",
    "जानकारी",
    "पैसा",
    "राशन",
    "कार्ड",
    "पेंशन",
    "किसान",
    "गैस",
    "सिलेंडर",
    "बिजली",
    "बिल",
    "मुफ्त",
    "योजना",
    "फॉर्म",
    "भरें",
    "आखिरी",
    "तारीख",
]
ENGLISH_WORDS = [
    "government",
    "bank",
    "notes",
    "election",
    "voting",
    "EVM",
    "vaccine",
    "hospital",
    "accounts",
    "closed",
    "new",
    "rule",
    "from",
    "tomorrow",
    "all",
    "people",
    "urgent",
    "pension",
    "farmers",
    "gas",
    "cylinder",
    "electricity",
    "free",
    "scheme",
    "last",
    "date",
    "forward",
    "share",
]


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _photo(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A smooth, photo-like picture: coloured blobs, blurred."""
    photo = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(photo)
    for _blob in range(rng.randrange(6, 14)):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(20, size[0] // 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    return photo.filter(ImageFilter.GaussianBlur(rng.randrange(4, 12)))


def _words(rng: random.Random, hindi: bool, count: int) -> str:
    return " ".join(rng.choice(HINDI_WORDS if hindi else ENGLISH_WORDS) for _ in range(count))


def _wrapped(draw: ImageDraw.ImageDraw, text: str, face, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=face) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def poster(layout: int, words: int) -> Image.Image:
    """Original ``words`` of family ``layout``: the layout and photo come from ``layout`` alone."""
    rng = random.Random(SEED * 1000 + layout)
    background = tuple(rng.randrange(256) for _ in range(3))
    photo_box = (40, rng.randrange(180, 260), SIZE[0] - 40, rng.randrange(560, 640))
    photo = _photo(rng, (photo_box[2] - photo_box[0], photo_box[3] - photo_box[1]))
    hindi = layout % 2 == 0
    ink = (255, 255, 255) if sum(background) < 380 else (20, 20, 20)
    text_rng = random.Random(SEED * 7919 + layout * 31 + words)
    image = Image.new("RGB", SIZE, background)
    image.paste(photo, photo_box[:2])
    draw = ImageDraw.Draw(image)
    headline = font(DEVANAGARI_BOLD if hindi else LATIN_FONT, 54)
    body = font(DEVANAGARI_FONT if hindi else LATIN_FONT, 34)
    y = 30
    for line in _wrapped(draw, _words(text_rng, hindi, 7), headline, SIZE[0] - 80)[:2]:
        draw.text((40, y), line, font=headline, fill=ink)
        y += 70
    y = photo_box[3] + 30
    for line in _wrapped(draw, _words(text_rng, hindi, 16), body, SIZE[0] - 80)[:5]:
        draw.text((40, y), line, font=body, fill=ink)
        y += 48
    return image


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _resized(image: Image.Image, factor: float) -> Image.Image:
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BILINEAR)


def _cropped(image: Image.Image, share: float) -> Image.Image:
    dx, dy = round(image.width * share), round(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def _whatsapp(image: Image.Image) -> Image.Image:
    """The picture in a forward: a white frame and a caption strip under it."""
    framed = Image.new("RGB", (image.width + 24, image.height + 24 + 90), (255, 255, 255))
    framed.paste(image, (12, 12))
    draw = ImageDraw.Draw(framed)
    draw.rectangle((0, image.height + 24, framed.width, framed.height), fill=(220, 248, 198))
    draw.text(
        (20, image.height + 44), "Forwarded many times · सभी ग्रुप में भेजें", font=font(DEVANAGARI_FONT, 28), fill=(0, 0, 0)
    )
    return _jpeg(framed, 70)


def _screenshot(image: Image.Image) -> Image.Image:
    """A phone screenshot of the picture: a dark status bar above it."""
    shot = Image.new("RGB", (image.width, image.height + 60), (18, 18, 18))
    shot.paste(image, (0, 60))
    ImageDraw.Draw(shot).text((16, 14), "12:41  4G  87%", font=font(LATIN_FONT, 26), fill=(240, 240, 240))
    return shot


VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg-80": lambda image: _jpeg(image, 80),
    "jpeg-40": lambda image: _jpeg(image, 40),
    "jpeg-15": lambda image: _jpeg(image, 15),
    "half-size": lambda image: _jpeg(_resized(image, 0.5), 75),
    "third-size": lambda image: _jpeg(_resized(image, 0.33), 75),
    "bigger": lambda image: _resized(image, 1.4),
    "crop-3pc": lambda image: _jpeg(_cropped(image, 0.03), 80),
    "crop-6pc": lambda image: _jpeg(_cropped(image, 0.06), 80),
    "whatsapp-frame": _whatsapp,
    "screenshot-bar": _screenshot,
    "grey": lambda image: _jpeg(image.convert("L").convert("RGB"), 80),
}


@dataclass(frozen=True)
class Item:
    original: int
    variant: str
    phash: str
    dhash: str


def items(originals: int = ORIGINALS) -> list[Item]:
    """The first ``originals`` originals and their variants, hashed."""
    found = []
    for original in range(originals):
        image = poster(original // FAMILY, original % FAMILY)
        versions = {"original": image, **{name: make(image) for name, make in VARIANTS.items()}}
        for name, version in versions.items():
            hashes = image_hashes(version)
            found.append(Item(original, name, hashes.phash, hashes.dhash))
    return found


@dataclass(frozen=True)
class Pair:
    same: bool
    same_family: bool
    variants: tuple[str, str]
    phash: int
    dhash: int


def pairs(hashed: list[Item]) -> list[Pair]:
    return [
        Pair(
            same=a.original == b.original,
            same_family=a.original // FAMILY == b.original // FAMILY,
            variants=(a.variant, b.variant),
            phash=hamming(a.phash, b.phash),
            dhash=hamming(a.dhash, b.dhash),
        )
        for a, b in itertools.combinations(hashed, 2)
    ]


@dataclass(frozen=True)
class Counts:
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


def counts(all_pairs: list[Pair], near: Callable[[Pair], bool]) -> Counts:
    tp = fp = fn = 0
    for pair in all_pairs:
        hit = near(pair)
        tp += pair.same and hit
        fp += (not pair.same) and hit
        fn += pair.same and not hit
    return Counts(tp, fp, fn)


def report() -> str:  # pragma: no cover - prints the table of docs/factcheck.md
    hashed = items()
    all_pairs = pairs(hashed)
    same = sum(pair.same for pair in all_pairs)
    lines = [
        f"{len(hashed)} pictures, {ORIGINALS} originals in families of {FAMILY}; {len(all_pairs)} pairs: "
        f"{same} duplicates, {len(all_pairs) - same} different "
        f"({sum(p.same_family and not p.same for p in all_pairs)} of the same layout)",
        "",
        "| threshold | pHash precision | pHash recall | dHash precision | dHash recall | both precision | both recall |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for threshold in range(0, 33, 2):
        p = counts(all_pairs, lambda pair, t=threshold: pair.phash <= t)
        d = counts(all_pairs, lambda pair, t=threshold: pair.dhash <= t)
        b = counts(all_pairs, lambda pair, t=threshold: pair.phash <= t and pair.dhash <= t)
        lines.append(
            f"| {threshold} | {p.precision:.3f} | {p.recall:.3f} | {d.precision:.3f} | {d.recall:.3f} "
            f"| {b.precision:.3f} | {b.recall:.3f} |"
        )
    lines += ["", "Closest different pictures (pHash, dHash):"]
    different = [pair for pair in all_pairs if not pair.same]
    lines.append(f"  min pHash {min(p.phash for p in different)}, min dHash {min(p.dhash for p in different)}")
    lines += ["", "Duplicates by variant: worst pHash / dHash distance to the original"]
    for name in VARIANTS:
        of = [p for p in all_pairs if p.same and set(p.variants) == {"original", name}]
        lines.append(f"  {name:15} {max(p.phash for p in of):3d} {max(p.dhash for p in of):3d}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(report())
