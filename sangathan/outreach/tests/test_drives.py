"""Trend drives (issue 13): the service's rules (hashtag, window, targets, scope), the count per level against
a naive unit-by-unit count, scope (a sibling district neither sees nor creates), the pages, the wall's block
and the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.audit.models import AuditEntry
from sangathan.org.models import Level, Unit
from sangathan.outreach import drive_counts, drives, services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Delivery, Message, TrendDrive, TrendDriveTarget
from sangathan.testing import api_client as api

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach"


@pytest.fixture(autouse=True)
def _count_every_time(settings):
    settings.OUTREACH_DRIVE_COUNT_SECONDS = 0


def window(hours_before=1, hours_after=24):
    now = timezone.now()
    return now - datetime.timedelta(hours=hours_before), now + datetime.timedelta(hours=hours_after)


def create(tree, by, *, unit=None, hashtag="#संगठन_सृजन", targets=None, **more):
    starts_at, ends_at = window()
    values = {
        "unit": unit or tree.jaipur,
        "target_level": Level.objects.get(code="booth"),
        "hashtag": hashtag,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "targets": targets if targets is not None else {"booth": 2, "block": 1},
        "title": "Trend drive",
        "body_hi": "आज शाम 7 बजे सब मिलकर पोस्ट करें।",
        "by": by,
    }
    values.update(more)
    return services.trend_drive_create(**values)


@pytest.fixture
def live(tree, cast, in_charges, send):
    """A drive from Jaipur, its message sent; booth1 shared with a link, amer shared without one."""
    drive = create(tree, cast.district_admin)
    send(drive.message, cast.district_admin)
    drive = TrendDrive.objects.select_related("message", "unit__level").get(pk=drive.pk)
    share(drive, tree.booth1, "https://x.com/booth1/status/1")
    share(drive, tree.amer, "")
    return drive


def share(drive, unit, url, note="posted"):
    delivery = Delivery.objects.get(message=drive.message, unit=unit)
    services.delivery_respond(delivery_id=delivery.pk, action=services.Action.RECEIVED)
    services.delivery_respond(delivery_id=delivery.pk, action=services.Action.SHARED, share_url=url, note=note)


def naive(drive, unit) -> dict[str, tuple[int, int]]:
    """(units, posts) per level code, unit by unit, in Python."""
    result = {}
    for target in TrendDriveTarget.objects.filter(drive=drive).select_related("level"):
        units = posts = 0
        for below in Unit.objects.filter(level=target.level):
            if not below.path.startswith(unit.path):
                continue
            delivery = Delivery.objects.filter(message=drive.message, unit=below).first()
            if delivery is None:
                continue
            units += 1
            shared = delivery.shared_at
            if delivery.share_url and shared and drive.starts_at <= shared <= drive.ends_at:
                posts += 1
        result[target.level.code] = (units, posts)
    return result


def counted(progress) -> dict[str, tuple[int, int]]:
    return {row.level.code: (row.units, row.posts) for row in progress.levels}


# ---------------------------------------------------------------- services


def test_a_drive_is_a_draft_message_with_the_hashtag_and_its_targets(tree, cast):
    drive = create(tree, cast.district_admin)
    assert drive.hashtag == "#संगठन_सृजन" and drive.unit == tree.jaipur
    assert drive.message.status == Message.Status.DRAFT and drive.message.hashtags == "#संगठन_सृजन"
    assert drive.message.expires_at == drive.ends_at
    assert {(t.level.code, t.posts_per_unit) for t in drive.targets.all()} == {("booth", 2), ("block", 1)}
    assert AuditEntry.objects.get_for_object(drive).count() == 1  # the actor is set per request (see the API test)


@pytest.mark.parametrize(
    "tag",
    ["#BoothMajboot", "संगठन_सृजन", "#भारत2026", "#ਪੰਜਾਬ", "#a_b"],
    ids=["latin", "no-hash", "digits", "gurmukhi", "underscore"],
)
def test_hashtags_with_letters_of_any_script_are_taken(tag):
    assert services.hashtag_clean(tag).lstrip("#") == tag.lstrip("#")


@pytest.mark.parametrize(
    "tag",
    ["", "#", "# space", "#two words", "#dash-ed", "#2026", "##double", "#तुम।", "#" + "क" * 61, "#<b>"],
    ids=["empty", "hash-only", "space", "two-words", "dash", "digits-only", "double", "danda", "too-long", "html"],
)
def test_bad_hashtags_are_refused_in_hindi(tag):
    with translation.override("hi"), pytest.raises(OutreachError) as refused:
        services.hashtag_clean(tag)
    assert any("#" in text or "हैशटैग" in text for text in refused.value.messages)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"targets": {}}, "target"),
        ({"targets": {"booth": 0}}, "target"),
        ({"targets": {"booth": 101}}, "target"),
        ({"targets": {"district": 1}}, "target_level"),
        ({"targets": {"nope": 1}}, "target_level"),
        ({"hashtag": "#no way"}, "hashtag"),
        ({"title": ""}, "title"),
        ({"body_hi": ""}, "body"),
    ],
    ids=["no-target", "zero-only", "too-many", "own-level", "unknown-level", "hashtag", "title", "body"],
)
def test_bad_drives_are_refused_and_nothing_is_written(tree, cast, change, code):
    with pytest.raises(OutreachError) as refused:
        create(tree, cast.district_admin, **change)
    assert refused.value.code == code
    assert not TrendDrive.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("hours", [(-2, -1), (1, -1), (1, 24 * 40)], ids=["ended", "end-before-start", "too-long"])
def test_bad_windows_are_refused(tree, cast, hours):
    now = timezone.now()
    starts_at, ends_at = now - datetime.timedelta(hours=hours[0]), now + datetime.timedelta(hours=hours[1])
    if hours == (-2, -1):
        starts_at, ends_at = now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=1)
    with translation.override("hi"), pytest.raises(OutreachError) as refused:
        create(tree, cast.district_admin, starts_at=starts_at, ends_at=ends_at)
    assert refused.value.code == "window"
    assert not TrendDrive.objects.exists()


def test_a_sibling_district_cannot_create_a_drive_in_jaipur(tree, cast):
    with pytest.raises(OutreachError):
        create(tree, cast.sibling_admin)
    with pytest.raises(OutreachError):
        create(tree, cast.viewer)
    assert not TrendDrive.objects.exists()


# ---------------------------------------------------------------- counts


def test_counts_per_level_match_a_naive_count(tree, cast, live):
    for unit in (tree.jaipur, tree.jaipur_ac, tree.amer):
        assert counted(drives.drive_progress(live, unit)) == {
            code: value
            for code, value in naive(live, unit).items()
            if Level.objects.get(code=code).order > unit.level.order
        }
    progress = drives.drive_progress(live, tree.jaipur)
    booth = next(row for row in progress.levels if row.level.code == "booth")
    assert (booth.units, booth.posts, booth.target, booth.percent) == (2, 1, 4, 25)
    block = next(row for row in progress.levels if row.level.code == "block")
    assert (block.units, block.posts) == (1, 0)  # shared, but without a link: no proof


def test_a_share_outside_the_window_does_not_count(tree, cast, live):
    Delivery.objects.filter(message=live.message, unit=tree.booth1).update(
        shared_at=live.starts_at - datetime.timedelta(minutes=1)
    )
    booth = next(row for row in drives.drive_progress(live, tree.jaipur).levels if row.level.code == "booth")
    assert booth.posts == 0
    assert naive(live, tree.jaipur)["booth"] == (2, 0)


def test_the_count_is_one_query_whatever_the_levels(tree, cast, live, django_assert_num_queries):
    drive = TrendDrive.objects.select_related("message", "unit__level").get(pk=live.pk)
    with django_assert_num_queries(2):  # the targets, one grouped count
        drives.proof_progress(drive, tree.jaipur)


def test_without_a_registered_counter_the_pages_count_share_proofs(tree, cast, live):
    """outreach alone (no control room registered) counts share proofs and says so."""
    registered = drive_counts.registered()
    if registered is not None:
        drive_counts.unregister(registered.key)
    try:
        progress = drives.drive_progress(live, tree.jaipur)
    finally:
        if registered is not None:
            drive_counts.register(registered)
    assert progress.counted_by == drives.OWN_COUNT
    assert progress.definition == drives.OWN_DEFINITION
    assert [row.posts for row in progress.levels] == [
        row.posts for row in drives.proof_progress(live, tree.jaipur).levels
    ]


def test_an_unsent_drive_counts_nothing(tree, cast, in_charges):
    drive = create(tree, cast.district_admin)
    assert all(row.units == 0 and row.posts == 0 for row in drives.drive_progress(drive, tree.jaipur).levels)


# ---------------------------------------------------------------- scope and pages


def test_a_sibling_district_cannot_see_the_drive(client, tree, cast, live):
    client.force_login(cast.sibling_admin)
    assert client.get(reverse("outreach:drive", args=[live.pk])).status_code == 404
    assert client.get(reverse("outreach:drive_panel", args=[live.pk])).status_code == 404
    assert live.hashtag not in client.get(reverse("outreach:drives")).content.decode()
    assert not drives.drives_for_user(cast.sibling_admin).exists()
    assert not drives.live_drives(cast.sibling_admin, tree.ajmer)


def test_a_unit_below_sees_the_sent_drive_counted_in_its_own_area(client, tree, cast, live):
    from sangathan.access.models import Role, RoleAssignment

    block_user = cast.outsider
    RoleAssignment.objects.create(user=block_user, unit=tree.amer, role=Role.VIEWER)
    client.force_login(block_user)
    response = client.get(reverse("outreach:drive", args=[live.pk]))
    assert response.status_code == 200
    assert response.context["unit"] == tree.amer
    assert client.get(reverse("outreach:drive", args=[live.pk]), {"unit": tree.jaipur.pk}).status_code == 404


def test_the_drive_page_shows_a_bar_per_level_in_hindi(client, tree, cast, live):
    client.force_login(cast.district_admin)
    with translation.override("hi"):
        response = client.get(reverse("outreach:drive", args=[live.pk]), HTTP_ACCEPT_LANGUAGE="hi")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-level="booth" data-posts="1" data-target="4"' in html
    assert "गिना गया" in html  # when it was counted


def test_the_wall_lists_the_live_drive(client, tree, cast, live):
    client.force_login(cast.district_admin)
    response = client.get(reverse("controlroom:panel", args=[tree.jaipur.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-drive="{live.pk}"' in html and live.hashtag in html
    assert 'data-level="booth" data-posts="1"' in html


def test_the_new_drive_form_creates_a_drive(client, tree, cast):
    client.force_login(cast.district_admin)
    starts_at, ends_at = window()
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "hashtag": "संगठन_सृजन",
        "unit": tree.jaipur.pk,
        "target_level": Level.objects.get(code="booth").pk,
        "starts_at": timezone.localtime(starts_at).strftime(fmt),
        "ends_at": timezone.localtime(ends_at).strftime(fmt),
        "title": "Drive",
        "body_hi": "पोस्ट करें",
        "target_booth": "3",
    }
    response = client.post(reverse("outreach:drive_new"), data)
    drive = TrendDrive.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outreach:drive", args=[drive.pk])
    assert drive.hashtag == "#संगठन_सृजन"


def test_a_bad_form_answers_400_in_hindi_and_writes_nothing(client, tree, cast):
    client.force_login(cast.district_admin)
    starts_at, ends_at = window()
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "hashtag": "#two words",
        "unit": tree.jaipur.pk,
        "target_level": Level.objects.get(code="booth").pk,
        "starts_at": timezone.localtime(starts_at).strftime(fmt),
        "ends_at": timezone.localtime(ends_at).strftime(fmt),
        "title": "Drive",
        "body_hi": "पोस्ट करें",
        "target_booth": "3",
    }
    with translation.override("hi"):
        response = client.post(reverse("outreach:drive_new"), data, HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 400
    assert "हैशटैग नहीं" in response.content.decode()
    assert not TrendDrive.objects.exists()
    client.force_login(cast.sibling_admin)
    assert client.post(reverse("outreach:drive_new"), {**data, "hashtag": "#ok"}).status_code == 400
    assert not TrendDrive.objects.exists()


# ---------------------------------------------------------------- API


def test_api_creates_lists_and_counts(tree, cast, live):
    starts_at, ends_at = window()
    body = {
        "unit": tree.jaipur.pk,
        "target_level": "booth",
        "hashtag": "#BoothMajboot",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "targets": {"booth": 1},
        "title": "API drive",
        "body_hi": "पोस्ट करें",
    }
    response = api(cast.district_admin).post(f"{API}/drives/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["targets"] == [{"level": "booth", "posts_per_unit": 1}]
    listed = api(cast.district_admin).get(f"{API}/drives/")
    assert {row["hashtag"] for row in listed.data["results"]} == {"#BoothMajboot", live.hashtag}
    detail = api(cast.district_admin).get(f"{API}/drives/{live.pk}/")
    levels = {row["level"]["code"]: row for row in detail.data["progress"]["levels"]}
    assert (levels["booth"]["units"], levels["booth"]["posts"], levels["booth"]["target"]) == (2, 1, 4)


def test_api_scope_and_bad_input(tree, cast, live):
    assert api(cast.sibling_admin).get(f"{API}/drives/{live.pk}/").status_code == 404
    assert api(cast.sibling_admin).get(f"{API}/drives/").data["results"] == []
    assert api(cast.district_admin).get(f"{API}/drives/{live.pk}/", {"unit": tree.ajmer.pk}).status_code == 404
    assert api(cast.district_admin).get(f"{API}/drives/{live.pk}/", {"unit": "²"}).status_code == 404
    starts_at, ends_at = window()
    body = {
        "unit": tree.jaipur.pk,
        "target_level": "booth",
        "hashtag": "#two words",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "targets": {"booth": 1},
        "title": "API drive",
        "body_hi": "पोस्ट करें",
    }
    before = TrendDrive.objects.count()
    with translation.override("hi"):
        refused = api(cast.district_admin, "hi").post(f"{API}/drives/", body, format="json")
    assert refused.status_code == 400 and "हैशटैग" in str(refused.data)
    assert api(cast.sibling_admin).post(f"{API}/drives/", {**body, "hashtag": "#ok"}, format="json").status_code in (
        400,
        403,
    )
    assert TrendDrive.objects.count() == before
