import datetime

from django import template
from django.utils.formats import date_format

from sangathan.privacy import services
from sangathan.privacy.forms import CorrectionForm
from sangathan.privacy.models import ConsentRecord, DataRequest
from sangathan.privacy.views import ticket_for
from sangathan.recruitment.models import Application

register = template.Library()


@register.filter
def readable_time(value: str | None) -> str:
    """An ISO time of the data copy as people read it: "4 Dec 2026, 00:49" (localised)."""
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return date_format(moment, "j M Y, H:i")


@register.inclusion_tag("privacy/partials/my_data.html", takes_context=True)
def privacy_actions(context, application):
    """The applicant's data actions on the status page: consent, download, correct, withdraw and erase."""
    services.consents_sync(applications=Application.objects.filter(pk=application.pk))
    consent = (
        ConsentRecord.objects.filter(application=application, notice__version=application.consent_version)
        .select_related("notice")
        .first()
    )
    ticket = ticket_for(application)
    return {
        "application": application,
        "csrf_token": context.get("csrf_token"),
        "consent": consent,
        "ticket": ticket,
        "erasure_pending": DataRequest.objects.filter(
            application=application, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
        ).exists(),
        "correction_form": CorrectionForm(initial={"ticket": ticket}, auto_id="privacy_%s"),
    }
