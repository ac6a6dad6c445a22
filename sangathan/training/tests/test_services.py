import datetime

import pytest
from django.db import transaction

from sangathan.core import daily
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Level, Person
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.training import selectors, services
from sangathan.training.models import Attendance, Camp, Completion, Invitation, Module, Programme
from sangathan.training.services import TrainingError
from sangathan.training.tests.conftest import MONDAY, code_of, local

AT_TEN = local(MONDAY, 10, 5)


def test_default_programme_has_the_five_modules_in_hindi_and_english(programme):
    names = list(programme.modules.values_list("name_en", flat=True))
    assert names == [
        "Platform basics",
        "Content creation",
        "Fact-checking and answering fake news",
        "Digital security",
        "Political communication",
    ]
    assert all(m.name_hi and m.expected_minutes > 0 for m in programme.modules.all())
    assert selectors.default_programme() == programme


def test_invitations_from_untrained_appointees_of_the_host_subtree(camp, people):
    invited = set(camp.invitations.values_list("person_id", flat=True))
    assert invited == {people.amer_in_charge.pk, people.booth1_rep.pk, people.booth2_rep.pk}
    # Generating again invites nobody twice.
    assert services.invitations_generate(camp=camp) == 0
    # Every invitee got one invitation message (on the default channels), keyed by the invitation.
    keys = set(OutboxMessage.objects.filter(template="training_invitation").values_list("idempotency_key", flat=True))
    message = OutboxMessage.objects.filter(template="training_invitation", person=people.booth1_rep).first()
    assert "आमंत्रित" in message.body and "ब्लॉक कार्यालय, आमेर" in message.body
    assert {key.rsplit(":", 1)[0] for key in keys} == {
        f"training:invite:{pk}" for pk in camp.invitations.values_list("pk", flat=True)
    }


def test_trained_appointees_are_not_invited(tree, cast, programme, people):
    Completion.objects.create(person=people.booth1_rep, programme=programme)
    camp = services.camp_create(
        programme=programme, host_unit=tree.amer, venue="x", starts_at=local(MONDAY, 10), ends_at=local(MONDAY, 12)
    )
    services.invitations_generate(camp=camp)
    assert people.booth1_rep.pk not in set(camp.invitations.values_list("person_id", flat=True))


def test_capacity_limits_generated_invitations_higher_posts_first(tree, programme, people):
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="x",
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 12),
        capacity=1,
    )
    assert services.invitations_generate(camp=camp) == 1
    assert list(camp.invitations.values_list("person_id", flat=True)) == [people.amer_in_charge.pk]


def test_invite_by_hand_in_scope_only(camp, cast, people, tree):
    outsider = PersonFactory(home_unit=tree.kishangarh)
    with pytest.raises(TrainingError) as error:
        services.invitation_add(camp=camp, mobile=outsider.mobile, by=cast.district_admin)
    assert error.value.code == "unknown_person"
    local_person = PersonFactory(home_unit=tree.booth1)
    invitation = services.invitation_add(camp=camp, mobile=local_person.mobile[3:], by=cast.district_admin)
    assert invitation.source == Invitation.Source.HAND
    with pytest.raises(TrainingError) as error:
        services.invitation_add(camp=camp, mobile=local_person.mobile, by=cast.district_admin)
    assert error.value.code == "already_invited"


def test_reminders_once_a_day_to_those_not_checked_in(camp, people, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(MONDAY, 8))
    services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=AT_TEN
    )
    assert services.invitations_remind(camp=camp, on=MONDAY) == 2
    services.invitations_remind(camp=camp, on=MONDAY)
    reminders = OutboxMessage.objects.filter(template="training_reminder")
    assert reminders.values("person_id").distinct().count() == 2
    assert reminders.count() == 2 * len({m.channel for m in reminders})


# ---------------------------------------------------------------- attendance rules


def test_invited_person_checks_in_by_mobile(camp, people):
    result = services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile[3:], code=code_of(camp, people.booth1_rep), at=AT_TEN
    )
    assert result.created
    assert result.attendance.method == Attendance.Method.QR
    assert result.attendance.person == people.booth1_rep


def test_double_scan_creates_nothing_new(camp, people):
    first = services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=AT_TEN
    )
    second = services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=AT_TEN
    )
    assert not second.created
    assert second.attendance.pk == first.attendance.pk
    assert Attendance.objects.filter(camp=camp).count() == 1
    assert Completion.objects.filter(person=people.booth1_rep).count() == 1


