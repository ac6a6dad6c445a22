"""The printable A4 check-in poster of a camp (WeasyPrint): the programme, the host unit, when and where,
the big QR code of the check-in page with its link written out, and what to do. Nothing is fetched from
the network: the QR code is an inline SVG and the fonts are the system's Noto fonts."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from sangathan.core.pdf import html_to_pdf
from sangathan.recruitment.letters import organisation_name
from sangathan.recruitment.poster import clock_text, when_text
from sangathan.recruitment.qr import qr_svg_data_uri
from sangathan.training.models import Camp


def poster_html(camp: Camp, *, url: str, language: str = "hi") -> str:
    language = language if language in ("hi", "en") else "hi"
    same_day = timezone.localtime(camp.starts_at).date() == timezone.localtime(camp.ends_at).date()
    with translation.override(language):
        context = {
            "organisation": organisation_name(language),
            "camp": camp,
            "starts": when_text(camp.starts_at),
            "ends": clock_text(camp.ends_at) if same_day else when_text(camp.ends_at),
            "url": url,
            "qr": qr_svg_data_uri(url),
        }
        return render_to_string("training/poster.html", context)


def poster_pdf(camp: Camp, *, url: str, language: str = "hi") -> bytes:
    return html_to_pdf(poster_html(camp, url=url, language=language))
