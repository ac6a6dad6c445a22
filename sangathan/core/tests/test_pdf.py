"""The text layer of our PDFs reads back exactly (core.pdf), and the pages look as WeasyPrint draws them."""

import logging
import re
import shutil
import subprocess
import zlib

import pytest
from weasyprint import HTML
from weasyprint.draw import text as weasyprint_text

from sangathan.core import pdf as core_pdf
from sangathan.testing import assert_pdf_reads_back, pdf_text, require

# Conjuncts, reph, pre-base ि, nukta, anusvara and chandrabindu, a hyphenated compound: what WeasyPrint's ToUnicode
# map got wrong (नयुक्ति, दनांक, अंतिगर्भति, प्रय).
WORDS = (
    "नियुक्ति दिनांक अंतर्गत प्रिय प्रशिक्षण क्षेत्र श्री ज़िला संगठन कार्यकर्ता प्रमाण-पत्र हस्ताक्षर "
    "उज्ज्वल पहुँचाएँगे ख़बरों द्वारा राष्ट्रीय विधानसभा ट्रेन प्रकोष्ठ शुभकामनाएँ कृपया"
)
PAGE = f"""<!doctype html><html lang="hi"><head><meta charset="utf-8"><title>शीर्षक</title><style>
body {{ font-family: "Noto Sans Devanagari", "Noto Sans", sans-serif; font-size: 11pt; }}
.narrow {{ width: 40mm; text-align: justify; }} .spaced {{ letter-spacing: 1px; }} u {{ text-decoration: underline; }}
</style></head><body>
<h1>{WORDS}</h1>
<p>{WORDS} Appointment letter, 12/03/2026.</p>
<p><b>{WORDS}</b> <i>{WORDS}</i></p>
<p class="narrow">{WORDS}</p>
<p class="spaced"><u>{WORDS}</u></p>
<table><tr><td>{WORDS}</td><td style="font-size: 6pt">{WORDS}</td></tr></table>
</body></html>"""
ENGLISH = """<!doctype html><html lang="en"><head><meta charset="utf-8"></head>
<body style="font-family: 'Noto Sans'"><h1>Appointment letter</h1><p>Seats: 12, last date 15/03/2026.</p>
<p>Office of the affine fjord.</p></body></html>"""


def content_streams(pdf: bytes) -> bytes:
    """Every stream of the file, inflated where it is compressed."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    return b"\n".join(streams)


def page_image(pdf: bytes, tmp_path, name: str) -> bytes:
    require("pdftoppm", present=shutil.which("pdftoppm") is not None, make_test="installs poppler-utils")
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603 - a fixed program reading our own PDF
        [shutil.which("pdftoppm"), "-png", "-r", "60", "-singlefile", tmp_path / f"{name}.pdf", tmp_path / name],
        check=True,
    )
    return (tmp_path / f"{name}.png").read_bytes()


def test_hindi_reads_back_exactly_in_every_style():
    pdf = core_pdf.html_to_pdf(PAGE)
    text = assert_pdf_reads_back(pdf, PAGE, words=tuple(WORDS.split()))
    # Whole phrases too, in reading order (pdftotext breaks lines, not words).
    assert WORDS in " ".join(text.split())
    assert "Appointment letter, 12/03/2026." in text


def test_the_page_looks_exactly_as_weasyprint_draws_it(tmp_path, monkeypatch):
    ours = core_pdf.html_to_pdf(PAGE)
    monkeypatch.setattr(weasyprint_text, "draw_first_line", weasyprint_text.draw_first_line.__wrapped__)
    plain = HTML(string=PAGE).write_pdf()
    assert b"/ActualText" in content_streams(ours) and b"/ActualText" not in content_streams(plain)
    assert page_image(ours, tmp_path, "ours") == page_image(plain, tmp_path, "plain")
    # What WeasyPrint alone reads back (the reason for core.pdf); if it ever reads right, core.pdf can go.
    assert "नियुक्ति" not in pdf_text(plain)


def test_english_reads_back_with_spans_only_for_ligatures():
    pdf = core_pdf.html_to_pdf(ENGLISH)
    text = pdf_text(pdf)
    assert "Appointment letter" in text and "Seats: 12, last date 15/03/2026." in text
    assert "Office of the affine fjord." in text
    # Only the words drawn with a ligature (ffi) carry their text in a span.
    assert re.findall(rb"/ActualText \(([^)]*)\)", content_streams(pdf)) == [b"Office", b"affine"]


def test_a_line_that_does_not_match_is_left_as_drawn(monkeypatch, caplog):
    """Should WeasyPrint draw differently one day, the page is still made and looks the same; the text
    test above is what fails."""

    def wrong_glyphs(stream, textbox):
        glyphs = original(stream, textbox)
        return [(glyph_id + 1, digits, cluster) for glyph_id, digits, cluster in glyphs] if glyphs else glyphs

    original = core_pdf._line_glyphs
    monkeypatch.setattr(core_pdf, "_line_glyphs", wrong_glyphs)
    with caplog.at_level(logging.WARNING, logger="sangathan.core.pdf"):
        pdf = core_pdf.html_to_pdf(PAGE)
    assert pdf.startswith(b"%PDF") and b"/ActualText" not in content_streams(pdf)
    assert "glyph order" in caplog.text


def test_nothing_is_fetched_from_outside(tmp_path, caplog):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f'<link rel="stylesheet" href="file://{secret}"><img src="http://127.0.0.1:9/x.png"><p>ठीक</p>'
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = core_pdf.html_to_pdf(html)
    assert "ठीक" in pdf_text(pdf)
    assert caplog.text.count("disallowed protocol") == 2  # the stylesheet and the image, neither read


@pytest.mark.parametrize("text", ["", "   ", "\u200d", "क्\u200d", "॥ ।", "🙂 ठीक"])
def test_odd_text_is_drawn_without_error(text):
    pdf = core_pdf.html_to_pdf(f'<p lang="hi">{text}</p>')
    assert pdf.startswith(b"%PDF")
