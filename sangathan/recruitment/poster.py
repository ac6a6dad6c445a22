"""The printable A4 poster of a campaign (WeasyPrint): title in Hindi and English, the last date, the
big QR code of the form, the short link written out and the posts. Nothing is fetched from the
network: the QR code is an inline SVG and the fonts are the system's Noto fonts."""

import datetime
import zoneinfo

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sangathan.core.pdf import html_to_pdf
from sangathan.recruitment.models import Campaign
from sangathan.recruitment.qr import qr_svg_data_uri

INDIA = zoneinfo.ZoneInfo("Asia/Kolkata")


def clock_text(moment: datetime.datetime) -> str:
    """The time of day as people say it: "शाम 5 बजे" in Hindi, "5 pm" in English (Asia/Kolkata)."""
    local = moment.astimezone(INDIA)
    hour, minute = local.hour, local.minute
    clock = str(hour % 12 or 12) + (f":{minute:02d}" if minute else "")
    if 4 <= hour < 12:
        text = pgettext("time of day: morning", "%(clock)s am")
    elif 12 <= hour < 16:
        text = pgettext("time of day: afternoon", "%(clock)s pm")
    elif 16 <= hour < 20:
        text = pgettext("time of day: evening", "%(clock)s pm")
    elif hour >= 20:
        text = pgettext("time of day: night, before midnight", "%(clock)s pm")
    else:
        text = pgettext("time of day: night, after midnight", "%(clock)s am")
    return text % {"clock": clock}


def when_text(moment: datetime.datetime) -> str:
    """A date and time for people, in the active language: "15 नवंबर 2026, शाम 5 बजे"."""
    local = moment.astimezone(INDIA)
    # "E" is the month name as it stands in a date (Django's Hindi has the right spelling there).
    day = formats.date_format(local.date(), "j E Y")
    return _("%(date)s, %(time)s") % {"date": day, "time": clock_text(local)}


def _poster_texts(campaign: Campaign, language: str, *, status_url: str) -> dict:
    with translation.override(language):
        return {
            "lang": language,
            "title": campaign.title_hi if language == "hi" else campaign.title_en,
            "scan": _("Scan the QR code with your phone's camera to apply"),
            "or_open": _("or open this link:"),
            "deadline": _("Last date to apply: %(when)s") % {"when": when_text(campaign.closes_at)},
            "posts_heading": _("Posts"),
            "posts": [
                cp.position.title_hi if language == "hi" else (cp.position.title_en or cp.position.title_hi)
                for cp in campaign.positions.select_related("position")
            ],
            "status": _("Check the status of your application at %(url)s") % {"url": status_url},
        }


def poster_pdf(campaign: Campaign, *, form_url: str, status_url: str) -> bytes:
    """The A4 poster as PDF bytes. Hindi first; English below where the campaign has English text."""
    hindi = _poster_texts(campaign, "hi", status_url=status_url)
    english = _poster_texts(campaign, "en", status_url=status_url)
    html = render_to_string(
        "recruitment/public/poster.html",
        {
            "campaign": campaign,
            "hi": hindi,
            "en": english,
            "posts": list(zip(hindi["posts"], english["posts"], strict=True)),
            "form_url": form_url,
            "display_url": form_url.split("://", 1)[-1],
            "qr": qr_svg_data_uri(form_url),
        },
    )
    # Inline data only (html_to_pdf fetches nothing else): a poster never reaches out to the network or the disk.
    return html_to_pdf(html)
