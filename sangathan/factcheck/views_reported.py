""" "Report a rumour" from an office-bearer's personal link, no login (``reported``).

``/tip/m/<token>/`` takes the cascade's message link (its signature checked by outreach's own function, so
only a link outreach signed opens it); the control room mounts the same page under its daily report link
(``controlroom.views_rumour``) and calls ``rumour_page`` here. What protects it: the token (a tampered or
expired link is refused before anything else), the body's size before it is read (413), rate limits per
link and per address, the form's checks (pictures opened with Pillow, text and link lengths) and the tip's
identity (``reported.repeat_of``: the same report again within 24 hours is one tip). After a tip, a 303 back
to the page (a reload never sends twice), which thanks the person with the tip's reference.
"""

import re

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sangathan.core.ratelimits import limited_response, over_limit
from sangathan.factcheck import reported
from sangathan.factcheck.report_forms import RumourReportForm
from sangathan.org.models import Unit

PAGE = "factcheck/public/rumour.html"
INVALID = "factcheck/public/rumour_invalid.html"
LIMITED = "factcheck/public/limited.html"
# Per link: a person reporting all day long is a lot at 10 an hour; per address: a district office's Wi-Fi.
RATE_LINK_SETTING, RATE_LINK_DEFAULT = "FACTCHECK_RUMOUR_RATE_LINK", "10/h"
RATE_IP_SETTING, RATE_IP_DEFAULT = "FACTCHECK_RUMOUR_RATE_IP", "60/h"
REFERENCE = re.compile(r"T-[0-9A-Z]{4,12}")


def invalid(request, problem: str):
    """The page for a link that does not open: expired (410), ended (410) or not ours (404)."""
    return render(request, INVALID, {"problem": problem}, status=404 if problem == "bad" else 410)


@never_cache
@require_http_methods(["GET", "POST"])
def cascade_rumour(request, token: str):
    """The rumour form under a cascade message link: the tip carries the delivery's unit."""
    delivery_id, unit, problem = reported.cascade_link(token)
    if delivery_id is None or unit is None:
        return invalid(request, problem or "bad")
    return rumour_page(
        request,
        source=reported.Source.CASCADE,
        holder_id=delivery_id,
        unit=unit,
        back_url=reported.cascade_back_url(token),
    )


def rumour_page(request, *, source: str, holder_id: int, unit: Unit, back_url: str, person_name: str = ""):
    """The form (GET), or the tip it sends (POST) from the link ``source``/``holder_id`` at ``unit``."""
    context = {
        "unit": unit,
        "back_url": back_url,
        "person_name": person_name,
        "mb": settings.FACTCHECK_TIP_IMAGE_MAX_BYTES // 2**20,
    }
    if request.method == "GET":
        sent = request.GET.get("sent", "")
        context["sent"] = sent if REFERENCE.fullmatch(sent) else ""
        return render(request, PAGE, {**context, "form": RumourReportForm()})
    if _too_large(request):  # before request.POST / FILES read a byte of the body
        return render(
            request, "factcheck/public/too_large.html", {"mb": settings.FACTCHECK_TIP_MAX_BYTES // 2**20}, status=413
        )
    if _limited(request, f"{source}:{holder_id}"):
        return limited_response(request, LIMITED)
    form = RumourReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, PAGE, {**context, "form": form}, status=400)
    data = form.cleaned_data
    tip, _new = reported.tip_report_from_link(
        source=source,
        holder_id=holder_id,
        unit=unit,
        seen_on=data["seen_on"],
        text=data["text"],
        link=data["link"],
        media=data["images"],
    )
    response = HttpResponseRedirect(f"{request.path}?sent={tip.reference}")
    response.status_code = 303
    return response


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.FACTCHECK_TIP_MAX_BYTES


def _limited(request, link_key: str) -> bool:
    by_link = over_limit(
        request,
        group="factcheck.rumour-link",
        setting=RATE_LINK_SETTING,
        default=RATE_LINK_DEFAULT,
        key=lambda group, request: link_key,
    )
    by_ip = over_limit(request, group="factcheck.rumour-ip", setting=RATE_IP_SETTING, default=RATE_IP_DEFAULT)
    return by_link or by_ip
