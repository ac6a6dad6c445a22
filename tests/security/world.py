"""One fixed world for the security tests: the fixed cast's tree, one user per role at Jaipur, and one
object of every kind at each of four places seen from Jaipur: its own unit, a unit below it, the sibling
district (Ajmer's side) and the unit above it (Rajasthan).

Every object's name carries a marker (``ZQ<kind><column>``) so list pages and exports can be searched for
objects that must not be there.
"""

import datetime
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.permissions import ROLE_ACTIONS
from sangathan.logins.services import login_for_person
from sangathan.org import services as org_services
from sangathan.org.models import Level, OfficeBearerImportJob, Position, UnitImportJob
from sangathan.org.template import load_default_numbering, load_default_template
from sangathan.org.tests.factories import PersonFactory, UserFactory, make_unit

COLUMNS = ("own", "child", "sibling", "parent")
ROLES = tuple(ROLE_ACTIONS)  # every role of the permission matrix
NO_ROLE = "no_role"
PASSWORD = "a-long-test-password"


def marker(kind: str, column: str) -> str:
    return f"ZQ{kind}{column}".upper()


def build_tree():
    load_default_template(Level, Position)
    load_default_numbering(Level)
    india = make_unit(None, "national", "India", name_hi="भारत")
    rajasthan = make_unit(india, "state", "Rajasthan", name_hi="राजस्थान")
    jaipur = make_unit(rajasthan, "district", "Jaipur", name_hi="जयपुर")
    ajmer = make_unit(rajasthan, "district", "Ajmer", name_hi="अजमेर")
    jaipur_ac = make_unit(jaipur, "assembly", "Jaipur North", number=45, name_hi="जयपुर उत्तर")
    ajmer_ac = make_unit(ajmer, "assembly", "Ajmer South", number=99, name_hi="अजमेर दक्षिण")
    amer = make_unit(jaipur_ac, "block", "Amer", name_hi="आमेर")
    kishangarh = make_unit(ajmer_ac, "block", "Kishangarh", name_hi="किशनगढ़")
    booth1 = make_unit(amer, "booth", "Amer School", number=1, name_hi="आमेर विद्यालय")
    booth2 = make_unit(amer, "booth", "Amer Fort Gate", number=2, name_hi="आमेर किला द्वार")
    ajmer_booth = make_unit(kishangarh, "booth", "Kishangarh Mandi", number=1, name_hi="किशनगढ़ मंडी")
    return SimpleNamespace(**locals())


def _key_position(unit):
    return Position.objects.filter(level_id=unit.level_id, is_key=True).order_by("order", "id").first()


def build_world():
    tree = build_tree()
    state_admin = UserFactory(username="sec_builder")
    RoleAssignment.objects.create(user=state_admin, unit=tree.rajasthan, role=Role.STATE_ADMIN)
    users = {}
    for role in ROLES:
        users[role] = UserFactory(username=f"sec_{role}")
        RoleAssignment.objects.create(user=users[role], unit=tree.jaipur, role=role)
    users[NO_ROLE] = UserFactory(username="sec_no_role")
    # The same people as staff with every model permission: the admin must still hold their scope.
    perms = list(Permission.objects.all())
    staff = {}
    for role in (*ROLES, NO_ROLE):
        staff[role] = UserFactory(username=f"sec_staff_{role}", is_staff=True)
        staff[role].user_permissions.set(perms)
        if role != NO_ROLE:
            RoleAssignment.objects.create(user=staff[role], unit=tree.jaipur, role=role)

    # Where each kind of object sits, column by column.
    units = {
        "unit": {"own": tree.jaipur, "child": tree.jaipur_ac, "sibling": tree.ajmer, "parent": tree.rajasthan},
        "deep": {"own": tree.jaipur, "child": tree.amer, "sibling": tree.kishangarh, "parent": tree.rajasthan},
        "booth": {"own": tree.jaipur, "child": tree.booth1, "sibling": tree.ajmer_booth, "parent": tree.rajasthan},
    }
    w = SimpleNamespace(tree=tree, users=users, staff=staff, state_admin=state_admin, units=units, objects={})
    o = w.objects

    # People and appointments.
    for column, unit in units["booth"].items():
        person = PersonFactory(name_en=marker("person", column), name_hi=marker("person", column), home_unit=unit)
        appointment = org_services.appointment_create(unit=unit, position=_key_position(unit), person=person)
        o.setdefault("person", {})[column] = person
        o.setdefault("appointment", {})[column] = appointment

    # A role held at each place by somebody else (the admin's role list).
    for column, unit in units["unit"].items():
        holder = UserFactory(username=marker("holder", column).lower())
        o.setdefault("role_assignment", {})[column] = RoleAssignment.objects.create(
            user=holder, unit=unit, role=Role.VIEWER
        )

    # Logins of the people appointed at each place (logins.services; the invitations are off in the tests).
    for column, person in o["person"].items():
        o.setdefault("login", {})[column] = login_for_person(person=person)[0]

    # Unit import jobs.
    for column, unit in units["unit"].items():
        job = UnitImportJob.objects.create(
            root=unit, created_by=state_admin, content=b"", original_name=marker("import", column) + ".csv"
        )
        o.setdefault("import_job", {})[column] = job
        o.setdefault("officebearer_job", {})[column] = OfficeBearerImportJob.objects.create(
            root=unit,
            created_by=state_admin,
            content=b"",
            original_name=marker("import", column) + ".csv",
            status=OfficeBearerImportJob.Status.DONE,
        )

    # One signed-in session per user, made once: the cells send its cookie.
    w.sessions = {}
    w.client = Client()
    for user in (*users.values(), *staff.values()):
        w.client.force_login(user)
        w.sessions[user.pk] = w.client.cookies[settings.SESSION_COOKIE_NAME].value
        w.client.cookies.clear()

    _channels(w)
    _plans(w)
    _training(w)
    _recruitment(w)
    _outreach(w)
    _controlroom(w)
    _factcheck(w)
    for part in parts():
        if hasattr(part, "build"):
            part.build(w)
    return w


