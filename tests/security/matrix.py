"""The endpoints of the scope-leak matrix and the rule that gives each cell its expected answer.

A cell is (endpoint, role, column): a user holding ``role`` at Jaipur acts on the endpoint's object at
``column`` (own unit Jaipur, a unit below it, the sibling district Ajmer's side, the state above it).

The expected answer comes from the permission matrix (``ROLE_ACTIONS``) and the scope rule only:

- outside the user's view scope: 404 (never 403, never 200), the database unchanged;
- inside it, an action the role does not grant there: 403, the database unchanged;
- inside it and granted: anything but 403/404/5xx (reads: 200).

"Inside the view scope" is the unit's subtree (own and child columns); a few kinds of object are also
shown to the units below them on purpose (``parent_visible``): a campaign covers the districts of its
state, a sent message comes down to the units it was sent to. Acting on those from below is never granted.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from sangathan.access.permissions import (
    APPOINT,
    APPROVE_MESSAGES,
    DISSOLVE,
    IMPORT_UNITS,
    MANAGE_CHANNELS,
    MANAGE_PLAN,
    MANAGE_ROLES,
    MANAGE_TRAINING,
    MANAGE_UNITS,
    ROLE_ACTIONS,
    SEND_MESSAGES,
    VIEW,
    VIEW_CONTROL_ROOM,
)
from tests.security.world import COLUMNS, NO_ROLE, ROLES, marker, parts

VISIBLE_COLUMNS = ("own", "child")


@dataclass(frozen=True)
class Endpoint:
    """One URL and method. ``obj`` names the kind of world object whose pk (or slug) fills the URL;
    ``unit`` is the unit table for endpoints taking a unit pk."""

    id: str
    url: str  # a URL name; its one argument is filled from the object of the cell's column
    method: str = "GET"
    action: str = VIEW
    obj: str | None = None  # world.objects key, or "unit:<table>" for a unit pk
    arg: str = "pk"  # the URL kwarg: "pk", "slug", "unit_id"
    data: Callable | None = None  # (world, column) -> request body
    json: bool = False
    parent_visible: bool = False
    extra_kwargs: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    # List pages: (marker kind, parent_visible) pairs searched in the answer.
    markers: tuple = ()
    show_visible: bool = True  # a list must show the visible columns' objects too
    ok: tuple = (200,)  # the answers of an allowed read
    superuser_only: bool = False  # an admin that answers 403 to every other user, whatever the object
    # The answer for a role that may not act anywhere (no page to offer): pages without an object only.
    nowhere: tuple = (403, 404)
    # A create whose unit comes in the body: a forbidden one may also answer with a form error.
    body_unit: bool = False
    admin: bool = False

    @property
    def is_write(self) -> bool:
        return self.method != "GET" or self.action != VIEW


def _d(**values):
    return lambda world, column: values


def _unit_field(name, table="unit", **more):
    return lambda world, column: {name: world.units[table][column].pk, **more}


NEXT_WEEK = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

WEB = [
    # org
    Endpoint("org.home", "home", ok=(200, 302)),
    Endpoint("org.unit", "org:unit", obj="unit:unit"),
    Endpoint("org.appoint.get", "org:appoint", action=APPOINT, obj="unit:unit"),
    Endpoint("org.appoint.post", "org:appoint", "POST", APPOINT, "unit:unit", data=_d(mobile="98290 00001")),
    Endpoint("org.dissolve.get", "org:dissolve", action=DISSOLVE, obj="unit:unit"),
    Endpoint("org.dissolve.post", "org:dissolve", "POST", DISSOLVE, "unit:unit", data=_d(reason="test", confirm="on")),
    Endpoint("org.reconstitute.get", "org:reconstitute", action=DISSOLVE, obj="unit:unit"),
    Endpoint("org.reconstitute.post", "org:reconstitute", "POST", DISSOLVE, "unit:unit", data=_d(confirm="on")),
    Endpoint("org.relieve.get", "org:relieve", action=APPOINT, obj="appointment"),
    Endpoint("org.relieve.post", "org:relieve", "POST", APPOINT, "appointment", data=_d(reason="test")),
    Endpoint("org.person", "org:person", obj="person"),
    Endpoint("org.structure.get", "org:structure", obj="unit:unit"),
    Endpoint(
        "org.structure.post",
        "org:structure",
        "POST",
        MANAGE_UNITS,
        "unit:unit",
        data=_d(**{"add": "level", "level-name_hi": "ZQ", "level-name_en": "ZQ"}),
    ),
    Endpoint("org.representation", "org:representation", obj="unit:unit"),
    Endpoint("org.wing.get", "org:appointment_wing", action=APPOINT, obj="appointment"),
    Endpoint("org.wing.post", "org:appointment_wing", "POST", APPOINT, "appointment", data=_d(wing="")),
    Endpoint("org.profile.get", "org:person_profile", action=APPOINT, obj="person"),
    Endpoint("org.profile.post", "org:person_profile", "POST", APPOINT, "person", data=_d(gender="", age_band="")),
    Endpoint("org.search", "org:search", query={"q": "ZQPERSON"}, markers=(("person", False),)),
    # terms ending, the office-bearers import (issue 16): a finished job is seen by whoever sees its unit
    Endpoint("org.terms", "org:terms", obj="unit:unit"),
    Endpoint("org.officebearers.get", "org:officebearers_upload", action=APPOINT, obj="unit:unit"),
    Endpoint("org.officebearers.post", "org:officebearers_upload", "POST", APPOINT, "unit:unit"),
    Endpoint("org.officebearers.job", "org:officebearers_job", obj="officebearer_job"),
    Endpoint("org.officebearers.confirm", "org:officebearers_confirm", "POST", APPOINT, "officebearer_job"),
    Endpoint("org.officebearers.cancel", "org:officebearers_cancel", "POST", APPOINT, "officebearer_job"),
    # import
    Endpoint(
        "import.upload.post",
        "org_import:upload",
        "POST",
        IMPORT_UNITS,
        data=_unit_field("root"),
        body_unit=True,
        nowhere=(403, 404),
    ),
    Endpoint("import.job", "org_import:job", obj="import_job"),
    Endpoint("import.job.resume", "org_import:resume", "POST", IMPORT_UNITS, "import_job"),  # issue 17
    # recruitment staff
    Endpoint(
        "recruitment.campaigns",
        "recruitment:campaigns",
        markers=(("campaign", True), ("applicant", False)),
        show_visible=False,
    ),
    Endpoint("recruitment.dashboard", "recruitment:dashboard", obj="campaign", arg="slug", parent_visible=True),
    Endpoint("recruitment.queue", "recruitment:queue", obj="campaign", arg="slug", parent_visible=True),
    Endpoint("recruitment.ranking", "recruitment:ranking", obj="campaign", arg="slug", parent_visible=True),
    Endpoint("recruitment.interviews", "recruitment:interviews", obj="campaign", arg="slug", parent_visible=True),
    Endpoint("recruitment.export_csv", "recruitment:export_csv", obj="campaign", arg="slug", parent_visible=True),
    Endpoint("recruitment.export_xlsx", "recruitment:export_xlsx", obj="campaign", arg="slug", parent_visible=True),
    Endpoint(
        "recruitment.state.queue",
        "recruitment:queue",
        extra_kwargs={"slug": "sec-parent"},
        markers=(("applicant", False),),
    ),
    Endpoint(
        "recruitment.state.export_csv",
        "recruitment:export_csv",
        extra_kwargs={"slug": "sec-parent"},
        markers=(("applicant", False),),
    ),
    Endpoint(
        "recruitment.state.export_xlsx",
        "recruitment:export_xlsx",
        extra_kwargs={"slug": "sec-parent"},
        markers=(("applicant", False),),
    ),
    Endpoint(
        "recruitment.state.ranking",
        "recruitment:ranking",
        extra_kwargs={"slug": "sec-parent"},
        markers=(("applicant", False),),
        show_visible=False,
    ),
    Endpoint(
        "recruitment.screen_bulk",
        "recruitment:screen_bulk",
        "POST",
        APPOINT,
        extra_kwargs={"slug": "sec-parent"},
        data=lambda world, column: {
            "ids": [world.objects["application"][column].pk],
            "action": "reject",
            "reason": "x",
        },
    ),
    Endpoint("recruitment.application", "recruitment:application", obj="application"),
    # A letter exists once the applicant is appointed: in scope it may still be 404.
    Endpoint("recruitment.letter", "recruitment:letter", obj="application", ok=(200, 404)),
    Endpoint(
        "recruitment.screen", "recruitment:screen", "POST", APPOINT, "application", data=_d(action="reject", reason="x")
    ),
    Endpoint(
        "recruitment.decide",
        "recruitment:decide",
        "POST",
        APPOINT,
        "application",
        data=_d(decision="reject", reason="x"),
    ),
    Endpoint("recruitment.day", "recruitment:day", obj="day", parent_visible=True),
    Endpoint("recruitment.panel_create", "recruitment:panel_create", "POST", APPOINT, "day", parent_visible=True),
    Endpoint("recruitment.schedule", "recruitment:schedule", "POST", APPOINT, "day", parent_visible=True),
    Endpoint("recruitment.slot_move.get", "recruitment:slot_move", action=APPOINT, obj="slot"),
    Endpoint("recruitment.slot_move.post", "recruitment:slot_move", "POST", APPOINT, "slot"),
    Endpoint("recruitment.no_show", "recruitment:no_show", "POST", APPOINT, "slot"),
    Endpoint("recruitment.slot_open_scoring", "recruitment:slot_open_scoring", "POST", APPOINT, "slot"),
    # channels
    Endpoint("channels.index", "channels:index", ok=(200, 302)),
    Endpoint("channels.unit", "channels:unit", obj="unit:unit"),
    Endpoint("channels.area", "channels:area", obj="unit:unit"),
    Endpoint("channels.register.get", "channels:register", action=MANAGE_CHANNELS, obj="unit:unit"),
    Endpoint(
        "channels.register.post",
        "channels:register",
        "POST",
        MANAGE_CHANNELS,
        "unit:unit",
        data=_d(platform="whatsapp_group", name="ZQNEW", link="https://chat.whatsapp.com/ZyXwVu1234567890AbCdE"),
    ),
    Endpoint("channels.import.get", "channels:import", action=MANAGE_CHANNELS, obj="unit:unit"),
    Endpoint("channels.import.post", "channels:import", "POST", MANAGE_CHANNELS, "unit:unit"),
    Endpoint("channels.edit.get", "channels:edit", action=MANAGE_CHANNELS, obj="channel"),
    Endpoint(
        "channels.edit.post",
        "channels:edit",
        "POST",
        MANAGE_CHANNELS,
        "channel",
        data=_d(platform="whatsapp_group", name="ZQRENAMED", link=""),
    ),
    Endpoint("channels.deactivate.get", "channels:deactivate", action=MANAGE_CHANNELS, obj="channel"),
    Endpoint(
        "channels.deactivate.post", "channels:deactivate", "POST", MANAGE_CHANNELS, "channel", data=_d(reason="x")
    ),
    Endpoint("channels.verify", "channels:verify", "POST", MANAGE_CHANNELS, "channel", data=_d(member_count="5")),
    # training
    Endpoint("training.camps", "training:camps", markers=(("camp", False),)),
    Endpoint("training.programmes", "training:programmes"),
    Endpoint("training.coverage", "training:coverage"),
    Endpoint(
        "training.camp_new.post",
        "training:camp_new",
        "POST",
        MANAGE_TRAINING,
        data=_unit_field("host_unit", "deep", venue="ZQNEWCAMP", day=NEXT_WEEK, start="10:00", end="16:00"),
        body_unit=True,
        nowhere=(404,),
    ),
    Endpoint(
        "training.camp_plan.post",
        "training:camp_plan",
        "POST",
        MANAGE_TRAINING,
        data=_unit_field("parent", "deep", day=NEXT_WEEK, start="10:00", end="16:00"),
        body_unit=True,
        nowhere=(404,),
    ),
    Endpoint("training.camp", "training:camp", obj="camp"),
    Endpoint("training.camp_qr", "training:camp_qr", obj="camp"),
    Endpoint("training.camp_poster", "training:camp_poster", obj="camp"),
    Endpoint("training.camp_export", "training:camp_export", obj="camp"),
    Endpoint("training.camp_edit.get", "training:camp_edit", action=MANAGE_TRAINING, obj="camp"),
    Endpoint("training.camp_edit.post", "training:camp_edit", "POST", MANAGE_TRAINING, "camp", data=_d(venue="ZQ")),
    Endpoint("training.camp_invite", "training:camp_invite", "POST", MANAGE_TRAINING, "camp"),
    Endpoint("training.camp_remind", "training:camp_remind", "POST", MANAGE_TRAINING, "camp"),
    Endpoint("training.camp_walk_ins", "training:camp_walk_ins", "POST", MANAGE_TRAINING, "camp"),
    Endpoint("training.camp_cancel", "training:camp_cancel", "POST", MANAGE_TRAINING, "camp", data=_d(reason="x")),
    Endpoint("training.roll_call", "training:roll_call", action=MANAGE_TRAINING, obj="camp"),
    Endpoint(
        "training.roll_call_walk_in",
        "training:roll_call_walk_in",
        "POST",
        MANAGE_TRAINING,
        "camp",
        data=_d(name="ZQWALKIN", mobile="98290 00002"),
    ),
    Endpoint(
        "training.roll_call_mark",
        "training:roll_call_mark",
        "POST",
        MANAGE_TRAINING,
        "camp",
        data=_d(present="1"),
        extra_kwargs={"person_pk": lambda world, column: world.invitee[column].pk},
    ),
    # Walk-in requests come from the public page; a real one per camp is in training's own scope tests.
    Endpoint(
        "training.roll_call_walk_in_decide",
        "training:roll_call_walk_in_decide",
        "POST",
        MANAGE_TRAINING,
        "camp",
        data=_d(request="1", decision="reject"),
    ),
    Endpoint(
        "training.roll_call_resend_code",
        "training:roll_call_resend_code",
        "POST",
        MANAGE_TRAINING,
        "camp",
        extra_kwargs={"person_pk": lambda world, column: world.invitee[column].pk},
    ),
    Endpoint("training.certificate", "training:certificate", obj="completion"),
    # planning
    Endpoint("planning.home", "planning:home", ok=(200, 302)),
    Endpoint("planning.dashboard", "planning:dashboard", obj="unit:unit"),
    Endpoint("planning.late", "planning:late", obj="unit:unit"),
    Endpoint("planning.create.get", "planning:create", action=MANAGE_PLAN, obj="unit:unit"),
    Endpoint("planning.create.post", "planning:create", "POST", MANAGE_PLAN, "unit:unit", data=_d(title_en="ZQ")),
    Endpoint("planning.refresh", "planning:refresh", "POST", MANAGE_PLAN, "unit:unit"),
    Endpoint("planning.edit.get", "planning:edit", action=MANAGE_PLAN, obj="plan"),
    Endpoint("planning.edit.post", "planning:edit", "POST", MANAGE_PLAN, "plan", data=_d(title_en="ZQ")),
    Endpoint(
        "planning.milestone_add", "planning:milestone_add", "POST", MANAGE_PLAN, "plan", data=_d(**{"add-kind": "x"})
    ),
    # outreach
    Endpoint("outreach.list", "outreach:list", markers=(("message", False), ("sent", True))),
    Endpoint(
        "outreach.new.post",
        "outreach:new",
        "POST",
        SEND_MESSAGES,
        data=lambda world, column: {
            "unit": world.units["unit"][column].pk,
            "target_level": world.tree.booth1.level_id,
            "title": "ZQNEWMESSAGE",
            "body_hi": "नया संदेश",
            "text_whatsapp": "नया",
        },
        body_unit=True,
        nowhere=(403,),
    ),
    Endpoint("outreach.detail", "outreach:detail", obj="message"),
    # A sent message's page is its tracking page (a redirect there).
    Endpoint("outreach.sent.detail", "outreach:detail", obj="sent_message", parent_visible=True, ok=(200, 302)),
    Endpoint("outreach.edit.get", "outreach:edit", action=SEND_MESSAGES, obj="message"),
    Endpoint(
        "outreach.edit.post",
        "outreach:edit",
        "POST",
        SEND_MESSAGES,
        "message",
        data=lambda world, column: {
            "unit": world.units["unit"][column].pk,
            "target_level": world.tree.booth1.level_id,
            "title": "ZQEDITED",
            "body_hi": "बदला",
            "text_whatsapp": "बदला",
        },
    ),
    Endpoint(
        "outreach.step.submit", "outreach:step", "POST", SEND_MESSAGES, "message", extra_kwargs={"step": "submit"}
    ),
    Endpoint("outreach.step.send", "outreach:step", "POST", SEND_MESSAGES, "message", extra_kwargs={"step": "send"}),
    Endpoint(
        "outreach.step.approve", "outreach:step", "POST", APPROVE_MESSAGES, "message", extra_kwargs={"step": "approve"}
    ),
    Endpoint(
        "outreach.step.return", "outreach:step", "POST", APPROVE_MESSAGES, "message", extra_kwargs={"step": "return"}
    ),
    Endpoint(  # issue 17: resume a stopped send
        "outreach.step.resume", "outreach:step", "POST", SEND_MESSAGES, "message", extra_kwargs={"step": "resume"}
    ),
    Endpoint("outreach.track", "outreach:track", obj="sent_message", parent_visible=True),
    Endpoint("outreach.track_panel", "outreach:track_panel", obj="sent_message", parent_visible=True),
    Endpoint(
        "outreach.report.csv", "outreach:report", obj="sent_message", parent_visible=True, extra_kwargs={"fmt": "csv"}
    ),
    Endpoint(
        "outreach.report.xlsx", "outreach:report", obj="sent_message", parent_visible=True, extra_kwargs={"fmt": "xlsx"}
    ),
    Endpoint("outreach.unit", "outreach:unit", obj="unit:unit", arg="unit_id"),
    Endpoint("outreach.rule.post", "outreach:rule", "POST", APPROVE_MESSAGES, "unit:unit", arg="unit_id", data=_d()),
    # control room: the wall of a unit, the panel it polls, the refresh button (the control room and in-charges)
    Endpoint("controlroom.home", "controlroom:home", ok=(200, 302)),
    Endpoint("controlroom.wall", "controlroom:wall", action=VIEW_CONTROL_ROOM, obj="unit:unit"),
    Endpoint("controlroom.panel", "controlroom:panel", action=VIEW_CONTROL_ROOM, obj="unit:unit"),
    Endpoint("controlroom.refresh", "controlroom:refresh", "POST", VIEW_CONTROL_ROOM, "unit:unit"),
    Endpoint("controlroom.send_links", "controlroom:send_links", "POST", SEND_MESSAGES, "unit:unit"),
    # control room reports: the archive (scoped list), a report's files, the national view (no Jaipur role sees it)
    Endpoint("controlroom.reports", "controlroom:reports"),
    Endpoint(
        "controlroom.report.pdf",
        "controlroom:report_download",
        action=VIEW_CONTROL_ROOM,
        obj="state_report",
        extra_kwargs={"fmt": "pdf"},
    ),
    Endpoint(
        "controlroom.report.xlsx",
        "controlroom:report_download",
        action=VIEW_CONTROL_ROOM,
        obj="state_report",
        extra_kwargs={"fmt": "xlsx"},
    ),
    Endpoint("controlroom.national", "controlroom:national", ok=(403,)),
    # fact-check desk: the tip list (a tip at each column's unit, its text the marker)
    Endpoint("factcheck.tips", "factcheck:tips", markers=(("tip", False),)),
    # membership
    Endpoint("membership.home", "membership:home", ok=(200, 302)),
    Endpoint("membership.unit", "membership:unit", obj="unit:unit"),
    Endpoint("membership.codes", "membership:codes", "POST", APPOINT, "unit:unit"),
    # paper membership forms: typed in at a booth (above a booth the page sends back to the unit), a sheet uploaded
    Endpoint("membership.paper.get", "membership:paper", action=APPOINT, obj="unit:booth", ok=(200, 302)),
    Endpoint(
        "membership.paper.post",
        "membership:paper",
        "POST",
        APPOINT,
        "unit:booth",
        data=_d(name="Sec Member", mobile="98290 77777", age="30"),
    ),
    Endpoint("membership.sheet.get", "membership:sheet_upload", action=APPOINT, obj="unit:unit"),
    Endpoint("membership.sheet.post", "membership:sheet_upload", "POST", APPOINT, "unit:unit"),
    Endpoint("membership.review", "membership:review", action=APPOINT, obj="unit:unit"),
    # logins of office-bearers (issue 16): a committee's logins, inviting it, a login for someone without a post,
    # suspending and re-inviting a login, the roles of posts (the state comes in the body)
    Endpoint("logins.unit", "logins:unit", obj="unit:unit", arg="unit_id"),
    Endpoint("logins.invite", "logins:invite", "POST", APPOINT, "unit:unit", arg="unit_id"),
    Endpoint(
        "logins.create",
        "logins:create",
        "POST",
        MANAGE_ROLES,
        "unit:unit",
        arg="unit_id",
        data=lambda world, column: {"mobile": world.objects["person"][column].mobile, "role": "viewer"},
    ),
    Endpoint("logins.suspend", "logins:action", "POST", MANAGE_ROLES, "login", extra_kwargs={"action": "suspend"}),
    Endpoint("logins.reinvite", "logins:action", "POST", MANAGE_ROLES, "login", extra_kwargs={"action": "reinvite"}),
    Endpoint("logins.posts", "logins:posts", action=MANAGE_ROLES, ok=(200, 403)),
    Endpoint(
        "logins.posts.post",
        "logins:posts",
        "POST",
        MANAGE_ROLES,
        data=lambda world, column: {
            "state": world.units["unit"][column].pk,
            "position": world.tree.jaipur_ac.level.positions.first().pk,
            "role": "viewer",
        },
        body_unit=True,
        nowhere=(403,),
    ),
]

_J = {"json": True}
API = [
    Endpoint("api.units", "api:unit-list", markers=(("unitname", False),), show_visible=False, **_J),
    Endpoint(
        "api.units.create",
        "api:unit-list",
        "POST",
        MANAGE_UNITS,
        data=lambda world, column: {
            "parent": world.units["unit"][column].pk,
            "level": "booth" if column == "child" else "assembly",
            "name_hi": "ZQ नई",
            "name_en": "ZQNEWUNIT",
            "number": 777,
        },
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.unit", "api:unit-detail", obj="unit:unit", **_J),
    Endpoint("api.unit.patch", "api:unit-detail", "PATCH", MANAGE_UNITS, "unit:unit", data=_d(name_en="ZQX"), **_J),
    Endpoint("api.unit.coverage", "api:unit-coverage", obj="unit:unit", **_J),
    Endpoint("api.unit.committee", "api:unit-committee", obj="unit:unit", **_J),
    Endpoint("api.unit.dissolve", "api:unit-dissolve", "POST", DISSOLVE, "unit:unit", data=_d(reason="x"), **_J),
    Endpoint("api.people", "api:person-list", markers=(("person", False),), **_J),
    Endpoint(
        "api.people.create",
        "api:person-list",
        "POST",
        APPOINT,
        data=lambda world, column: {
            "home_unit": world.units["booth"][column].pk,
            "name_hi": "ZQ नया",
            "name_en": "ZQNEWPERSON",
            "mobile": "98290 00003",
        },
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.person", "api:person-detail", obj="person", **_J),
    Endpoint("api.person.patch", "api:person-detail", "PATCH", APPOINT, "person", data=_d(name_en="ZQX"), **_J),
    Endpoint("api.appointments", "api:appointment-list", markers=(("person", False),), **_J),
    Endpoint(
        "api.appointments.create",
        "api:appointment-list",
        "POST",
        APPOINT,
        data=lambda world, column: {
            "unit": world.units["booth"][column].pk,
            "position": world.objects["appointment"][column].position_id,
            "person": world.objects["person"]["own"].pk,
        },
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.appointment", "api:appointment-detail", obj="appointment", **_J),
    Endpoint(
        "api.appointment.relieve", "api:appointment-relieve", "POST", APPOINT, "appointment", data=_d(reason="x"), **_J
    ),
    Endpoint("api.channels", "channels_api:channel-list", markers=(("channel", False),), **_J),
    Endpoint(
        "api.channels.create",
        "channels_api:channel-list",
        "POST",
        MANAGE_CHANNELS,
        data=lambda world, column: {
            "unit": world.units["unit"][column].pk,
            "platform": "whatsapp_group",
            "name": "ZQNEWCHANNEL",
            "link": "https://chat.whatsapp.com/QwErTy1234567890AbCdE",
        },
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.channel", "channels_api:channel-detail", obj="channel", **_J),
    Endpoint(
        "api.channel.put", "channels_api:channel-detail", "PUT", MANAGE_CHANNELS, "channel", data=_d(name="ZQX"), **_J
    ),
    Endpoint("api.channel.verify", "channels_api:channel-verify", "POST", MANAGE_CHANNELS, "channel", data=_d(), **_J),
    Endpoint(
        "api.channel.deactivate",
        "channels_api:channel-deactivate",
        "POST",
        MANAGE_CHANNELS,
        "channel",
        data=_d(reason="x"),
        **_J,
    ),
]

# The admin, for staff users holding every model permission: the scope must still hold.
_A = {"admin": True}
ADMIN_OBJECTS = {
    "org.unit": ("unit:unit", False),
    "org.person": ("person", False),
    "org.appointment": ("appointment", False),
    "org.unitimportjob": ("import_job", False),
    "access.roleassignment": ("role_assignment", False),
    "recruitment.campaign": ("campaign", True),
    "recruitment.application": ("application", False),
    "recruitment.interviewday": ("day", True),
    "channels.channel": ("channel", False),
    "channels.channelimport": ("channel_import", False),
    "training.camp": ("camp", False),
    "planning.plan": ("plan", False),
}
ADMIN_MARKERS = {
    "org.person": ("person",),
    "org.appointment": ("person",),
    "org.unitimportjob": ("import",),
    "access.roleassignment": ("holder",),
    "recruitment.campaign": ("campaign",),
    "recruitment.application": ("applicant",),
    "recruitment.interviewday": ("day",),
    "channels.channel": ("channel",),
    "channels.channelimport": ("chimport",),
    "training.camp": ("camp",),
    "planning.plan": ("plan",),  # the plan above shows as the "plan above" of one's own: see ADMIN_PARENT_SHOWN
    "notifications.outboxmessage": ("person",),
}


# Lists that name the object above one's own unit as a column of one's own rows (not a row of its own).
ADMIN_PARENT_SHOWN = {"planning.plan"}

# Each capability's part of the matrix (tests/security/parts/), joined to the tables above.
for _part in parts():
    WEB += getattr(_part, "WEB", [])
    API += getattr(_part, "API", [])
    ADMIN_OBJECTS.update(getattr(_part, "ADMIN_OBJECTS", {}))
    ADMIN_MARKERS.update(getattr(_part, "ADMIN_MARKERS", {}))


def admin_endpoints(registry) -> list[Endpoint]:
    from sangathan.core.admin import SuperuserOnlyAdmin

    endpoints = []
    for model, model_admin in registry.items():
        only = isinstance(model_admin, SuperuserOnlyAdmin)
        label = model._meta.label_lower
        if model._meta.app_label in ("axes", "otp_totp", "audit"):
            continue  # not the organisation's data (audit: its own tests)
        app, name = model._meta.app_label, model._meta.model_name
        obj, parent_visible = ADMIN_OBJECTS.get(label, (None, False))
        kinds = ADMIN_MARKERS.get(label, ())
        markers = tuple((kind, parent_visible or label in ADMIN_PARENT_SHOWN) for kind in kinds)
        endpoints.append(
            Endpoint(
                f"admin.{label}.changelist",
                f"admin:{app}_{name}_changelist",
                markers=markers,
                nowhere=(403,),
                superuser_only=only,
                **_A,
            )
        )
        if obj:
            endpoints.append(
                Endpoint(
                    f"admin.{label}.change",
                    f"admin:{app}_{name}_change",
                    obj=obj,
                    arg="object_id",
                    parent_visible=parent_visible,
                    superuser_only=only,
                    **_A,
                )
            )
            # Writing through the admin: only superusers (and role managers for role assignments).
            action = MANAGE_ROLES if label == "access.roleassignment" else "superuser"
            endpoints.append(
                Endpoint(
                    f"admin.{label}.delete",
                    f"admin:{app}_{name}_delete",
                    "POST",
                    action,
                    obj=obj,
                    arg="object_id",
                    data=_d(post="yes"),
                    parent_visible=parent_visible,
                    superuser_only=only,
                    **_A,
                )
            )
    return endpoints


def visible(endpoint: Endpoint, column: str) -> bool:
    return column in VISIBLE_COLUMNS or (column == "parent" and endpoint.parent_visible)


def granted(role: str, action: str) -> bool:
    return role != NO_ROLE and action in ROLE_ACTIONS[role]


def cells(endpoints):
    for endpoint in endpoints:
        for role in (*ROLES, NO_ROLE):
            for column in COLUMNS:
                yield endpoint, role, column


__all__ = ["API", "COLUMNS", "ROLES", "WEB", "Endpoint", "admin_endpoints", "cells", "granted", "marker", "visible"]
