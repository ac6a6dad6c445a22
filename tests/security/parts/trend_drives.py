"""Trend drives (issue 13) in the scope matrix: a draft drive and a sent drive at each column's unit (their
hashtags the markers), the list, a drive's page and its panel, the new-drive form's POST, and the API's list,
detail and create. A sent drive comes down to the units below it (``parent_visible``), counted in their own
area; a sibling district's user gets 404 and changes nothing."""

import datetime

from django.utils import timezone

from sangathan.access.permissions import SEND_MESSAGES
from tests.security.matrix import Endpoint
from tests.security.world import marker


def _window():
    now = timezone.now()
    return now - datetime.timedelta(hours=1), now + datetime.timedelta(days=2)


def build(w):
    from django.contrib.auth.models import User

    from sangathan.org.models import Level
    from sangathan.outreach import services

    booth = Level.objects.get(code="booth")
    starts_at, ends_at = _window()
    approver = User.objects.get(username="sec_approver")  # the world's second state admin
    for column, unit in w.units["unit"].items():
        for kind in ("drive", "sentdrive"):
            drive = services.trend_drive_create(
                unit=unit,
                target_level=booth,
                hashtag=marker(kind, column),
                starts_at=starts_at,
                ends_at=ends_at,
                targets={"booth": 2},
                title=marker(kind, column),
                body_hi=marker(kind, column),
                by=w.state_admin,
            )
            if kind == "sentdrive":
                # Sent as the world's sent messages are: submitted, approved by a second admin, sent.
                services.message_submit(message=drive.message, by=w.state_admin)
                services.message_approve(message=drive.message, by=approver)
                services.message_send(message=drive.message, by=w.state_admin, queue=False)
                services.message_run_inline(message=drive.message)
            w.objects.setdefault("drive" if kind == "drive" else "sent_drive", {})[column] = drive


def _form(world, column):
    starts_at, ends_at = _window()
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "hashtag": "#ZQNEWDRIVE",
        "unit": world.units["unit"][column].pk,
        "target_level": world.tree.booth1.level_id,
        "starts_at": timezone.localtime(starts_at).strftime(fmt),
        "ends_at": timezone.localtime(ends_at).strftime(fmt),
        "title": "ZQNEWDRIVE",
        "body_hi": "नया अभियान",
        "target_booth": "2",
    }


def _api_body(world, column):
    starts_at, ends_at = _window()
    return {
        "unit": world.units["unit"][column].pk,
        "target_level": "booth",
        "hashtag": "#ZQNEWDRIVE",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "targets": {"booth": 2},
        "title": "ZQNEWDRIVE",
        "body_hi": "नया अभियान",
    }


_J = {"json": True}

WEB = [
    Endpoint("outreach.drives", "outreach:drives", markers=(("drive", False), ("sentdrive", True))),
    Endpoint("outreach.drive", "outreach:drive", obj="drive"),
    Endpoint("outreach.drive.sent", "outreach:drive", obj="sent_drive", parent_visible=True),
    Endpoint("outreach.drive.panel", "outreach:drive_panel", obj="drive"),
    Endpoint(
        "outreach.drive_new.post",
        "outreach:drive_new",
        "POST",
        SEND_MESSAGES,
        data=_form,
        body_unit=True,
        nowhere=(403,),
    ),
]

API = [
    Endpoint("api.outreach.drives", "outreach_api:drive-list", markers=(("drive", False), ("sentdrive", True)), **_J),
    Endpoint("api.outreach.drive", "outreach_api:drive-detail", obj="drive", **_J),
    Endpoint("api.outreach.drive.sent", "outreach_api:drive-detail", obj="sent_drive", parent_visible=True, **_J),
    Endpoint(
        "api.outreach.drive.create",
        "outreach_api:drive-list",
        "POST",
        SEND_MESSAGES,
        data=_api_body,
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
]
