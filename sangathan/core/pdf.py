"""Every PDF the product makes goes through ``html_to_pdf``: WeasyPrint, Noto fonts, no network, and a text
layer that reads back exactly, Hindi included.

Why the text layer needs help. A PDF draws glyphs, and a reader turns them back into text through the
font's ToUnicode map: one text per glyph, the same everywhere in the file. WeasyPrint (70.0) fills that map
with the text of the first cluster it sees a glyph in. Shaped Devanagari breaks the model: the vowel sign
ि is drawn before its consonant, a reph (र्) after the consonant it sits on, a conjunct is one glyph for three
characters, and a glyph reached from a whole syllable then stands for that syllable wherever else it is
drawn. pdftotext, copy-paste, search and screen readers read नयुक्ति for नियुक्ति, दनांक for दिनांक,
अंतिगर्भति for अंतर्गत, प्रय for प्रिय.

The fix, as Chromium's PDF back end (Skia) does it: while WeasyPrint draws a line, every cluster that is not
one glyph for one letter (a syllable with a matra, a conjunct, a nukta, a ligature, a mark drawn alone) is
wrapped, with the rest of its word, in a marked-content span that carries the word's text, ``/Span
<</ActualText (…)>> BDC … EMC`` (ISO 32000-1 §14.9.4). A glyph drawn one-for-one gets its own character in
the ToUnicode map, whatever cluster WeasyPrint first saw it in. Poppler (pdftotext, Evince), Acrobat and
MuPDF read the spans; English gets none (but for a word drawn with a ligature, ffi) and reads as before.

How: WeasyPrint draws each line of text with ``weasyprint.draw.text.draw_first_line``; ``_install`` wraps
it once, and the wrapper rewrites the operators that call just appended to the page's content stream (a
list in pydyf): it walks the line's Pango glyph items exactly as WeasyPrint does, matches them glyph by glyph
with the ``TJ`` strings, and splits those around the spans. When anything does not match (a WeasyPrint
upgrade that draws differently), the line is left as WeasyPrint drew it: the page always
looks the same, and ``core/tests/test_pdf.py`` fails on the text (it also compares the rendered page with
WeasyPrint's own, pixel for pixel). Cost, measured on the product's documents (median of 9): 3 ms for a
certificate or camp poster, 16-24 ms for an appointment letter, 32 ms for a delivery report — 1-6% of the
time WeasyPrint takes to make each.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

import pydyf

logger = logging.getLogger(__name__)

# The WeasyPrint version whose drawing code the span writer matches (pinned in pyproject.toml).
WEASYPRINT_VERSION = "70.0"

_TJ_PART = re.compile(rb"<([0-9a-fA-F]*)>|([^<>]+)")
_install_lock = threading.Lock()
_installed = False


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of ``html``. Only ``data:`` URLs are fetched (QR codes are inline SVG; fonts are the system's):
    a document never reaches out to the network or the file system, whatever text a user put in it."""
    return _write(html, base_url=base_url)


def _write(html: str, *, base_url: str | None) -> bytes:
    """WeasyPrint's part (tests wrap it to see the HTML of each document)."""
    from weasyprint import HTML  # on demand: importing WeasyPrint takes ~2 s, and most processes never make a PDF
    from weasyprint.urls import URLFetcher  # on demand, as the line above

    _install()
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def _install() -> None:
    """Wrap WeasyPrint's line drawing once per process (a lock: threads of one web process share it)."""
    global _installed  # noqa: PLW0603 - one patch per process, like a registry
    if _installed:
        return
    with _install_lock:
        if not _installed:
            _patch()
            _installed = True


def _patch() -> None:
    import weasyprint  # on demand, as in html_to_pdf
    from weasyprint.draw import text as weasyprint_text  # on demand, as in html_to_pdf

    if weasyprint.__version__ != WEASYPRINT_VERSION:
        logger.warning(
            "WeasyPrint %s, not %s: PDF text spans written only where the drawing matches",
            weasyprint.__version__,
            WEASYPRINT_VERSION,
        )
    original = weasyprint_text.draw_first_line
    # draw_text calls the module's global; SVG text imports it from the module when it draws. Both see this.
    weasyprint_text.draw_first_line = _wrapped(original)


def _wrapped(original: Callable[..., Any]) -> Callable[..., Any]:
    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        start = len(stream.stream)
        emojis = original(stream, textbox, text_overflow, block_ellipsis, matrix)
        drawn = stream.stream[start:]
        if drawn and textbox.text.strip():
            rewritten = _with_actual_text(stream, textbox, drawn)
            if rewritten is not None:
                stream.stream[start:] = rewritten
        return emojis

    draw_first_line.__wrapped__ = original  # type: ignore[attr-defined]
    return draw_first_line


