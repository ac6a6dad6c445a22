"""The daily report's rules and writes: one report per appointment and day (a second one updates it), counts
and days checked, post links de-duplicated across the state, nothing saved when a rule refuses."""

import datetime

import pytest
from django.utils import translation

from sangathan.audit.models import AuditEntry
from sangathan.controlroom import services
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import ActivityReport, PostMention, ReportedPost
from sangathan.org import services as org_services

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
COUNTS = {"posts": 3, "shares": 5, "groups_messaged": 2, "people_added": 4, "events": 1}
POST = "https://twitter.com/BJP4Rajasthan/status/1866000000000000001?s=20"


def submit(appointment, day=TODAY, counts=COUNTS, urls=(), note=""):
    return services.activity_report_submit(
        appointment_id=appointment.pk, day=day, counts=counts, note=note, urls=urls, today=TODAY
    )


def test_a_report_is_saved_and_audited(bearers):
    report = submit(bearers.booth1, urls=[POST], note="बूथ बैठक हुई")
    assert (report.unit_id, report.person_id, report.day) == (
        bearers.booth1.unit_id,
        bearers.booth1.person_id,
        TODAY,
    )
    assert (report.posts, report.shares, report.groups_messaged, report.people_added, report.events) == (3, 5, 2, 4, 1)
    entry, posts_entry = AuditEntry.objects.filter(
        content_type__model="activityreport", object_pk=str(report.pk)
    ).order_by("pk")
    assert entry.unit_path == bearers.booth1.unit.path
    post = ReportedPost.objects.get()
    # The post links' upsert bypasses the save hook: one entry on the report names the posts.
    assert posts_entry.additional_data["ids"] == [post.pk]
    assert posts_entry.additional_data["model"] == "controlroom.reportedpost"
    assert (post.url, post.platform, post.mentions) == (
        "https://x.com/bjp4rajasthan/status/1866000000000000001",
        "x",
        1,
    )
    assert post.state == bearers.rajasthan.unit and post.unit == bearers.booth1.unit
    assert post.first_person_id == bearers.booth1.person_id


def test_reporting_twice_for_a_day_updates_and_never_duplicates(bearers):
    first = submit(bearers.booth1, urls=[POST])
    second = submit(
        bearers.booth1,
        counts={**COUNTS, "posts": 7},
        urls=[POST.replace("twitter.com", "x.com"), "https://youtu.be/dQw4w9WgXcQ?si=x"],
    )
    assert second.pk == first.pk and second.revisions == 1
    assert ActivityReport.objects.count() == 1
    assert ActivityReport.objects.get().posts == 7
    assert ReportedPost.objects.count() == 2
    assert PostMention.objects.count() == 2
    assert ReportedPost.objects.get(platform="x").mentions == 1  # the same post again: not a second mention
    # A third report without the X link takes its mention back.
    submit(bearers.booth1, urls=["https://youtu.be/dQw4w9WgXcQ"])
    assert ReportedPost.objects.get(platform="x").mentions == 0
    assert PostMention.objects.count() == 1


def test_the_same_post_from_two_districts_is_one_post_of_the_state(bearers):
    submit(bearers.booth1, urls=[POST])
    submit(bearers.ajmer_booth, urls=["https://mobile.twitter.com/bjp4rajasthan/status/1866000000000000001/photo/1"])
    post = ReportedPost.objects.get()
    assert post.mentions == 2 and post.unit == bearers.booth1.unit  # the first reporter stays
    assert set(PostMention.objects.values_list("unit_id", flat=True)) == {
        bearers.booth1.unit_id,
        bearers.ajmer_booth.unit_id,
    }


def test_one_report_names_a_post_once(bearers):
    submit(bearers.booth1, urls=[POST, POST.replace("twitter", "x"), "https://x.com/i/web/status/1866000000000000001"])
    assert PostMention.objects.count() == 1 and ReportedPost.objects.get().mentions == 1


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ({**COUNTS, "posts": -1}, "negative"),
        ({**COUNTS, "shares": 100000}, "too_many"),
        ({**COUNTS, "events": "three"}, "not_a_number"),
        ({**COUNTS, "people_added": "1e9"}, "not_a_number"),
    ],
)
def test_negative_absurd_or_non_numbers_are_refused(bearers, counts, code):
    with pytest.raises(ControlRoomError) as caught:
        submit(bearers.booth1, counts=counts, urls=[POST])
    assert caught.value.code == code
    assert not ActivityReport.objects.exists() and not ReportedPost.objects.exists()


def test_caps_are_settings(bearers, settings):
    settings.CONTROLROOM_COUNT_CAPS = {"posts": 2}
    with pytest.raises(ControlRoomError):
        submit(bearers.booth1)
    settings.CONTROLROOM_COUNT_CAPS = {"posts": 3}
    assert submit(bearers.booth1).posts == 3


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (TODAY + datetime.timedelta(days=1), "future_day"),
        (TODAY - datetime.timedelta(days=4), "old_day"),
        (datetime.date(2025, 12, 31), "old_day"),
    ],
)
def test_future_and_old_days_are_refused(bearers, day, code):
    with pytest.raises(ControlRoomError) as caught:
        submit(bearers.booth1, day=day)
    assert caught.value.code == code
    assert not ActivityReport.objects.exists()


def test_a_day_before_the_appointment_is_refused(bearers, tree):
    appointment = bearers.booth2
    appointment.start_date = TODAY - datetime.timedelta(days=1)
    appointment.save()
    with pytest.raises(ControlRoomError) as caught:
        submit(appointment, day=TODAY - datetime.timedelta(days=2))
    assert caught.value.code == "before_appointment"
    assert submit(appointment, day=TODAY - datetime.timedelta(days=1)).day == TODAY - datetime.timedelta(days=1)


def test_a_relieved_office_bearer_can_no_longer_report(bearers):
    org_services.appointment_relieve(appointment=bearers.booth1, reason="term over")
    with pytest.raises(ControlRoomError) as caught:
        submit(bearers.booth1)
    assert caught.value.code == "not_active"
    assert not ActivityReport.objects.exists()


def test_a_bad_link_saves_nothing_and_names_every_bad_link(bearers):
    with pytest.raises(ControlRoomError) as caught:
        submit(bearers.booth1, urls=[POST, "https://example.com/x", "https://www.facebook.com/BJP4Jaipur"])
    assert caught.value.code == "bad_link" and len(caught.value.messages) == 2
    assert not ActivityReport.objects.exists() and not ReportedPost.objects.exists()


def test_too_many_links_and_a_long_or_marked_up_note(bearers, settings):
    settings.CONTROLROOM_REPORT_URLS_MAX = 1
    with pytest.raises(ControlRoomError):
        submit(bearers.booth1, urls=[POST, "https://youtu.be/dQw4w9WgXcQ"])
    with pytest.raises(ControlRoomError):
        submit(bearers.booth1, note="x" * 501)
    with pytest.raises(ControlRoomError):
        submit(bearers.booth1, note="<script>alert(1)</script>")
    assert not ActivityReport.objects.exists()


def test_messages_are_in_hindi(bearers):
    with translation.override("hi"), pytest.raises(ControlRoomError) as caught:
        submit(bearers.booth1, day=TODAY + datetime.timedelta(days=1))
    assert "दिन" in caught.value.messages[0]