def test_wrong_person_is_refused(camp, people):
    for mobile in (people.kishangarh_in_charge.mobile, "9876501234"):
        with pytest.raises(TrainingError) as error:
            services.attendance_check_in(camp=camp, mobile=mobile, code="ABC234", at=AT_TEN)
        assert error.value.code == "not_recognised"
    assert not Attendance.objects.exists()
    assert not Person.objects.filter(mobile="+919876501234").exists()


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (local(MONDAY, 9, 29), "too_early"),
        (local(MONDAY, 17, 1), "too_late"),
        (local(MONDAY + datetime.timedelta(days=1), 10), "too_late"),
    ],
)
def test_check_in_outside_the_window_is_refused(camp, people, at, code):
    with pytest.raises(TrainingError) as error:
        services.attendance_check_in(
            camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=at
        )
    assert error.value.code == code
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("at", [local(MONDAY, 9, 30), local(MONDAY, 17, 0)])
def test_check_in_window_edges_are_open(camp, people, at):
    assert services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=at
    ).created


def test_invalid_mobile_is_a_clear_error(camp):
    with pytest.raises(TrainingError) as error:
        services.attendance_check_in(camp=camp, mobile="12", code="ABC234", at=AT_TEN)
    assert error.value.code == "mobile_invalid"


def test_cancelled_camp_refuses_check_in(camp, people):
    services.camp_cancel(camp=camp)
    with pytest.raises(TrainingError) as error:
        services.attendance_check_in(
            camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=AT_TEN
        )
    assert error.value.code == "cancelled"
    assert OutboxMessage.objects.filter(template="training_camp_cancelled").values("person_id").distinct().count() == 3


def test_roll_call_ticks_and_unticks(camp, people, cast):
    attendance = services.attendance_mark(
        camp=camp, person=people.booth2_rep, present=True, by=cast.district_admin, at=AT_TEN
    )
    assert attendance.method == Attendance.Method.ROLL_CALL
    assert attendance.recorded_by == cast.district_admin
    assert Completion.objects.filter(person=people.booth2_rep).exists()
    services.attendance_mark(camp=camp, person=people.booth2_rep, present=False, by=cast.district_admin, at=AT_TEN)
    assert not Attendance.objects.filter(camp=camp).exists()
    assert not Completion.objects.filter(person=people.booth2_rep).exists()
    with pytest.raises(TrainingError) as error:
        services.attendance_mark(camp=camp, person=people.kishangarh_in_charge, present=True, at=AT_TEN)
    assert error.value.code == "not_invited"
    with pytest.raises(TrainingError) as error:
        services.attendance_mark(camp=camp, person=people.booth2_rep, present=True, at=local(MONDAY, 7))
    assert error.value.code == "too_early"


# ---------------------------------------------------------------- completion


def test_completion_needs_every_module(tree, programme, people):
    modules = list(programme.modules.all())
    basics = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="x",
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 14),
        modules=modules[:4],
    )
    workshop = services.camp_create(
        programme=programme,
        host_unit=tree.jaipur,
        venue="y",
        starts_at=local(MONDAY + datetime.timedelta(days=2), 10),
        ends_at=local(MONDAY + datetime.timedelta(days=2), 12),
        modules=modules[4:],
    )
    for camp in (basics, workshop):
        Invitation.objects.create(camp=camp, person=people.booth1_rep)
    first = services.attendance_check_in(
        camp=basics, mobile=people.booth1_rep.mobile, code=code_of(basics, people.booth1_rep), at=AT_TEN
    )
    assert first.completion is None
    assert not Completion.objects.exists()
    second = services.attendance_check_in(
        camp=workshop,
        mobile=people.booth1_rep.mobile,
        code=code_of(workshop, people.booth1_rep),
        at=local(MONDAY + datetime.timedelta(days=2), 10),
    )
    assert second.completion is not None
    assert second.completion.camp == workshop
    assert second.completion.certificate_number.startswith("DIGITAL-WING-BAS-2026-")
    assert list(selectors.trained_person_ids(programme=programme).values_list("person_id", flat=True)) == [
        people.booth1_rep.pk
    ]


def test_modules_of_another_programme_are_refused(tree, programme):
    other = Programme.objects.create(code="other", name_hi="अन्य")
    module = Module.objects.create(programme=other, order=1, name_hi="क")
    with pytest.raises(TrainingError):
        services.camp_create(
            programme=programme,
            host_unit=tree.amer,
            venue="x",
            starts_at=local(MONDAY, 10),
            ends_at=local(MONDAY, 12),
            modules=[module],
        )
    assert not Camp.objects.exists()


@pytest.mark.parametrize(
    ("venue", "start", "end", "code"),
    [
        ("", 10, 12, "venue_missing"),
        ("x", 12, 10, "window_order"),
        ("x" * 300, 10, 12, "venue_too_long"),
    ],
)
def test_bad_camp_input(tree, programme, venue, start, end, code):
    with pytest.raises(TrainingError) as error:
        services.camp_create(
            programme=programme,
            host_unit=tree.amer,
            venue=venue,
            starts_at=local(MONDAY, start),
            ends_at=local(MONDAY, end),
        )
    assert error.value.code == code
    assert not Camp.objects.exists()


