"""The office-bearer's daily report, from a personal link, no login: /r/<signed token>/.

The token names one appointment (``tokens``); it must be active in a key post at every use. A POST is
rate-limited per link and per address, checked by the form (the services' rules), stored as it came
(``intake``: one INSERT) and written by a worker; then a 303 back to the page (a reload never sends twice),
which writes this person's pending reports first, then shows the saved report and lets the person change it.
"""

import datetime

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sangathan.controlroom import conf, intake, selectors, tokens
from sangathan.controlroom.forms import ReportForm
from sangathan.controlroom.models import COUNTERS
from sangathan.core.clientip import client_ip
from sangathan.core.ratelimits import over_limit

INVALID = "controlroom/public/invalid.html"


def _link_key(appointment_id: int):
    return lambda group, request: f"appointment:{appointment_id}"


def _limited(request, appointment_id: int) -> bool:
    link_setting, link_default = conf.report_rate_link()
    ip_setting, ip_default = conf.report_rate_ip()
    by_link = over_limit(
        request,
        group="controlroom-report-link",
        setting=link_setting,
        default=link_default,
        key=_link_key(appointment_id),
    )
    by_ip = over_limit(request, group="controlroom-report-ip", setting=ip_setting, default=ip_default)
    return by_link or by_ip


@never_cache
@require_http_methods(["GET", "POST"])
def report(request, token: str):
    appointment_id, problem = tokens.appointment_id_from_token(token)
    if appointment_id is None:
        return render(request, INVALID, {"problem": problem}, status=410 if problem == "expired" else 404)
    if request.method == "POST":
        return _report_post(request, appointment_id)
    intake.submissions_process(appointment_id=appointment_id)  # what this person sent is written before it is shown
    appointment = selectors.appointment_for_report(appointment_id)
    if appointment is None:
        return render(request, INVALID, {"problem": "ended"}, status=410)
    today = timezone.localdate()
    days = selectors.report_days(today, appointment.start_date)
    context = {"appointment": appointment, "unit": appointment.unit, "person": appointment.person, "today": today}
    day = _day_asked(request.GET.get("day", ""), days) or today
    existing = selectors.report_of(appointment, day)
    initial = {"day": day.isoformat()}
    if existing is not None:
        initial.update({name: getattr(existing, name) for name in COUNTERS})
        initial["note"] = existing.note
        initial["urls"] = "\n".join(mention.post.url for mention in existing.mentions.all())
    form = ReportForm(initial=initial, today=today, started=appointment.start_date, days=days)
    context.update(
        {
            "form": form,
            "count_fields": [form[name] for name in COUNTERS],
            "days": days,
            "day": day,
            "existing": existing,
            "saved": request.GET.get("saved") == "1" and existing is not None,
        }
    )
    return render(request, "controlroom/public/report.html", context)


def _report_post(request, appointment_id: int):
    """The POST of ``report``: the link's appointment and the form checked, the report stored as it came (one
    INSERT, ``intake``), a 303 to the page. The rest (the report, its links, the roll-ups) is the worker's."""
    started = selectors.report_start(appointment_id)
    if started is None:
        return render(request, INVALID, {"problem": "ended"}, status=410)
    today = timezone.localdate()
    days = selectors.report_days(today, started)
    if _limited(request, appointment_id):
        error = _("Too many reports from here in a short time. Please try again in a while.")
        return render(request, INVALID, {"problem": "limited", "error": error}, status=429)
    form = ReportForm(request.POST, today=today, started=started, days=days)
    if not form.is_valid():
        appointment = selectors.appointment_for_report(appointment_id)
        if appointment is None:
            return render(request, INVALID, {"problem": "ended"}, status=410)
        context = {
            "appointment": appointment,
            "unit": appointment.unit,
            "person": appointment.person,
            "today": today,
            "form": form,
            "count_fields": [form[name] for name in COUNTERS],
            "days": days,
        }
        return render(request, "controlroom/public/report.html", context, status=400)
    data = form.cleaned_data
    intake.submission_receive(
        appointment_id=appointment_id,
        day=data["day"],
        counts={name: data[name] for name in COUNTERS},
        note=data["note"],
        urls=[link.url for link in data["links"]],
        remote_addr=client_ip(request),
    )
    response = HttpResponseRedirect(f"{request.path}?day={data['day'].isoformat()}&saved=1")
    response.status_code = 303
    return response


def _day_asked(value: str, days: list[datetime.date]) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if day in days else None
