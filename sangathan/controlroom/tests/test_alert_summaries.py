"""Summary alerts: when a rule finds more than ``CONTROLROOM_ALERT_SUMMARY_OVER`` units under one parent unit
(booths of a block, districts of a state), one alert on the parent names them instead of one alert each. At the
edges (N-1, N, N+1 units found), raised once however often evaluated, resolved when the units report, escalated
once, scoped (a sibling district can neither see nor act), in Hindi. Every evaluation passes ``now``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.controlroom import alerts, services
from sangathan.controlroom.models import Alert, AlertRule
from sangathan.notifications.models import OutboxMessage
from sangathan.org.tests.factories import UserFactory
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 10)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def only(kind: str) -> None:
    alerts.rules_ensure()
    AlertRule.objects.exclude(kind=kind).update(active=False)


def silent_alerts():
    return Alert.objects.filter(rule__kind="silent")


def summaries():
    return silent_alerts().filter(subject=alerts.SUMMARY)


@pytest.fixture
def silent_booths(tree, bearers, settings):
    """Nobody reported: the three booths are silent (two under the block Amer, one under Kishangarh)."""
    settings.CONTROLROOM_ALERT_SUMMARY_OVER = 1
    only("silent")


@pytest.mark.parametrize(
    "over, summarised",
    [(1, True), (2, False), (3, False)],
    ids=["2 found, over 1: a summary", "2 found, over 2: one each", "2 found, over 3: one each"],
)
def test_more_than_n_units_under_one_parent_make_one_summary(tree, bearers, settings, over, summarised):
    settings.CONTROLROOM_ALERT_SUMMARY_OVER = over
    only("silent")
    alerts.alerts_evaluate(now=at(DAY, 10))
    by_unit = dict(silent_alerts().values_list("unit", "subject"))
    assert by_unit[tree.ajmer_booth.pk].startswith("appointment:")  # one booth under Kishangarh: its own alert
    if summarised:
        assert by_unit == {tree.amer.pk: alerts.SUMMARY, tree.ajmer_booth.pk: f"appointment:{bearers.ajmer_booth.pk}"}
        summary = summaries().get()
        assert summary.path == tree.amer.path and summary.period == DAY.isoformat()
        assert summary.numbers["count"] == 2 and summary.numbers["total"] == 2 and summary.numbers["days"] == 7
        assert summary.numbers["units"] == [tree.booth1.pk, tree.booth2.pk]
    else:
        assert set(by_unit) == {tree.booth1.pk, tree.booth2.pk, tree.ajmer_booth.pk}
        assert not summaries().exists()


def test_a_summary_is_raised_once_however_often_evaluated_and_resolved_when_the_booths_report(
    tree, bearers, silent_booths
):
    for when in (at(DAY, 10), at(DAY, 18), at(DAY + datetime.timedelta(days=1), 10)):
        alerts.alerts_evaluate(now=when)
    assert summaries().count() == 1
    assert not silent_alerts().filter(unit__in=[tree.booth1, tree.booth2]).exists()
    # Booth 1 reports: one booth left under Amer, not more than 1: the summary is resolved, booth 2 gets its own.
    later = DAY + datetime.timedelta(days=2)
    services.activity_report_submit(appointment_id=bearers.booth1.pk, day=later, counts={"posts": 1}, today=later)
    alerts.alerts_evaluate(now=at(later, 10))
    summary = summaries().get()
    assert summary.state == Alert.State.RESOLVED and summary.resolved_at == at(later, 10)
    assert list(silent_alerts().filter(unit=tree.booth2).values_list("subject", flat=True)) == [
        f"appointment:{bearers.booth2.pk}"
    ]
    assert not silent_alerts().filter(unit=tree.booth1).exists()


def test_a_summary_is_escalated_once_to_the_parent_in_charge(tree, bearers, silent_booths, settings):
    settings.CONTROLROOM_ALERT_ESCALATE_MINUTES = 60
    alerts.alerts_evaluate(now=at(DAY, 10))
    escalations = OutboxMessage.objects.filter(template="controlroom_alert_escalated")
    assert alerts.alerts_evaluate(now=at(DAY, 10, 59))["escalated"] == 0
    assert alerts.alerts_evaluate(now=at(DAY, 11))["escalated"] == 2  # the summary and Kishangarh's booth
    summary = summaries().get()
    assert summary.state == Alert.State.ESCALATED and summary.escalated_at == at(DAY, 11)
    for hour in (12, 13):
        assert alerts.alerts_evaluate(now=at(DAY, hour))["escalated"] == 0
    people = sorted(escalations.values_list("person", flat=True))
    assert people == sorted([bearers.jaipur_ac.person.pk, bearers.kishangarh.person.pk])  # Amer's parent once
    assert summaries().count() == 1


def test_the_summary_names_its_booths_in_hindi_and_a_sibling_district_can_neither_see_nor_act(
    client, tree, cast, silent_booths
):
    alerts.alerts_evaluate(now=at(DAY, 10))
    summary = summaries().get()
    with translation.override("en"):
        assert alerts.describe(summary) == "2 of 2 units (Booth) here have sent no report for 7 days or more."
    log_in(client, cast.district_admin, language="hi")
    page = client.get(reverse("controlroom:alerts", args=[tree.jaipur.pk])).content.decode()
    assert f'data-alert="{summary.pk}"' in page
    assert "यहाँ 2 में से 2 इकाइयों" in page and "वे 2 इकाइयाँ दिखाएँ" in page
    for booth in (tree.booth1, tree.booth2):
        assert reverse("controlroom:wall", args=[booth.pk]) in page
    # The sibling district: not in its list, and acknowledging or assigning is refused with nothing changed.
    log_in(client, cast.sibling_admin)
    own = client.get(reverse("controlroom:alerts", args=[tree.ajmer.pk])).content.decode()
    assert f'data-alert="{summary.pk}"' not in own and reverse("controlroom:wall", args=[tree.booth1.pk]) not in own
    ack = client.post(reverse("controlroom:alert_acknowledge", args=[summary.pk]), {"note": "mine"})
    assign = client.post(reverse("controlroom:alert_assign", args=[summary.pk]), {"user": cast.sibling_admin.pk})
    assert (ack.status_code, assign.status_code) == (404, 404)
    summary.refresh_from_db()
    assert summary.state == Alert.State.OPEN and summary.note == ""
    # The district's admin acknowledges it with a note.
    log_in(client, cast.district_admin)
    client.post(reverse("controlroom:alert_acknowledge", args=[summary.pk]), {"note": "Called the block."})
    summary.refresh_from_db()
    assert summary.state == Alert.State.ACKNOWLEDGED


def test_the_level_of_the_summary_is_a_setting(tree, bearers, silent_booths, settings):
    settings.CONTROLROOM_ALERT_SUMMARY_LEVEL = "district"
    alerts.alerts_evaluate(now=at(DAY, 10))
    summary = summaries().get()
    assert summary.unit == tree.jaipur and summary.numbers["count"] == 2
    assert silent_alerts().filter(unit=tree.ajmer_booth).exists()  # Ajmer: one booth, its own alert


def test_districts_below_the_reporting_rate_are_summarised_on_the_state(tree, bearers, settings):
    settings.CONTROLROOM_ALERT_SUMMARY_OVER = 1
    services.rollup_refresh(day=DAY)  # nobody reported: both districts at 0%
    only("reporting_rate")
    for minute in (0, 30):
        alerts.alerts_evaluate(now=at(DAY, 20, minute))
    rows = list(Alert.objects.filter(rule__kind="reporting_rate").values_list("unit", "subject"))
    assert rows == [(tree.rajasthan.pk, alerts.SUMMARY)]
    summary = Alert.objects.get(rule__kind="reporting_rate")
    with translation.override("hi"):
        assert alerts.describe(summary).startswith("यहाँ 2 में से 2 इकाइयाँ")


def control_room(unit, username, *, active=True):
    user = UserFactory(username=username, is_active=active)
    return RoleAssignment.objects.create(user=user, unit=unit, role=Role.CONTROL_ROOM)


def rate_alerts():
    return Alert.objects.filter(rule__kind="reporting_rate")


@pytest.fixture
def low_districts(tree, bearers, settings):
    """Nobody reported: both districts below the reporting rate at 20:00."""
    settings.CONTROLROOM_ALERT_SUMMARY_OVER = 1
    services.rollup_refresh(day=DAY)
    only("reporting_rate")


def test_a_district_with_its_own_control_room_keeps_its_alert(tree, low_districts):
    control_room(tree.jaipur, "jaipur_room")
    alerts.alerts_evaluate(now=at(DAY, 20))
    # Jaipur is left out of the state's grouping; Ajmer alone is not more than 1: each district its own alert.
    rows = set(rate_alerts().values_list("unit", "subject"))
    assert rows == {(tree.jaipur.pk, ""), (tree.ajmer.pk, "")}
    jaipur = rate_alerts().get(unit=tree.jaipur)
    assert jaipur.assigned_to.username == "jaipur_room"  # its own operators have it


def test_a_control_room_of_an_inactive_user_or_at_the_parent_itself_changes_nothing(tree, low_districts):
    control_room(tree.jaipur, "gone_room", active=False)
    control_room(tree.rajasthan, "state_room")  # the unit summarised on: not nearer to the districts
    alerts.alerts_evaluate(now=at(DAY, 20))
    assert list(rate_alerts().values_list("unit", "subject")) == [(tree.rajasthan.pk, alerts.SUMMARY)]
    assert rate_alerts().get().numbers["count"] == 2


def test_a_control_room_between_the_unit_and_the_summary_keeps_the_booths_out(tree, bearers, silent_booths, settings):
    settings.CONTROLROOM_ALERT_SUMMARY_LEVEL = "district"
    control_room(tree.amer, "amer_room")  # a block between Jaipur and its booths
    alerts.alerts_evaluate(now=at(DAY, 10))
    assert not summaries().exists()
    assert set(silent_alerts().values_list("unit", flat=True)) == {tree.booth1.pk, tree.booth2.pk, tree.ajmer_booth.pk}


def test_a_summary_resolved_and_needed_again_the_same_day_is_raised_again(tree, bearers, silent_booths, settings):
    settings.CONTROLROOM_ALERT_ESCALATE_MINUTES = 600  # nobody's turn to escalate within these hours
    alerts.alerts_evaluate(now=at(DAY, 10))
    first = summaries().get()
    # Booth 1 gets a control room of its own: one booth left under Amer, the summary is resolved.
    room = control_room(tree.booth1, "booth_room")
    alerts.alerts_evaluate(now=at(DAY, 11))
    first.refresh_from_db()
    assert first.state == Alert.State.RESOLVED and first.resolved_at == at(DAY, 11)
    # The room is closed the same day: two booths again, a new summary (not the resolved one), raised once.
    room.delete()
    for minute in (0, 30):
        alerts.alerts_evaluate(now=at(DAY, 12, minute))
    again = summaries().exclude(pk=first.pk).get()
    assert again.state == Alert.State.OPEN and again.raised_at == at(DAY, 12)
    assert again.period == f"{DAY.isoformat()}/2" and again.numbers["count"] == 2


def test_the_count_of_a_live_summary_follows_the_units_found(tree, bearers, silent_booths, settings):
    settings.CONTROLROOM_ALERT_SUMMARY_LEVEL = "state"  # the three booths under Rajasthan
    settings.CONTROLROOM_ALERT_ESCALATE_MINUTES = 600
    alerts.alerts_evaluate(now=at(DAY, 10))
    summary = summaries().get()
    assert summary.numbers["count"] == 3
    services.activity_report_submit(appointment_id=bearers.booth1.pk, day=DAY, counts={"posts": 1}, today=DAY)
    alerts.alerts_evaluate(now=at(DAY, 12))
    summary.refresh_from_db()
    assert summary.state == Alert.State.OPEN and summaries().count() == 1
    assert summary.numbers["count"] == 2 and summary.numbers["units"] == [tree.booth2.pk, tree.ajmer_booth.pk]
    with translation.override("en"):
        assert alerts.describe(summary).startswith("2 of 3 units")
