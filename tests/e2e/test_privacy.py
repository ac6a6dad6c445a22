"""Personal data in Chromium: an applicant checks their status on a phone, downloads their data, asks
for a correction and withdraws consent; a district admin handles the correction at /privacy/.
Screenshots: the status page at 360 px, the admin's request pages at 1280 px."""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone

from sangathan.org.phones import normalise_mobile
from sangathan.org.tests.factories import position
from sangathan.privacy.models import ConsentRecord, DataRequest
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, Criterion, Rubric
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric
from sangathan.testing import log_in_browser
from tests.e2e.conftest import ARTIFACTS, enter_sent_code, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def applicants(tree, cast):
    rubric = load_default_rubric(Rubric, Criterion)
    now = timezone.now()
    campaign = services.campaign_create(
        scope_unit=tree.rajasthan,
        title_hi="संगठन सृजन अभियान",
        title_en="Organisation-building drive",
        slug="rj-2026",
        opens_at=now - datetime.timedelta(days=6),
        closes_at=now + datetime.timedelta(days=14),
        rubric=rubric,
        positions=[(position("booth", "representative"), 3)],
        reference_prefix="RJ-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
        by=cast.state_admin,
    )
    rep = campaign.positions.get()
    made = []
    for i, (name_hi, name_en, home, mobile) in enumerate(
        [
            ("सीमा मीणा", "Seema Meena", tree.booth1, "9829011111"),
            ("राहुल सैनी", "Rahul Saini", tree.booth2, "9829022222"),
        ]
    ):
        application, _ = services.application_submit(
            campaign=campaign,
            token=f"e2e-{i}",
            data={
                "applied_for": rep,
                "home_unit": home,
                "mobile": mobile,
                "name_hi": name_hi,
                "name_en": name_en,
                "age": 27,
                "gender": "female",
                "social_accounts": [{"platform": "x", "handle": f"@user{i}", "followers": 1200}],
                "statement": "मैं संगठन के लिए काम करना चाहती हूँ।",
                "writing_sample": "हर बूथ हो मजबूत!",
            },
        )
        made.append(application)
    return made


def look_up(page, live_server, application, mobile):
    page.goto(f"{live_server.url}/a/status/")
    page.fill("input[name=reference]", application.reference)
    page.fill("input[name=mobile]", mobile)
    page.click("main button[type=submit]")
    enter_sent_code(page, normalise_mobile(mobile))
    page.wait_for_selector("#my-data")


def test_applicant_downloads_corrects_and_withdraws(live_server, phone, desktop, applicants, cast):
    seema, rahul = applicants
    look_up(phone, live_server, seema, "98290 11111")
    assert "आपका डेटा" in phone.inner_text("#my-data")
    phone.click("#my-data details.pv-section summary")  # open the correction form for the picture
    screenshot(phone, "privacy-status-360")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width

    with phone.expect_download() as download_info:
        phone.click("text=डाउनलोड (JSON)")
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["applications"][0]["name_en"] == "Seema Meena" and "Rahul" not in json.dumps(data)

    with phone.expect_download() as download_info:
        phone.click("text=डाउनलोड (PDF)")
    download_info.value.save_as(str(ARTIFACTS / "privacy-my-data.pdf"))
    assert (ARTIFACTS / "privacy-my-data.pdf").read_bytes().startswith(b"%PDF")

    phone.fill("textarea[name=details]", "मेरा उपनाम 'मीना' लिखें, 'मीणा' नहीं।")
    phone.click("text=सुधार का अनुरोध भेजें")
    phone.wait_for_selector(".pv-done")
    assert DataRequest.objects.get(kind="correction").status == "open"

    # The district admin sees it, opens it and marks it done.
    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/privacy/")
    assert "सीमा मीणा" in desktop.inner_text("main")
    screenshot(desktop, "privacy-requests-1280")
    desktop.set_viewport_size({"width": 360, "height": 780})  # the same list on an in-charge's phone
    screenshot(desktop, "privacy-requests-360")
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 360
    desktop.set_viewport_size({"width": 1280, "height": 900})
    desktop.click("a.pv-kind-correction")
    desktop.wait_for_selector("text=अनुरोध बंद करें")
    screenshot(desktop, "privacy-request-1280")
    desktop.fill("input[name=note]", "उपनाम ठीक कर दिया")
    desktop.click("button[value=done]")
    desktop.wait_for_selector(".messages")
    assert DataRequest.objects.get(kind="correction").status == "done"
    desktop.goto(f"{live_server.url}/privacy/new/")
    desktop.fill("input[name=subject]", "RJ-2026-ZZZZ")
    desktop.check("input[name=kind][value=access]")
    desktop.click("main button[type=submit]")
    desktop.wait_for_selector(".error")
    screenshot(desktop, "privacy-new-1280")

    # The applicant withdraws consent and erases their data.
    look_up(phone, live_server, seema, "98290 11111")
    phone.click("text=सहमति वापस लें और मेरा डेटा मिटाएँ")  # the <summary>
    phone.click("button.btn-danger")
    phone.wait_for_selector("input[name=confirm]")
    phone.click("button.btn-danger")  # not ticked: told to tick
    phone.wait_for_selector(".error")
    screenshot(phone, "privacy-erase-360")
    phone.check("input[name=confirm]")
    phone.click("button.btn-danger")
    phone.wait_for_selector(".pv-done")
    screenshot(phone, "privacy-erased-360")
    assert Application.objects.get(pk=seema.pk).name_en == "Erased"
    assert ConsentRecord.objects.get(application=seema).withdrawn_at is not None
    assert Application.objects.get(pk=rahul.pk).name_en == "Rahul Saini"
