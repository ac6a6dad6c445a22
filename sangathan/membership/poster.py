"""The printable A4 poster of a join link (WeasyPrint): "become a member" in Hindi and English, the unit,
the big QR code of the link and the link written out. Nothing is fetched from the network: the QR code is
an inline SVG and the fonts are the system's Noto fonts."""

from django.template.loader import render_to_string

from sangathan.core.pdf import html_to_pdf
from sangathan.membership.models import ReferralCode
from sangathan.recruitment.letters import organisation_name
from sangathan.recruitment.qr import qr_svg_data_uri


def poster_html(link: ReferralCode, *, join_url: str) -> str:
    unit = link.unit
    return render_to_string(
        "membership/poster.html",
        {
            "organisation": organisation_name("hi"),
            "unit_hi": f"{unit.level.name_hi} {unit.display_name}",
            "unit_en": f"{unit.level.name_en} {unit.number or ''} {unit.name_en}".replace("  ", " ").strip(),
            "join_url": join_url,
            "display_url": join_url.split("://", 1)[-1],
            "qr": qr_svg_data_uri(join_url),
        },
    )


def poster_pdf(link: ReferralCode, *, join_url: str) -> bytes:
    return html_to_pdf(poster_html(link, join_url=join_url))
