"""The counting pages of the membership drive in a browser: a district's page with the target, youth and
women bars and the growth chart, the leaderboards, and the likely-duplicates queue where a merge takes a
member off the count. Fits a 360-px phone; screenshots at 360 and 1280 px."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sangathan.membership.models import DuplicateCase, MemberDay
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@override_settings(MEMBERSHIP_TARGET_PER_BOOTH=4)
def test_counting_pages_on_a_phone_and_a_desktop(live_server, phone, desktop, tree, cast):
    people = (("Seema", 22, "female"), ("Ravi", 30, "male"), ("Geeta", 41, "female"), ("Aman", 19, "male"))
    for name, age, gender in (*people, ("Mohan", 60, "")):
        join(tree.booth1, name=name, age=age, gender=gender, verify=True)
    join(tree.booth2, age=25, gender="female", verify=True, name="Kamla Devi")
    join(tree.booth2, age=25, gender="female", verify=True, name="kamla devi")
    today = timezone.localdate()
    for n, (gained, lost) in enumerate([(3, 0), (5, 1), (0, 0), (8, 2), (4, 0), (6, 1)]):
        MemberDay.objects.create(unit=tree.jaipur, day=today - datetime.timedelta(days=8 - n), gained=gained, lost=lost)

    for page, width in ((phone, 360), (desktop, 1280)):
        log_in_browser(page, live_server, cast.district_admin.username)
        page.goto(live_server.url + reverse("membership:unit", args=[tree.jaipur.pk]))
        assert page.locator("#target-bar .fill").count() == 1
        assert page.locator("svg.growth rect").count() >= 6
        assert "महिलाएँ" in page.inner_text("#women-bar")
        assert fits_the_screen(page)
        screenshot(page, f"membership-counting-{width}-hi")
        page.goto(live_server.url + reverse("membership:leaders", args=[tree.jaipur.pk]) + "?level=booth")
        assert page.locator("#unit-leaders li").count() == 2
        assert fits_the_screen(page)
        screenshot(page, f"membership-leaders-{width}-hi")

    page = phone
    assert counts_for_unit(tree.jaipur).verified == 7
    page.goto(live_server.url + reverse("membership:duplicates", args=[tree.jaipur.pk]))
    assert page.locator("article.review-item").count() == 1
    assert fits_the_screen(page)
    screenshot(page, "membership-duplicates-360-hi")
    page.click("button[value=keep_other]")
    page.wait_for_selector(".messages")
    assert DuplicateCase.objects.get().status == "merged"
    assert counts_for_unit(tree.jaipur).verified == 6
