"""The roll-ups kept by each report (``rollups``): after any sequence of reports, same-day edits, reports for
earlier days and unit moves, the rows equal a full set-based rebuild of every built day; the report POST's
queries are pinned."""

import datetime
import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.controlroom import intake, selectors, services, tokens
from sangathan.controlroom.models import ActivityReport, ActivityRollup, ReportedPost, RollupRun
from sangathan.controlroom.tests.conftest import UNITS
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Position, Unit
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
BUILT = [TODAY - datetime.timedelta(days=n) for n in (3, 2, 1, 0)]
FIELDS = ("bearers", "reported", "units_reported", "recent", "posts", "shares", "groups_messaged", "people_added")


def rows(day: datetime.date) -> dict[tuple[str, int], tuple]:
    return {
        (r.path, r.level_id): tuple(getattr(r, name) for name in FIELDS) for r in ActivityRollup.objects.filter(day=day)
    }


def report(appointment, day, rng: random.Random):
    counts = {name: rng.randint(0, 9) for name in ("posts", "shares", "groups_messaged", "people_added", "events")}
    return services.activity_report_submit(appointment_id=appointment.pk, day=day, counts=counts, today=TODAY)


def assert_equal_to_a_rebuild() -> None:
    kept = {day: rows(day) for day in BUILT}
    for day in BUILT:
        services.rollup_refresh(day=day)
        assert kept[day] == rows(day), day


