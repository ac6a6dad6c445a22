"""Appointment letters as PDF (WeasyPrint, Noto Sans Devanagari, so Hindi conjuncts and matras are shaped).

The letter is a document in one language, like a message template: ``letter_hi.html`` (the default) and
``letter_en.html``. Names of people, posts and units come from their Hindi or English fields.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sangathan.core.pdf import html_to_pdf
from sangathan.recruitment.models import Application

LANGUAGES = ("hi", "en")


def organisation_name(language: str) -> str:
    """The letterhead: ``SANGATHAN_ORGANISATION_NAME_HI`` / ``_EN`` from the settings when set."""
    default = {"hi": "सोशल मीडिया विभाग", "en": "Social Media Department"}[language]
    return getattr(settings, f"SANGATHAN_ORGANISATION_NAME_{language.upper()}", "") or default


def letter_html(application: Application, *, language: str = "hi") -> str:
    language = language if language in LANGUAGES else "hi"
    appointment = application.appointment
    with translation.override(language):
        unit = appointment.unit
        signer = appointment.appointed_by
        context = {
            "organisation": organisation_name(language),
            "application": application,
            "campaign": application.campaign,
            "campaign_unit": application.campaign.scope_unit,
            "appointment": appointment,
            "person_name": application.name,
            "post": appointment.position.title,
            "unit_level": unit.level.name,
            "unit_name": unit.display_name,
            "letter_number": application.letter_number or appointment.letter_number,
            "date": appointment.start_date,
            "signer": signer.get_full_name() if signer else "",
            "printed_at": timezone.localtime(),
        }
        return render_to_string(f"recruitment/staff/letter_{language}.html", context)


def letter_pdf(application: Application, *, language: str = "hi") -> bytes:
    return html_to_pdf(letter_html(application, language=language))