# ---------------------------------------------------------------- bulk planning


def _more_blocks(tree):
    from sangathan.org.tests.factories import make_unit

    second_ac = make_unit(tree.jaipur, "assembly", "Jaipur South", number=46, name_hi="जयपुर दक्षिण")
    return [make_unit(second_ac, "block", name, name_hi=name) for name in ("Sanganer", "Chaksu", "Bassi")]


def test_bulk_one_camp_in_every_block_of_the_district(tree, cast, programme, people):
    extra = _more_blocks(tree)
    result = services.camps_bulk_create(
        programme=programme,
        parent=tree.jaipur,
        level=Level.objects.get(code="block"),
        week_start=MONDAY,
        start_time=datetime.time(10),
        duration_minutes=240,
        venue="ब्लॉक कार्यालय",
        by=cast.district_admin,
    )
    hosts = {camp.host_unit_id for camp in Camp.objects.all()}
    assert hosts == {tree.amer.pk, *(unit.pk for unit in extra)}
    days = sorted(camp.starts_at.date() for camp in Camp.objects.all())
    assert days == [MONDAY + datetime.timedelta(days=d) for d in (0, 1, 3, 4)]
    assert all(camp.ends_at - camp.starts_at == datetime.timedelta(hours=4) for camp in Camp.objects.all())
    # Amer's three appointees are invited to Amer's camp; the new blocks have none.
    assert result.invited == 3
    assert Invitation.objects.filter(camp__host_unit=tree.amer).count() == 3
    # Again for the same week: nothing new.
    again = services.camps_bulk_create(
        programme=programme,
        parent=tree.jaipur,
        level=Level.objects.get(code="block"),
        week_start=MONDAY,
        start_time=datetime.time(10),
        duration_minutes=240,
        venue="ब्लॉक कार्यालय",
        by=cast.district_admin,
    )
    assert again.created == [] and len(again.skipped) == 4
    assert Camp.objects.count() == 4


def test_bulk_is_one_transaction(tree, cast, programme, people, monkeypatch):
    _more_blocks(tree)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_invite_appointees", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.camps_bulk_create(
            programme=programme,
            parent=tree.jaipur,
            level=Level.objects.get(code="block"),
            week_start=MONDAY,
            start_time=datetime.time(10),
            duration_minutes=240,
            venue="x",
        )
    assert not Camp.objects.exists()


def test_bulk_refuses_a_level_not_below(tree, programme):
    with pytest.raises(TrainingError) as error:
        services.camps_bulk_create(
            programme=programme,
            parent=tree.jaipur,
            level=Level.objects.get(code="state"),
            week_start=MONDAY,
            start_time=datetime.time(10),
            duration_minutes=240,
            venue="x",
        )
    assert error.value.code == "level_not_below"


def test_spread_days():
    assert services.spread_days(5, 7) == [0, 1, 2, 4, 5]
    assert services.spread_days(2, 6) == [0, 3]
    assert services.spread_days(8, 6) == [0, 0, 1, 2, 3, 3, 4, 5]
    assert services.spread_days(0, 6) == []


# ---------------------------------------------------------------- coverage


def test_training_coverage_per_level_and_child(tree, programme, people, camp):
    services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=AT_TEN
    )
    by_level = {row.level.code: (row.appointed, row.trained) for row in selectors.training_coverage(tree.rajasthan)}
    assert by_level == {"block": (2, 0), "booth": (2, 1)}
    jaipur = {row.level.code: (row.appointed, row.trained) for row in selectors.training_coverage(tree.jaipur)}
    assert jaipur == {"block": (1, 0), "booth": (2, 1)}
    children = selectors.training_by_child(tree.rajasthan, programme=programme)
    assert children == {tree.jaipur.pk: (3, 1), tree.ajmer.pk: (1, 0)}
    # Another programme's completions do not count for this one.
    other = Programme.objects.create(code="other", name_hi="अन्य")
    assert selectors.training_by_child(tree.rajasthan, programme=other) == {
        tree.jaipur.pk: (3, 0),
        tree.ajmer.pk: (1, 0),
    }


def test_training_coverage_is_one_query(tree, people, django_assert_num_queries):
    Level.objects.count()  # warm nothing: the level lookup is the second query
    with django_assert_num_queries(2):
        selectors.training_coverage(tree.rajasthan)
    with django_assert_num_queries(2):
        selectors.training_by_child(tree.rajasthan)


def test_relieved_appointees_do_not_count(tree, people):
    appointment = people.booth2_rep.appointments.get()
    org_services.appointment_relieve(appointment=appointment, reason="moved away")
    by_level = {row.level.code: row.appointed for row in selectors.training_coverage(tree.amer)}
    assert by_level == {"block": 1, "booth": 1}
    assert position("booth", "representative")


