"""Trend drives counted by the control room (``controlroom.drives``): every distinct post a unit proved or
reported during the window (share links and daily-report links, one post once however many links name it),
per unit and per level, against a unit-by-unit count; and the wall's drive card shows that count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sangathan.controlroom import drives, services
from sangathan.controlroom.models import PostMention
from sangathan.org.models import Level, Unit
from sangathan.outreach import drives as outreach_drives
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery, TrendDrive, TrendDriveTarget
from sangathan.testing import api_client, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _count_every_time(settings):
    settings.OUTREACH_DRIVE_COUNT_SECONDS = 0


@pytest.fixture
def drive(tree, cast, bearers, django_capture_on_commit_callbacks):
    """A drive from Jaipur down to the booths (2 posts a booth, 1 a block), its message sent; its window is
    around the moment the test runs, and every date below is read from that window, not the clock."""
    now = timezone.now()
    made = outreach_services.trend_drive_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        hashtag="#संगठन_सृजन",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=24),
        targets={"booth": 2, "block": 1},
        title="Trend drive",
        body_hi="आज शाम 7 बजे सब मिलकर पोस्ट करें।",
        by=cast.district_admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        outreach_services.message_send(message=made.message, by=cast.district_admin)
    return TrendDrive.objects.select_related("message", "unit__level").get(pk=made.pk)


def share(drive, unit, url):
    delivery = Delivery.objects.get(message=drive.message, unit=unit)
    outreach_services.delivery_respond(delivery_id=delivery.pk, action=outreach_services.Action.RECEIVED)
    outreach_services.delivery_respond(
        delivery_id=delivery.pk, action=outreach_services.Action.SHARED, share_url=url, note="posted"
    )


def report(bearer, day, *urls):
    services.activity_report_submit(
        appointment_id=bearer.pk, day=day, counts={"posts": len(urls)}, urls=urls, today=day
    )


def naive(drive, unit) -> dict[str, int]:
    """Distinct post keys per level code, unit by unit, in Python: the share link (in the window) and every
    link of the unit's reports of the window's days."""
    first, last = drives.window_days(drive)
    result = {}
    for target in TrendDriveTarget.objects.filter(drive=drive).select_related("level"):
        keys = set()
        for below in Unit.objects.filter(level=target.level, path__startswith=unit.path).exclude(pk=unit.pk):
            delivery = Delivery.objects.filter(message=drive.message, unit=below).first()
            if delivery is None:
                continue
            if delivery.share_url and delivery.shared_at and drive.starts_at <= delivery.shared_at <= drive.ends_at:
                key = drives.post_key(delivery.share_url)
                if key:
                    keys.add(key)
            for key in PostMention.objects.filter(unit=below, day__gte=first, day__lte=last).values_list(
                "post__key", flat=True
            ):
                keys.add(key)
        result[target.level.code] = len(keys)
    return result


def test_every_distinct_post_counts_once_per_level(tree, bearers, drive):
    first, _last = drives.window_days(drive)
    share(drive, tree.booth1, "https://x.com/booth1/status/1")
    share(drive, tree.booth2, "https://example.com/not-a-post")  # not a post link: not a post
    share(drive, tree.amer, "")  # "shared" without a link
    report(bearers.booth1, first, "https://twitter.com/Booth1/status/1?s=20", "https://x.com/booth1/status/2")
    report(bearers.booth2, first, "https://mobile.twitter.com/booth1/status/2", "https://youtu.be/abcdefghijk")
    report(bearers.amer, first, "https://www.instagram.com/p/ABCDE12345/")
    report(bearers.ajmer_booth, first, "https://x.com/ajmer/status/9")  # outside the drive's area
    report(bearers.booth2, first - datetime.timedelta(days=3), "https://x.com/booth2/status/8")  # before it

    progress = drives.drive_progress(drive, tree.jaipur)
    counted = {row.level.code: (row.units, row.posts, row.target) for row in progress.levels}
    # Booths: status 1 (proof and report), status 2 (named by both booths), the video: 3 posts of 2 × 2 asked.
    assert counted == {"block": (1, 1, 1), "booth": (2, 3, 4)}
    assert {code: posts for code, (_u, posts, _t) in counted.items()} == naive(drive, tree.jaipur)
    # The cascade's own count: one proof per unit with any link (the page that is not a post too), no report.
    old = {row.level.code: row.posts for row in outreach_drives.proof_progress(drive, tree.jaipur).levels}
    assert old == {"block": 0, "booth": 2}
    # Per unit, and under Amer (its booths only).
    posts = drives.drive_posts(drive, tree.jaipur)
    booth = Level.objects.get(code="booth").pk
    assert {uid: len(keys) for uid, keys in posts[booth].items()} == {tree.booth1.pk: 2, tree.booth2.pk: 2}
    under_amer = drives.drive_progress(drive, tree.amer)
    assert [(row.level.code, row.posts) for row in under_amer.levels] == [("booth", 3)]


def test_nothing_before_the_message_is_sent_and_nothing_outside_the_window(tree, cast, bearers, drive):
    after = drives.window_days(drive)[1] + datetime.timedelta(days=1)
    report(bearers.booth1, after, "https://x.com/booth1/status/5")
    progress = drives.drive_progress(drive, tree.jaipur)
    assert [row.posts for row in progress.levels] == [0, 0]


def test_the_wall_shows_the_honest_count(client, tree, cast, bearers, drive):
    first, _last = drives.window_days(drive)
    share(drive, tree.booth1, "https://x.com/booth1/status/1")
    report(bearers.booth1, first, "https://x.com/booth1/status/2")
    log_in(client, cast.district_admin)
    page = client.get(reverse("controlroom:panel", args=[tree.jaipur.pk])).content.decode()
    assert f'data-drive="{drive.pk}"' in page
    assert 'data-level="booth" data-posts="2"' in page
    assert "post links of their daily reports" in page


# ---------------------------------------------------------------- one count everywhere (issue 13)


def _posts(page: str, marker: str) -> dict[str, int]:
    """level code -> data-posts of the rows marked ``marker`` (the wall's ``cr-row-head``, the page's ``od-level``)."""
    import re

    pattern = rf'class="{marker}[^"]*" data-level="(\w+)" data-posts="(\d+)"'
    return {code: int(posts) for code, posts in re.findall(pattern, page)}


def test_the_wall_the_drive_page_and_the_api_show_the_same_count(client, tree, cast, bearers, drive):
    first, _last = drives.window_days(drive)
    share(drive, tree.booth1, "https://x.com/booth1/status/1")
    share(drive, tree.booth2, "https://example.com/not-a-post")  # one proof per unit would count it
    report(bearers.booth1, first, "https://x.com/booth1/status/2")
    report(bearers.booth2, first, "https://mobile.twitter.com/booth1/status/2", "https://youtu.be/abcdefghijk")
    report(bearers.amer, first, "https://www.instagram.com/p/ABCDE12345/")
    expected = {"block": 1, "booth": 3}
    assert expected == naive(drive, tree.jaipur)
    assert outreach_drives.counter().key == drives.COUNT  # registered by ControlRoomConfig.ready

    log_in(client, cast.district_admin)
    wall = client.get(reverse("controlroom:panel", args=[tree.jaipur.pk])).content.decode()
    assert _posts(wall, "cr-row-head small") == expected
    url = reverse("outreach:drive", args=[drive.pk])
    page = client.get(url, {"unit": tree.jaipur.pk}).content.decode()
    assert _posts(page, "bar-row wide-label od-level") == expected
    assert 'data-posts="4"' in page  # the total
    assert 'data-counted-by="distinct_posts"' in page and "post links of their daily reports" in page
    panel = client.get(reverse("outreach:drive_panel", args=[drive.pk]), {"unit": tree.jaipur.pk})
    assert _posts(panel.content.decode(), "bar-row wide-label od-level") == expected

    detail = api_client(cast.district_admin).get(f"/api/v1/outreach/drives/{drive.pk}/", {"unit": tree.jaipur.pk})
    assert detail.status_code == 200, detail.data
    progress = detail.data["progress"]
    assert {row["level"]["code"]: row["posts"] for row in progress["levels"]} == expected
    assert (progress["posts"], progress["counted_by"]) == (4, "distinct_posts")
    assert "daily reports" in progress["definition"]
    # The cascade's own count (one proof per unit, the page that is not a post too) differs: that is the point.
    assert {r.level.code: r.posts for r in outreach_drives.proof_progress(drive, tree.jaipur).levels} == {
        "block": 0,
        "booth": 2,
    }


# The panel: 3 for the signed-in request, the drive, then the count (targets, units reached, share links, report
# links). The API: the drive, the count (4), the targets shown. Counted with OUTREACH_DRIVE_COUNT_SECONDS = 0.
PANEL_QUERIES = 8
API_QUERIES = 6


def test_the_drive_page_and_api_queries_are_pinned(client, tree, cast, bearers, drive, django_assert_num_queries):
    first, _last = drives.window_days(drive)
    share(drive, tree.booth1, "https://x.com/booth1/status/1")
    report(bearers.booth1, first, "https://x.com/booth1/status/2")
    log_in(client, cast.district_admin)
    url = reverse("outreach:drive_panel", args=[drive.pk])
    client.get(url)  # warm the session and the caches of the request
    with django_assert_num_queries(PANEL_QUERIES):
        assert client.get(url).status_code == 200
    caller = api_client(cast.district_admin)
    api_url = f"/api/v1/outreach/drives/{drive.pk}/"
    caller.get(api_url)
    with django_assert_num_queries(API_QUERIES):
        assert caller.get(api_url).status_code == 200
    with django_assert_num_queries(4):  # targets, units reached, share links, report links
        drives.drive_progress(drive, tree.jaipur)