def parts():
    """The matrix's parts, one module per capability in ``tests/security/parts/`` (sorted by name). A part may
    define ``build(w)`` (its objects, added to ``w.objects``), ``WEB`` and ``API`` (its endpoints), and
    ``ADMIN_OBJECTS`` / ``ADMIN_MARKERS`` (its admin models); ``matrix.py`` joins them to its own tables."""
    import importlib
    import pkgutil

    from tests.security import parts as package

    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name)
    ]


def _channels(w):
    from sangathan.channels import services
    from sangathan.channels.models import ChannelImport

    for column, unit in w.units["unit"].items():
        channel = services.channel_register(
            unit=unit,
            platform="whatsapp_group",
            name=marker("channel", column),
            link=f"https://chat.whatsapp.com/AbCdEf1234567890GhIj{COLUMNS.index(column)}",
            by=w.state_admin,
        )
        w.objects.setdefault("channel", {})[column] = channel
        job = ChannelImport.objects.create(
            root=unit, created_by=w.state_admin, content=b"", original_name=marker("chimport", column) + ".csv"
        )
        w.objects.setdefault("channel_import", {})[column] = job


def _plans(w):
    from sangathan.planning import services

    for column in ("parent", "own", "child", "sibling"):
        unit = w.units["unit"][column]
        w.objects.setdefault("plan", {})[column] = services.plan_create(
            scope=unit, title_en=marker("plan", column), title_hi=marker("plan", column), by=w.state_admin
        )


def _training(w):
    from sangathan.training import services
    from sangathan.training.models import Completion, Module, Programme
    from sangathan.training.template import load_default_programme

    programme = load_default_programme(Programme, Module)
    w.invitee = {}
    w.programme = programme
    monday = timezone.localdate() + datetime.timedelta(days=7)
    tz = timezone.get_current_timezone()
    for column, unit in w.units["deep"].items():
        camp = services.camp_create(
            programme=programme,
            host_unit=unit,
            venue=marker("camp", column),
            starts_at=datetime.datetime.combine(monday, datetime.time(10), tzinfo=tz),
            ends_at=datetime.datetime.combine(monday, datetime.time(17), tzinfo=tz),
            by=w.state_admin,
        )
        services.invitations_generate(camp=camp, by=w.state_admin)
        w.objects.setdefault("camp", {})[column] = camp
        if not camp.invitations.exists():
            camp.invitations.create(person=w.objects["person"][column], invited_by=w.state_admin)
        w.invitee[column] = camp.invitations.select_related("person").first().person
        person = w.objects["person"][column]
        w.objects.setdefault("completion", {})[column] = Completion.objects.create(
            person=person, programme=programme, camp=camp
        )