def test_daily_reminders_for_tomorrows_camps(camp, people, django_capture_on_commit_callbacks, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(MONDAY - datetime.timedelta(days=1), 18))
    day_before = MONDAY - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due(today=day_before) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send_due(today=day_before)  # the same day again: nothing new
    reminders = OutboxMessage.objects.filter(template="training_reminder")
    assert reminders.values("person_id").distinct().count() == 3
    assert reminders.count() == 3 * len({m.channel for m in reminders})
    assert services.reminders_send_due(today=MONDAY) == 0


def test_the_daily_job_is_registered():
    assert "training-reminders" in [job.name for job in daily.jobs()]


def test_generated_invitations_are_capped_without_a_capacity(tree, programme, people, monkeypatch):
    monkeypatch.setattr(services, "MAX_GENERATED_INVITATIONS", 2)
    camp = services.camp_create(
        programme=programme, host_unit=tree.rajasthan, venue="x", starts_at=local(MONDAY, 10), ends_at=local(MONDAY, 12)
    )
    assert services.invitations_generate(camp=camp) == 2
    # The block in-charges (higher posts) come before the booth representatives.
    assert set(camp.invitations.values_list("person_id", flat=True)) == {
        people.amer_in_charge.pk,
        people.kishangarh_in_charge.pk,
    }


def test_camp_update_tells_invitees_once_per_change(camp, people, cast):
    later = local(MONDAY, 11), local(MONDAY, 18)
    services.camp_update(
        camp=camp, venue=camp.venue, starts_at=later[0], ends_at=later[1], capacity=None, by=cast.district_admin
    )
    services.camp_update(camp=camp, venue=camp.venue, starts_at=later[0], ends_at=later[1], capacity=None)
    changed = OutboxMessage.objects.filter(template="training_camp_changed")
    assert changed.values("person_id").distinct().count() == 3
    assert changed.count() == 3 * len({m.channel for m in changed})
    assert "11:00" in changed.first().body
    camp.refresh_from_db()
    assert camp.starts_at == later[0]


def test_camp_time_is_fixed_once_people_checked_in(camp, people):
    services.attendance_check_in(
        camp=camp, mobile=people.booth1_rep.mobile, code=code_of(camp, people.booth1_rep), at=AT_TEN
    )
    with pytest.raises(TrainingError) as error:
        services.camp_update(
            camp=camp, venue=camp.venue, starts_at=local(MONDAY, 12), ends_at=local(MONDAY, 18), capacity=None
        )
    assert error.value.code == "attended"
    services.camp_update(camp=camp, venue="नया भवन", starts_at=camp.starts_at, ends_at=camp.ends_at, capacity=10)
    camp.refresh_from_db()
    assert camp.venue == "नया भवन" and camp.capacity == 10
    with pytest.raises(TrainingError) as error:
        services.camp_update(camp=camp, venue="x", starts_at=camp.starts_at, ends_at=camp.ends_at, capacity=2)
    assert error.value.code == "capacity_below_invited"


def test_trainer_adds_a_walk_in_on_the_roll_call(camp, people, cast, tree):
    result = services.attendance_add_walk_in(
        camp=camp, mobile="9876501234", name="सुनील कुमार", by=cast.district_admin, at=AT_TEN
    )
    assert result.created and result.attendance.method == Attendance.Method.WALK_IN
    assert result.attendance.recorded_by == cast.district_admin
    assert camp.invitations.filter(person=result.attendance.person, source=Invitation.Source.HAND).exists()
    # Someone registered outside the trainer's area is refused without naming them.
    with pytest.raises(TrainingError) as error:
        services.attendance_add_walk_in(
            camp=camp, mobile=people.kishangarh_in_charge.mobile, by=cast.district_admin, at=AT_TEN
        )
    assert error.value.code == "person_out_of_scope"
    assert people.kishangarh_in_charge.name_hi not in error.value.messages[0]
    # A new number needs a name; an early entry is refused.
    with pytest.raises(TrainingError) as error:
        services.attendance_add_walk_in(camp=camp, mobile="9876501235", by=cast.district_admin, at=AT_TEN)
    assert error.value.code == "name_missing"
    with pytest.raises(TrainingError) as error:
        services.attendance_add_walk_in(
            camp=camp, mobile="9876501235", name="x", by=cast.district_admin, at=local(MONDAY, 8)
        )
    assert error.value.code == "too_early"
    assert Attendance.objects.count() == 1


def test_untrained_appointees_selector(tree, programme, people):
    Completion.objects.create(person=people.booth1_rep, programme=programme)
    names = set(selectors.untrained_appointees(unit=tree.amer, programme=programme).values_list("pk", flat=True))
    assert names == {people.amer_in_charge.pk, people.booth2_rep.pk}
