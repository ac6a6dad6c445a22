""" "Report a rumour" from the office-bearer's daily report link, no login: /r/<signed token>/rumour/.

The token is the report page's (``tokens``), and the appointment must still be active in a key post, as
for a report; the page itself is the fact-check desk's (``factcheck.views_reported.rumour_page``): the tip
carries the appointment's unit and, as its holder, the appointment.
"""

from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sangathan.controlroom import selectors, tokens
from sangathan.factcheck.reported import Source
from sangathan.factcheck.views_reported import invalid, rumour_page


@never_cache
@require_http_methods(["GET", "POST"])
def report_rumour(request, token: str):
    appointment_id, problem = tokens.appointment_id_from_token(token)
    if appointment_id is None:
        return invalid(request, problem or "bad")
    appointment = selectors.appointment_for_report(appointment_id)
    if appointment is None:
        return invalid(request, "ended")
    return rumour_page(
        request,
        source=Source.REPORT,
        holder_id=appointment.pk,
        unit=appointment.unit,
        back_url=reverse("controlroom_public:report", args=[token]),
        person_name=appointment.person.name,
    )