class _Cluster:
    """One shaping cluster of a line: its text and how many glyphs draw it."""

    __slots__ = ("end", "glyphs", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text, self.glyphs = start, end, text, []

    @property
    def one_for_one(self) -> bool:
        return len(self.glyphs) == 1 and len(self.text) == 1

    @property
    def plain(self) -> bool:
        """Read right through the ToUnicode map alone: one glyph for one character that is not a combining mark
        (a mark drawn on its own, as letter-spacing shapes ं or ा, sits over the letter before it, and a
        reader's word-break test then splits the word)."""
        return self.one_for_one and not unicodedata.category(self.text).startswith("M")


def _line_glyphs(stream, textbox) -> list[tuple[int, int, _Cluster]]:
    """(glyph id, hex digits per glyph, cluster) for every glyph the line draws, in drawing order — read from
    Pango exactly as ``draw_first_line`` reads it."""
    from weasyprint.text.ffi import ffi, pango  # on demand, as in html_to_pdf

    layout = textbox.pango_layout
    line, _ = layout.get_first_line()
    utf8 = layout.text.encode()
    glyphs: list[tuple[int, int, _Cluster]] = []
    run = line.runs[0]  # as draw_first_line walks it (the line has text, so it has runs)
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        item, glyph_string = glyph_item.item, glyph_item.glyphs
        font, _size = stream.add_font(item.analysis.font)  # cached: the Font draw_first_line just used
        digits = 2 if font.bitmap else 4
        count = glyph_string.num_glyphs
        starts = [glyph_string.log_clusters[i] for i in range(count)]
        # A cluster runs from its start to the next cluster's start (whatever the direction) or the item's end.
        bounds = sorted(set(starts)) + [item.length]
        clusters: dict[int, _Cluster] = {}
        for index, begin in enumerate(bounds[:-1]):
            end = bounds[index + 1]
            piece = utf8[item.offset + begin : item.offset + end].decode("utf-8", errors="strict")
            clusters[begin] = _Cluster(item.offset + begin, item.offset + end, piece)
        for i in range(count):
            glyph_id = glyph_string.glyphs[i].glyph
            if glyph_id == pango.PANGO_GLYPH_EMPTY:
                continue  # drawn as a move, not a glyph
            if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                glyph_id = font.get_unused_glyph_id(glyph_id - pango.PANGO_GLYPH_UNKNOWN_FLAG)
            cluster = clusters[starts[i]]
            cluster.glyphs.append(glyph_id)
            glyphs.append((glyph_id, digits, cluster))
        for cluster in clusters.values():
            if cluster.one_for_one:
                # The glyph is that character, wherever WeasyPrint first met it (maybe inside a syllable).
                font.to_unicode[cluster.glyphs[0]] = cluster.text
    return glyphs


def _with_actual_text(stream, textbox, drawn: list) -> list | None:
    """``drawn`` (the operators of one line) with every cluster that is not one glyph for one character inside
    an ActualText span; None to leave the line as drawn."""
    glyphs = _line_glyphs(stream, textbox)
    if not glyphs or all(cluster.plain for _, _, cluster in glyphs):
        return None
    # Spans: whole words (neighbouring clusters in drawing and text order, up to a space) holding a cluster that
    # needs one. Not single clusters: a reader's word-break test sees a syllable that ends in a mark drawn back
    # over it (े, ं) as overlapping the next letter, and with letter-spacing as a gap (ट्रे न for ट्रेन).
    words: list[list[_Cluster]] = []
    current: list[_Cluster] | None = None
    previous: _Cluster | None = None
    for _, _, cluster in glyphs:
        if cluster is previous:
            continue
        previous = cluster
        if any(character.isspace() for character in cluster.text):
            current = None
            words.append([cluster])
        elif current is not None and current[-1].end == cluster.start:
            current.append(cluster)
        else:
            current = [cluster]
            words.append(current)
    spans = [word for word in words if not all(cluster.plain for cluster in word)]
    owner: dict[int, list[_Cluster]] = {id(cluster): span for span in spans for cluster in span}

    out: list = []
    parts: list[tuple[bool, bytes]] = []  # (is a glyph, bytes) of the TJ being rebuilt

    def flush() -> None:
        if parts:
            out.append(b"[" + _join(parts) + b"] TJ")
            parts.clear()

    position = 0
    open_span: list[_Cluster] | None = None
    for operator in drawn:
        if not (isinstance(operator, bytes) and operator.startswith(b"[") and operator.endswith(b"] TJ")):
            out.append(operator)
            continue
        for match in _TJ_PART.finditer(operator[1:-4]):
            hex_digits = match.group(1)
            if hex_digits is None:
                parts.append((False, match.group(2)))
                continue
            while hex_digits:
                if position >= len(glyphs):
                    return _unmatched(textbox, "more glyphs drawn than shaped")
                glyph_id, digits, cluster = glyphs[position]
                token, hex_digits = hex_digits[:digits], hex_digits[digits:]
                if len(token) != digits or int(token, 16) != glyph_id:
                    return _unmatched(textbox, "glyph order")
                span = owner.get(id(cluster))
                if span is not open_span:
                    flush()
                    if open_span is not None:
                        out.append(b"EMC")
                    if span is not None:
                        text = "".join(c.text for c in span)
                        out.append(b"/Span <</ActualText " + pydyf.String(text).data + b">> BDC")
                    open_span = span
                parts.append((True, token))
                position += 1
        flush()
    if position != len(glyphs):
        return _unmatched(textbox, "fewer glyphs drawn than shaped")
    if open_span is not None:
        out.append(b"EMC")
    return out


def _join(parts: list[tuple[bool, bytes]]) -> bytes:
    """TJ operands: neighbouring glyphs in one hex string, moves between them as they were (two moves in a row,
    which WeasyPrint parts with an empty string, with a space)."""
    joined = b""
    previous: bool | None = None
    for is_glyph, data in parts:
        if is_glyph and previous is not True:
            joined += b"<"
        elif not is_glyph and previous is True:
            joined += b">"
        elif not is_glyph and previous is False:
            joined += b" "
        joined += data
        previous = is_glyph
    return joined + (b">" if previous else b"")


def _unmatched(textbox, why: str) -> None:
    logger.warning("PDF text span not written (%s) for a line of %d characters", why, len(textbox.text))
    return None