def moves(tree):
    """Moves the fixed tree allows, back and forth: a block to the other district's assembly, a booth to the
    other block."""
    return [
        (tree.amer, tree.ajmer_ac),
        (tree.amer, tree.jaipur_ac),
        (tree.booth2, tree.kishangarh),
        (tree.booth2, tree.amer),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_roll_ups_equal_a_rebuild_after_reports_edits_and_moves(tree, bearers, seed):
    for day in BUILT:
        services.rollup_refresh(day=day)
    rng = random.Random(seed)
    people = [getattr(bearers, name) for name in UNITS]
    for _ in range(40):
        action = rng.random()
        if action < 0.15:
            unit, parent = rng.choice(moves(tree))
            org_services.unit_move(unit=Unit.objects.get(pk=unit.pk), new_parent=Unit.objects.get(pk=parent.pk))
        else:
            # New reports and same-day edits, for today and the days before (a day back can be unbuilt).
            report(rng.choice(people), TODAY - datetime.timedelta(days=rng.choice([0, 0, 0, 1, 2, 3])), rng)
    assert ActivityReport.objects.exists()
    assert_equal_to_a_rebuild()


def test_a_report_changes_only_its_difference(tree, bearers):
    for day in BUILT:
        services.rollup_refresh(day=day)
    counts = {"posts": 3, "shares": 1}
    services.activity_report_submit(appointment_id=bearers.booth1.pk, day=TODAY, counts=counts, today=TODAY)
    state = ActivityRollup.objects.get(day=TODAY, path=tree.rajasthan.path, level=tree.booth1.level)
    assert (state.reported, state.units_reported, state.recent, state.posts, state.shares) == (1, 1, 1, 3, 1)
    services.activity_report_submit(appointment_id=bearers.booth1.pk, day=TODAY, counts={"posts": 5}, today=TODAY)
    state.refresh_from_db()
    assert (state.reported, state.units_reported, state.recent, state.posts, state.shares) == (1, 1, 1, 5, 0)
    # A report does not write the day's run row (the wall's "updated at" is the newest report's time).
    assert RollupRun.objects.get(day=TODAY).reports == 0
    # A report two days back makes the office-bearer of booth 2 recent on the built days after it too.
    services.activity_report_submit(
        appointment_id=bearers.booth2.pk, day=TODAY - datetime.timedelta(days=2), counts={"posts": 1}, today=TODAY
    )
    state.refresh_from_db()
    assert (state.reported, state.recent, state.posts) == (1, 2, 5)
    assert_equal_to_a_rebuild()


def test_an_office_bearer_appointed_after_the_rebuild_gets_a_rebuild(tree, bearers, django_capture_on_commit_callbacks):
    services.rollup_refresh(day=TODAY)
    org_services.appointment_relieve(appointment=bearers.booth2, reason="moved", end_date=TODAY)
    newcomer = org_services.appointment_create(
        unit=tree.booth2,
        position=Position.objects.get(level=tree.booth2.level, is_key=True),
        person=PersonFactory(),
        start_date=TODAY,
    )
    RollupRun.objects.filter(day=TODAY).update(rebuilt_at=timezone.now() - datetime.timedelta(minutes=5))
    Appointment.objects.filter(pk=newcomer.pk).update(created_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_report_submit(appointment_id=newcomer.pk, day=TODAY, counts={"posts": 2}, today=TODAY)
    kept = rows(TODAY)
    services.rollup_refresh(day=TODAY)
    assert kept == rows(TODAY)


def test_the_report_post_runs_few_queries(client, tree, bearers, settings, django_assert_num_queries):
    settings.CONTROLROOM_REPORT_RATE_LINK = "100000/h"
    settings.CONTROLROOM_REPORT_RATE_IP = "100000/h"
    today = timezone.localdate()
    services.rollup_refresh(day=today)
    data = {
        "day": today.isoformat(),
        "posts": "2",
        "shares": "3",
        "groups_messaged": "1",
        "people_added": "0",
        "events": "",
        "urls": "https://x.com/party/status/1866000000000000001",
        "note": "बैठक",
    }
    path = tokens.report_path(bearers.booth1.pk)
    for model in (ActivityReport, ReportedPost):
        ContentType.objects.get_for_model(model)  # the audit trail's look-up, cached in a running server
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker writes the report, as in production
    # The POST (controlroom.intake): the appointment's start, the submission's INSERT; nothing else.
    with django_assert_num_queries(2):
        assert client.post(path, data).status_code == 303
    # The worker's write, 12: the pending submissions (locked, skipping locked ones), the appointment
    # (locked), whether a later submission of the day was written, the day's run (locked), the appointment's
    # reports near the day, the report, its audit entry, the post links (one upsert), their mentions and the
    # audit entry naming them, the ancestors' roll-up rows (one UPDATE), the submission marked written; + 2:
    # each submission's savepoint; + 2: the transaction is a savepoint inside the test's.
    with django_assert_num_queries(16):
        assert intake.submissions_process() == 1
    # A second report of the day: its mentions are read instead of the links written (the same link); the
    # audit entry's "before" is the row read with the nearby reports (no second read).
    with django_assert_num_queries(2):
        assert client.post(path, {**data, "posts": "4"}).status_code == 303
    with django_assert_num_queries(14):
        assert intake.submissions_process() == 1
    saved = ActivityReport.objects.get(appointment=bearers.booth1, day=today)
    edit = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ActivityReport),
        object_id=saved.pk,
        action=1,
        changes__isnull=False,
    ).latest("pk")
    assert set(edit.changes) == {"posts", "revisions"} and [str(v) for v in edit.changes["posts"]] == ["2", "4"]
    assert edit.remote_addr == "127.0.0.1"
    state = ActivityRollup.objects.get(day=today, path=tree.rajasthan.path, level=tree.booth1.level)
    assert (state.reported, state.posts) == (1, 4)


def test_updated_at_is_the_later_of_the_rebuild_and_the_newest_report(tree, bearers):
    run = services.rollup_refresh(day=TODAY)
    RollupRun.objects.filter(pk=run.pk).update(refreshed_at=run.refreshed_at - datetime.timedelta(hours=1))
    before = RollupRun.objects.get(pk=run.pk).refreshed_at
    assert selectors.updated_at([TODAY]) == before  # no report yet: the rebuild's time
    saved = services.activity_report_submit(appointment_id=bearers.booth1.pk, day=TODAY, counts={}, today=TODAY)
    assert RollupRun.objects.get(pk=run.pk).refreshed_at == before  # the report did not write the run row
    assert selectors.updated_at([TODAY]) == saved.updated_at > before
    assert selectors.updated_at([TODAY - datetime.timedelta(days=9)]) is None  # nothing built or reported
