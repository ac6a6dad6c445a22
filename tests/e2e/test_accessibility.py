"""axe-core in Chromium on each app's main pages, signed in as the state admin, on a 360-px phone and a 1280-px
laptop: no serious or critical violation (WCAG 2.1 A and AA, colour contrast among them). axe-core is the copy
bundled in axe-playwright-python (4.12.1), injected into the page: nothing is fetched."""

import datetime
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.utils import timezone

from sangathan.channels.models import Platform
from sangathan.channels.services import channel_register
from sangathan.membership import services as membership_services
from sangathan.org.models import Level
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery
from sangathan.recruitment import services as recruitment_services
from sangathan.testing import log_in_browser
from sangathan.training import services as training_services
from sangathan.training.models import Module, Programme
from sangathan.training.template import load_default_programme
from tests.e2e.conftest import screenshot
from tests.e2e.test_recruitment_staff import drive  # noqa: F401 (a fixture: a drive with three applicants)

User = get_user_model()
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the check fails on; "moderate" and "minor" findings are reported by axe but left to review.
FAILING = {"serious", "critical"}
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def pages(tree, drive, world) -> list[tuple[str, str]]:  # noqa: F811
    return [
        ("home", "/"),
        ("org-unit", f"/units/{tree.jaipur.pk}/"),
        ("recruitment", "/recruitment/"),
        ("drive", f"/recruitment/{drive.slug}/"),
        ("interview-day", f"/recruitment/interviews/{world.day.pk}/"),
        ("public-form", f"/a/{drive.slug}/"),
        ("training", "/training/"),
        ("plan", "/plan/"),
        ("outreach", "/outreach/"),
        ("outreach-track", f"/outreach/{world.message.pk}/track/"),
        ("channels", "/channels/"),
        ("channels-unit", f"/channels/units/{tree.booth1.pk}/"),
        ("audit", "/audit/"),
        ("privacy", "/privacy/"),
        ("membership", f"/membership/unit/{tree.jaipur.pk}/"),
        ("membership-booth", f"/membership/unit/{tree.booth1.pk}/"),
        ("join", f"/join/{world.join_code.code}/"),
        ("controlroom", "/controlroom/"),
        ("factcheck-tips", "/factcheck/tips/"),
        ("factcheck-claims", "/factcheck/claims/"),
        ("tipline", "/tip/"),
        ("trend-drives", "/outreach/drives/"),
        ("trend-drive-new", "/outreach/drives/new/"),
        ("member-own-data", "/join/me/"),
        ("logins-unit", f"/logins/units/{tree.jaipur.pk}/"),
        ("logins-posts", "/logins/posts/"),
    ]


@pytest.fixture
def content(tree, cast, drive):  # noqa: F811
    """Something on the pages: a registered WhatsApp group, a training camp, tomorrow's interview day, a message
    sent to Jaipur's booths that one booth received and another cannot share, a join link of booth 1 with a
    verified and a pending member."""
    channel_register(
        unit=tree.booth1,
        platform=Platform.WHATSAPP_GROUP,
        name="बूथ 1 आमेर",
        link="chat.whatsapp.com/AbCdEf1234567890GhIjK1",
    )
    programme = load_default_programme(Programme, Module)
    starts = drive_time()
    training_services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="ब्लॉक कार्यालय, आमेर",
        starts_at=starts,
        ends_at=starts.replace(hour=17),
        by=cast.district_admin,
    )
    day = recruitment_services.interview_day_create(
        campaign=drive, date=starts.date() - datetime.timedelta(days=2), venue="प्रदेश कार्यालय", by=cast.state_admin
    )
    recruitment_services.panel_create(day=day, name="A", members=list(User.objects.filter(username__in=["m1", "m2"])))
    message = outreach_services.message_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="रविवार बूथ बैठक",
        body_hi="रविवार को बूथ बैठक है।",
        text_whatsapp="रविवार बैठक!",
    )
    outreach_services.message_send(message=message, by=cast.district_admin)  # the chunks run when this commits
    deliveries = Delivery.objects.filter(message=message)
    outreach_services.delivery_respond(delivery_id=deliveries.get(unit=tree.booth1).pk, action="received")
    outreach_services.delivery_respond(
        delivery_id=deliveries.get(unit=tree.booth2).pk, action="cannot", reason="नेटवर्क नहीं"
    )
    join_code = membership_services.referral_code_for_unit(unit=tree.booth1)
    for mobile, verify in (("+919812340001", True), ("+919812340002", False)):  # one verified member, one pending
        answer = membership_services.member_join(
            unit=tree.booth1, name="सीमा मीणा", mobile=mobile, age=30, referral=join_code
        )
        if verify:
            membership_services.member_verify(member=answer.member)
    return SimpleNamespace(day=day, message=message, join_code=join_code)


def drive_time() -> datetime.datetime:
    """10:00 three days from now."""
    return timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(days=3)


def serious(results) -> list[str]:
    """One line per serious or critical violation: rule, impact, and where."""
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING:
            for node in violation["nodes"]:
                lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}")
    return lines


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_main_pages_have_no_serious_accessibility_violation(live_server, request, tree, cast, drive, content, device):  # noqa: F811
    page = request.getfixturevalue(device)
    width = 360 if device == "phone" else 1280
    outside = []
    page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url))
    log_in_browser(page, live_server, "state_admin")
    axe = Axe()
    found = {}
    for name, path in pages(tree, drive, content):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("main").count() == 1, f"{path} has no main landmark"
        screenshot(page, f"a11y-{name}-{width}")
        problems = serious(axe.run(page, options=OPTIONS))
        if problems:
            found[path] = problems
    assert outside == []  # axe-core came with the package; the pages fetch nothing from elsewhere either
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in found.items())
