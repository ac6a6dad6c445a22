"""The scope matrix's part for the control room's scorecards and API (issue 13): a unit's scorecards and
needs-attention list, a key office-bearer's scorecard, and the control-room API (roll-ups, scorecards,
reports and their files, alerts, posting a daily report). Objects: the world's units, its key appointments at
each column (``appointment``) and its made reports (``state_report``)."""

import datetime

from django.utils import timezone

from sangathan.access.permissions import VIEW_CONTROL_ROOM
from tests.security.matrix import Endpoint

_J = {"json": True}

WEB = [
    Endpoint("controlroom.scorecards", "controlroom:scorecards", action=VIEW_CONTROL_ROOM, obj="unit:unit"),
    Endpoint("controlroom.needs_attention", "controlroom:needs_attention", action=VIEW_CONTROL_ROOM, obj="unit:unit"),
    Endpoint(
        "controlroom.bearer_scorecard", "controlroom:bearer_scorecard", action=VIEW_CONTROL_ROOM, obj="appointment"
    ),
]


def _report(world, column):
    """A report for the column's key appointment: nobody of the matrix holds it (they hold roles, not posts)."""
    return {
        "appointment": world.objects["appointment"][column].pk,
        "day": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "posts": 1,
    }


API = [
    Endpoint("api.controlroom.rollups", "controlroom_api:rollup-list", **_J),
    Endpoint(
        "api.controlroom.scorecards",
        "controlroom_api:unit-scorecards",
        action=VIEW_CONTROL_ROOM,
        obj="unit:unit",
        **_J,
    ),
    Endpoint(
        "api.controlroom.needs_attention",
        "controlroom_api:unit-needs-attention",
        action=VIEW_CONTROL_ROOM,
        obj="unit:unit",
        **_J,
    ),
    Endpoint(
        "api.controlroom.bearer_scorecard",
        "controlroom_api:bearer-scorecard",
        action=VIEW_CONTROL_ROOM,
        obj="appointment",
        **_J,
    ),
    Endpoint("api.controlroom.reports", "controlroom_api:report-list", **_J),
    Endpoint(
        "api.controlroom.report.pdf",
        "controlroom_api:report-download",
        action=VIEW_CONTROL_ROOM,
        obj="state_report",
        extra_kwargs={"fmt": "pdf"},
        **_J,
    ),
    Endpoint(
        "api.controlroom.report.xlsx",
        "controlroom_api:report-download",
        action=VIEW_CONTROL_ROOM,
        obj="state_report",
        extra_kwargs={"fmt": "xlsx"},
        **_J,
    ),
    Endpoint("api.controlroom.alerts", "controlroom_api:alert-list", **_J),
    # A daily report is sent by the holder of the post only: no role grants it for another's post (403 and
    # nothing stored, whatever the column).
    Endpoint(
        "api.controlroom.activity_report",
        "controlroom_api:activity-report-create",
        "POST",
        "superuser",
        data=_report,
        body_unit=True,
        nowhere=(403,),
        **_J,
    ),
]
