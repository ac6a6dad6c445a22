"""The staff side of a recruitment drive in Chromium: the state admin shortlists, adds an interview day and a
panel and schedules; two panel members score on their phones; the admin selects; the appointment shows on
the booth's page and the letter downloads as a PDF. Screenshots at 360 and 1280 px."""

import datetime

import pytest
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.org.models import Appointment
from sangathan.org.tests.factories import UserFactory, position
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, Criterion, Rubric
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drive(tree, cast):
    """A state campaign, open now, with three applicants: two from Jaipur, one from Ajmer."""
    rubric = load_default_rubric(Rubric, Criterion)  # the data migration's rows are flushed between tests
    now = timezone.now()
    campaign = services.campaign_create(
        scope_unit=tree.rajasthan,
        title_hi="संगठन सृजन अभियान",
        title_en="Organisation-building drive",
        slug="rj-2026",
        opens_at=now - datetime.timedelta(days=6),
        closes_at=now + datetime.timedelta(days=14),
        rubric=rubric,
        positions=[(position("booth", "representative"), 3), (position("district", "in_charge"), 2)],
        reference_prefix="RJ-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
        by=cast.state_admin,
    )
    rep = campaign.positions.get(position__code="representative")
    people = [
        ("सीमा मीणा", "Seema Meena", tree.booth1, "9829011111", 5),
        ("राहुल सैनी", "Rahul Saini", tree.booth2, "9829022222", 3),
        ("अर्जुन रावत", "Arjun Rawat", tree.ajmer_booth, "9829033333", 1),
    ]
    for i, (name_hi, name_en, home, mobile, days_ago) in enumerate(people):
        services.application_submit(
            campaign=campaign,
            token=f"e2e-{i}",
            at=now - datetime.timedelta(days=days_ago),
            data={
                "applied_for": rep,
                "home_unit": home,
                "mobile": mobile,
                "name_hi": name_hi,
                "name_en": name_en,
                "age": 25 + i,
                "gender": "female" if i == 0 else "male",
                "social_accounts": [{"platform": "x", "handle": f"@user{i}", "followers": 1200 * (i + 1)}],
                "statement": "मैं संगठन के लिए काम करना चाहता/चाहती हूँ।",
                "writing_sample": "हर बूथ हो मजबूत!",
            },
        )
    for name in ("m1", "m2"):  # the state's interviewers: a panel is formed from users with a role in the area
        member = UserFactory(username=name, first_name=name.upper())
        RoleAssignment.objects.create(user=member, unit=campaign.scope_unit, role=Role.INTERVIEWER)
    return campaign


