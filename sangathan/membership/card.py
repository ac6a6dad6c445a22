"""The membership card as PDF (``core.pdf.html_to_pdf``: WeasyPrint, Noto Sans Devanagari, a text layer that
reads back), in Hindi: the name, the unit, the member number, the date of joining and a QR code (segno) of the
card's public check page, which shows only initials, unit and status. Nothing is fetched from the network: the
QR code is an inline SVG and the fonts are the system's."""

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from sangathan.core.pdf import html_to_pdf
from sangathan.membership.models import Member
from sangathan.recruitment.letters import organisation_name
from sangathan.recruitment.qr import qr_svg_data_uri


def member_number(member: Member) -> str:
    """The number printed on the card: the row's id, grouped for reading (M-0001-2345)."""
    digits = f"{member.pk:08d}"
    return f"M-{digits[:4]}-{digits[4:]}"


def card_html(member: Member, *, check_url: str) -> str:
    with translation.override("hi"):
        unit = member.unit
        context = {
            "organisation": organisation_name("hi"),
            "member": member,
            "number": member_number(member),
            "unit_level": unit.level.name_hi,
            "unit_name": unit.display_name,
            "joined": formats.date_format(timezone.localtime(member.verified_at or member.joined_at).date(), "j E Y"),
            "status": member.get_status_display(),
            "qr": qr_svg_data_uri(check_url),
        }
        return render_to_string("membership/card.html", context)


def card_pdf(member: Member, *, check_url: str) -> bytes:
    return html_to_pdf(card_html(member, check_url=check_url))