def _recruitment(w):
    from sangathan.recruitment import services
    from sangathan.recruitment.models import Application, Criterion, Rubric
    from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric

    rubric = load_default_rubric(Rubric, Criterion)
    now = timezone.now()
    tree = w.tree
    for column in ("parent", "own", "child", "sibling"):
        unit = w.units["unit"][column]
        campaign = services.campaign_create(
            scope_unit=unit,
            title_hi=marker("campaign", column),
            title_en=marker("campaign", column),
            slug=f"sec-{column}",
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=14),
            rubric=rubric,
            positions=[(Position.objects.get(level__code="booth", code="representative"), 100)],
            reference_prefix=f"SEC-{column.upper()}",
            notice_hi=DEFAULT_NOTICE_HI,
            notice_en=DEFAULT_NOTICE_EN,
            by=w.state_admin,
        )
        w.objects.setdefault("campaign", {})[column] = campaign
        day = services.interview_day_create(
            campaign=campaign, date=timezone.localdate(), venue=marker("day", column), by=w.state_admin
        )
        w.objects.setdefault("day", {})[column] = day
    # Applications to the state campaign, one per column (by the applicant's home unit).
    state_campaign = w.objects["campaign"]["parent"]
    home = {"own": tree.booth2, "child": tree.booth1, "sibling": tree.ajmer_booth, "parent": tree.booth2}
    for i, column in enumerate(COLUMNS):
        application, _ = services.application_submit(
            campaign=state_campaign,
            token=f"sec-{column}",
            data={
                "applied_for": state_campaign.positions.get(),
                "home_unit": home[column],
                "mobile": f"98290 7{i}{i}{i}{i}",
                "name_hi": marker("applicant", column),
                "name_en": marker("applicant", column),
                "email": "",
                "age": 30,
                "gender": "female",
                "occupation": "Teacher",
                "education": "B.A.",
                "languages": ["hi"],
                "social_accounts": [],
                "statement": "सेवा",
                "writing_sample": "बूथ मजबूत",
            },
        )
        # Own and parent columns: the applicant lives at Jaipur / Rajasthan itself.
        if column in ("own", "parent"):
            Application.objects.filter(pk=application.pk).update(home_unit=w.units["unit"][column])
            application.refresh_from_db()
        w.objects.setdefault("application", {})[column] = application
    state_day = w.objects["day"]["parent"]
    member = UserFactory(username="sec_panel_member")
    services.panel_create(day=state_day, name="A", members=[member])
    for application in w.objects["application"].values():
        services.application_screen(application=application, shortlist=True)
    services.interviews_schedule(day=state_day)
    for column, application in w.objects["application"].items():
        application.refresh_from_db()
        w.objects.setdefault("slot", {})[column] = getattr(application, "slot", None)


def _outreach(w):
    from sangathan.outreach import services

    booth = Level.objects.get(code="booth")
    for column, unit in w.units["unit"].items():
        message = services.message_create(
            unit=unit,
            target_level=booth,
            by=w.state_admin,
            title=marker("message", column),
            body_hi=marker("message", column),
            text_whatsapp=marker("message", column),
        )
        w.objects.setdefault("message", {})[column] = message
    # A sent message per column, with its deliveries (sent by the builder, approved by a second admin).
    approver = UserFactory(username="sec_approver")
    RoleAssignment.objects.create(user=approver, unit=w.tree.rajasthan, role=Role.STATE_ADMIN)
    for column, unit in w.units["unit"].items():
        message = services.message_create(
            unit=unit,
            target_level=booth,
            by=w.state_admin,
            title=marker("sent", column),
            body_hi=marker("sent", column),
            text_whatsapp=marker("sent", column),
        )
        services.message_submit(message=message, by=w.state_admin)
        services.message_approve(message=message, by=approver)
        services.message_send(message=message, by=w.state_admin, queue=False)
        services.message_run_inline(message=message)
        message.refresh_from_db()
        w.objects.setdefault("sent_message", {})[column] = message


def _controlroom(w):
    """A made daily report per column (small files: the matrix reads who may download, not the PDF)."""
    from django.core.files.base import ContentFile

    from sangathan.controlroom.models import StateReport

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for column, unit in w.units["unit"].items():
        report = StateReport(
            unit=unit,
            kind=StateReport.Kind.DAILY,
            day=yesterday,
            status=StateReport.Status.MADE,
            made_at=timezone.now(),
        )
        report.pdf.save(
            f"{marker('report', column)}.pdf", ContentFile(b"%PDF-1.4 " + marker("report", column).encode()), save=False
        )
        report.xlsx.save(f"{marker('report', column)}.xlsx", ContentFile(b"PK"), save=False)
        report.save()
        w.objects.setdefault("state_report", {})[column] = report


def _factcheck(w):
    """A tip reported at each column's booth (or unit), its text the marker."""
    from sangathan.factcheck.models import TipChannel
    from sangathan.factcheck.services import tip_receive

    for column, unit in w.units["booth"].items():
        tip, _new = tip_receive(channel=TipChannel.CASCADE, text=marker("tip", column), unit=unit)
        w.objects.setdefault("tip", {})[column] = tip