def score_as(browser, live_server, username, width):
    """A panel member scores the next applicant on their own device (a phone, or a laptop at HQ)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1, locale="hi-IN")
    page = context.new_page()
    try:
        log_in_browser(page, live_server, username)
        page.goto(f"{live_server.url}/recruitment/panel/")
        page.wait_for_selector("#next")
        screenshot(page, f"recruitment-panel-{width}-{username}")
        page.click("#next a.btn-primary")
        page.wait_for_selector("form.score-form")
        # Every criterion: tap the chip with the score.
        for fieldset in page.locator("fieldset.criterion").all():
            fieldset.locator(".score-chip", has_text="8").first.click()
        screenshot(page, f"recruitment-score-{width}-{username}")
        page.click("form.score-form button[type=submit]")
        page.wait_for_selector("#today")
        assert page.locator("#next").count() == 0
    finally:
        context.close()


def test_shortlist_schedule_score_select_and_letter(live_server, browser, desktop, tree, cast, drive, settings):
    # Scoring opens at an interview's time; here, two days after it, whatever the hour the test runs at, so the
    # admin opens it from the timetable (the interview "started early").
    settings.RECRUITMENT_SCORING_EARLY_MINUTES = -2 * 24 * 60
    page = desktop
    log_in_browser(page, live_server, "state_admin")

    # The campaign list and its dashboard.
    page.goto(f"{live_server.url}/recruitment/")
    page.click(f"a[href='/recruitment/{drive.slug}/']")
    page.wait_for_selector("#funnel")
    assert page.locator(".daychart .daycol").count() >= 7
    assert page.locator("#by-area tbody tr").count() == 2
    screenshot(page, "recruitment-dashboard-1280")

    # The review queue: shortlist Seema through the bulk form.
    page.click(f".subnav a[href='/recruitment/{drive.slug}/applications/']")
    page.wait_for_selector("table.queue")
    assert page.locator("table.queue tbody tr").count() == 3
    screenshot(page, "recruitment-queue-1280")
    seema = Application.objects.get(name_en="Seema Meena")
    page.check(f"input[name=ids][value='{seema.pk}']")
    page.check("fieldset.bulk input[value=shortlist]")
    page.click("fieldset.bulk button[type=submit]")
    page.wait_for_selector(".messages")
    seema.refresh_from_db()
    assert seema.status == "shortlisted"

    # An interview day today, a panel of two, and automatic scheduling.
    page.click(f".subnav a[href='/recruitment/{drive.slug}/interviews/']")
    page.fill("input[name=date]", timezone.localdate().isoformat())
    page.fill("input[name=venue]", "प्रदेश कार्यालय, जयपुर")
    page.click("main form.form button[type=submit]")
    page.wait_for_selector("form[action$='/schedule/']")
    page.fill("input[name=name]", "A")
    page.fill("input[name=members]", "m1, m2")
    page.click("form[action$='/panels/'] button[type=submit]")
    page.wait_for_selector("section.timetable")
    page.click("form[action$='/schedule/'] button[type=submit]")
    page.wait_for_selector("tr.slot-booked")
    assert seema.name_hi in page.locator("section.timetable").inner_text()
    screenshot(page, "recruitment-day-1280")
    with page.expect_navigation():
        page.click("form[action$='/open-scoring/'] button[type=submit]")
    assert page.locator("form[action$='/open-scoring/']").count() == 0

    # Both members score: one on a phone, one on a laptop.
    score_as(browser, live_server, "m1", 360)
    score_as(browser, live_server, "m2", 1280)
    seema.refresh_from_db()
    assert seema.status == "interviewed" and str(seema.score) == "80.00"

    # The admin selects from the ranking; the appointment is on the booth's page.
    page.goto(f"{live_server.url}/recruitment/{drive.slug}/ranking/")
    page.wait_for_selector(".rank-group")
    screenshot(page, "recruitment-ranking-1280")
    page.click(f"form[action='/recruitment/applications/{seema.pk}/decide/'] button[value=select]")
    page.wait_for_selector(".messages")
    seema.refresh_from_db()
    assert seema.status == "appointed"
    assert Appointment.objects.filter(unit=tree.booth1, person__mobile="+919829011111", status="active").exists()
    page.goto(f"{live_server.url}/units/{tree.booth1.pk}/")
    assert "सीमा मीणा" in page.locator("#committee").inner_text()

    # The letter.
    page.goto(f"{live_server.url}/recruitment/applications/{seema.pk}/")
    href = page.get_attribute("#appointment a.btn-primary", "href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_staff_pages_on_a_phone_and_a_sibling_district(live_server, phone, tree, cast, drive):
    page = phone
    log_in_browser(page, live_server, "state_admin")
    page.goto(f"{live_server.url}/recruitment/{drive.slug}/")
    page.wait_for_selector("#funnel")
    screenshot(page, "recruitment-dashboard-360")
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server.url}/recruitment/{drive.slug}/applications/")
    page.wait_for_selector("table.queue")
    screenshot(page, "recruitment-queue-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The sibling district's admin sees Ajmer's applicant only, and 404 for Jaipur's.
    page.context.clear_cookies()
    log_in_browser(page, live_server, "sibling_admin")
    page.goto(f"{live_server.url}/recruitment/{drive.slug}/applications/")
    text = page.locator("main").inner_text()
    assert "अर्जुन रावत" in text and "सीमा मीणा" not in text and "राहुल सैनी" not in text
    seema = Application.objects.get(name_en="Seema Meena")
    assert page.goto(f"{live_server.url}/recruitment/applications/{seema.pk}/").status == 404
    page.goto(f"{live_server.url}/recruitment/{drive.slug}/")
    assert page.locator("#funnel .bar-num b").first.inner_text() == "1"
    screenshot(page, "recruitment-dashboard-360-sibling")
