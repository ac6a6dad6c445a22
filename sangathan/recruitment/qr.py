"""QR codes for a campaign's public form (segno): what the poster prints and what people scan.

Error correction Q (a quarter of the code may be smudged or covered and it still scans) and the
standard quiet zone of four modules, so it scans from a printed poster on a wall.
"""

import io

import segno

ERROR_CORRECTION = "q"
QUIET_ZONE = 4  # modules of white border, as the QR standard asks


def make_qr(url: str) -> segno.QRCode:
    # boost_error=False: exactly level Q, whatever the length of the link.
    return segno.make(url, error=ERROR_CORRECTION, boost_error=False, micro=False)


def qr_svg(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    make_qr(url).save(out, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=True)
    return out.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    make_qr(url).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg_data_uri(url: str) -> str:
    """The code as an inline SVG data URI (for the poster: no network, crisp at any size)."""
    return make_qr(url).svg_data_uri(scale=10, border=QUIET_ZONE)
