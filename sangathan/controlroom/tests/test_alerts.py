"""Alerts: each rule at its edges (a rate at the threshold, the time of day, the days of silence, the wait after
an urgent message), raised once however often evaluated, acknowledged with a note, escalated once through the
outbox, scoped (a sibling district can neither see nor act), bad input refused with nothing changed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry as LogEntry
from sangathan.controlroom import alerts, services, tasks
from sangathan.controlroom.models import Alert, AlertRule
from sangathan.core.daily import run_daily
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Level, Position
from sangathan.org.tests.factories import PersonFactory, UserFactory, make_unit
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery, Message
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 10)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def report(bearers, name: str, day: datetime.date) -> None:
    services.activity_report_submit(appointment_id=getattr(bearers, name).pk, day=day, counts={"posts": 1}, today=day)


def only(kind: str) -> None:
    """Leave only the rule of ``kind`` active (the others are made and switched off)."""
    alerts.rules_ensure()
    AlertRule.objects.exclude(kind=kind).update(active=False)


def raised(kind: str):
    return Alert.objects.filter(rule__kind=kind)


# ---------------------------------------------------------------- a district's reporting rate at 20:00


@pytest.fixture
def evening(tree, bearers):
    """Jaipur: 2 of its 5 key office-bearers reported (40%); Ajmer: 2 of 4 (exactly 50%)."""
    for name in ("booth1", "booth2", "ajmer_booth", "kishangarh"):
        report(bearers, name, DAY)
    services.rollup_refresh(day=DAY)
    only("reporting_rate")


def test_below_is_exact_at_the_threshold():
    assert alerts._below(49, 100, 50) and not alerts._below(50, 100, 50)
    assert not alerts._below(0, 0, 50)  # no office-bearer: nothing to report, no alert


def test_reporting_rate_is_checked_from_20_00_and_only_below_the_threshold(tree, evening):
    assert alerts.alerts_evaluate(now=at(DAY, 19, 59))["reporting_rate"] == 0
    assert not raised("reporting_rate").exists()
    assert alerts.alerts_evaluate(now=at(DAY, 20, 0))["reporting_rate"] == 1
    alert = raised("reporting_rate").get()
    assert alert.unit == tree.jaipur  # Ajmer's 50% is not below 50%
    assert alert.period == DAY.isoformat() and alert.state == Alert.State.OPEN
    assert alert.numbers == {"done": 2, "total": 5, "percent": 40}
    with translation.override("en"):
        assert alerts.describe(alert) == "Only 2 of 5 office-bearers (40%) reported today by 20:00."


def test_the_rule_is_data_its_threshold_moves_the_edge(tree, evening):
    AlertRule.objects.filter(kind="reporting_rate").update(threshold=40)
    alerts.alerts_evaluate(now=at(DAY, 21, 0))
    assert not raised("reporting_rate").exists()  # 40% is not below 40%
    AlertRule.objects.filter(kind="reporting_rate").update(threshold=41)
    alerts.alerts_evaluate(now=at(DAY, 21, 0))
    assert list(raised("reporting_rate").values_list("unit", flat=True)) == [tree.jaipur.pk]
    AlertRule.objects.filter(kind="reporting_rate").update(active=False, threshold=90)
    alerts.alerts_evaluate(now=at(DAY, 21, 5))
    assert raised("reporting_rate").count() == 1  # an inactive rule raises nothing


def test_raised_once_however_often_evaluated_and_again_the_next_day(tree, evening):
    for minute in (0, 5, 10):
        alerts.alerts_evaluate(now=at(DAY, 20, minute))
    assert raised("reporting_rate").count() == 1
    tasks.evaluate_alerts.delay()  # the beat task: thin, evaluates at the real now
    assert raised("reporting_rate").filter(period=DAY.isoformat()).count() == 1
    alerts.alerts_evaluate(now=at(DAY + datetime.timedelta(days=1), 20, 0))  # nobody reported the next day
    two_days = [DAY.isoformat(), (DAY + datetime.timedelta(days=1)).isoformat()]
    # the beat task's real now may be past 20:00 today, which raises today's period too: not these two days'
    assert set(raised("reporting_rate").filter(period__in=two_days).values_list("unit", "period")) == {
        (tree.jaipur.pk, DAY.isoformat()),
        (tree.jaipur.pk, (DAY + datetime.timedelta(days=1)).isoformat()),
        (tree.ajmer.pk, (DAY + datetime.timedelta(days=1)).isoformat()),
    }


def test_the_daily_run_and_beat_evaluate_the_rules(settings, tree, bearers):
    assert settings.CELERY_BEAT_SCHEDULE["controlroom-alerts"]["task"] == "sangathan.controlroom.tasks.evaluate_alerts"
    tasks.evaluate_alerts.delay()  # beat's run: not the silent booths (a rule counted in days)
    assert not raised("silent").exists()
    outcome = run_daily(only=["controlroom-alerts"])[0]
    assert not outcome.error and "silent: 3" in str(outcome.result)  # booth1, booth2, ajmer_booth never reported
    assert raised("silent").count() == 3


# ---------------------------------------------------------------- a booth silent for 7 days


def test_a_booth_is_silent_after_7_days_without_a_report(tree, bearers):
    report(bearers, "booth1", DAY - datetime.timedelta(days=6))  # 6 days ago: within the 7 days
    report(bearers, "booth2", DAY - datetime.timedelta(days=7))  # 7 days ago: silent since the day after
    only("silent")
    assert alerts.alerts_evaluate(now=at(DAY, 10))["silent"] == 2
    rows = {a.unit_id: a for a in raised("silent")}
    assert set(rows) == {tree.booth2.pk, tree.ajmer_booth.pk}  # booths only, not the blocks above
    booth2 = rows[tree.booth2.pk]
    assert booth2.subject == f"appointment:{bearers.booth2.pk}"
    assert booth2.period == (DAY - datetime.timedelta(days=6)).isoformat() and booth2.numbers["days"] == 7
    assert rows[tree.ajmer_booth.pk].period == "2026-01-01"  # never reported: silent since appointed
    # Raised once; the booth reports again: resolved; silent again a week later: a new alert.
    alerts.alerts_evaluate(now=at(DAY, 18))
    assert raised("silent").count() == 2
    report(bearers, "booth2", DAY + datetime.timedelta(days=1))
    alerts.alerts_evaluate(now=at(DAY + datetime.timedelta(days=1), 10))
    booth2.refresh_from_db()
    assert booth2.state == Alert.State.RESOLVED and booth2.resolved_at is not None
    assert raised("silent").filter(unit=tree.booth1).count() == 1  # booth1's 7 days are up now
    alerts.alerts_evaluate(now=at(DAY + datetime.timedelta(days=8), 10))
    assert raised("silent").filter(unit=tree.booth2).count() == 2


def test_a_new_booth_in_charge_is_not_silent_before_7_days(tree, bearers):
    appointed = {}
    for days in (6, 5):
        booth = make_unit(tree.amer, "booth", f"New {days}", number=10 + days)
        org_services.appointment_create(
            unit=booth,
            position=Position.objects.get(level=booth.level, is_key=True),
            person=PersonFactory(),
            start_date=DAY - datetime.timedelta(days=days),
        )
        appointed[days] = booth
    only("silent")
    alerts.alerts_evaluate(now=at(DAY, 10))
    units = set(raised("silent").values_list("unit", flat=True))
    assert appointed[6].pk in units  # appointed 6 days ago: 7 days with today, no report
    assert appointed[5].pk not in units  # 6 days with today


# ---------------------------------------------------------------- an urgent message after 2 hours


@pytest.fixture
def urgent(tree, cast, bearers, django_capture_on_commit_callbacks):
    def send(title: str) -> Message:
        message = outreach_services.message_create(
            unit=tree.jaipur,
            target_level=Level.objects.get(code="booth"),
            by=cast.district_admin,
            title=title,
            body_hi="तुरंत साझा करें।",
            priority="urgent",
        )
        with django_capture_on_commit_callbacks(execute=True):
            outreach_services.message_send(message=message, by=cast.district_admin)
        message.refresh_from_db()
        return message

    only("urgent_message")
    return send


def test_an_urgent_message_below_half_acknowledged_after_2_hours(tree, urgent):
    silent = urgent("ZQ urgent rebuttal")
    half = urgent("ZQ urgent half")
    delivery = Delivery.objects.get(message=half, unit=tree.booth1)
    outreach_services.delivery_respond(delivery_id=delivery.pk, action="received")  # 1 of 2: 50%
    sent = max(silent.sent_at, half.sent_at)
    assert alerts.alerts_evaluate(now=sent + datetime.timedelta(hours=1, minutes=59))["urgent_message"] == 0
    assert alerts.alerts_evaluate(now=sent + datetime.timedelta(hours=2))["urgent_message"] == 1
    alert = raised("urgent_message").get()
    assert alert.unit == tree.jaipur and alert.subject == f"message:{silent.pk}" and alert.period == ""
    assert alert.numbers["done"] == 0 and alert.numbers["total"] == 2
    assert alert.rule.severity == AlertRule.Severity.CRITICAL
    with translation.override("hi"):
        assert "ZQ urgent rebuttal" in alerts.describe(alert)
    # Acknowledged by the booths later: still raised once, never a second time.
    for unit in (tree.booth1, tree.booth2):
        delivery = Delivery.objects.get(message=silent, unit=unit)
        outreach_services.delivery_respond(delivery_id=delivery.pk, action="received")
    alerts.alerts_evaluate(now=sent + datetime.timedelta(hours=3))
    assert raised("urgent_message").count() == 1


def test_a_normal_message_raises_nothing(tree, urgent):
    message = urgent("ZQ normal")
    Message.objects.filter(pk=message.pk).update(priority=Message.Priority.NORMAL)
    alerts.alerts_evaluate(now=message.sent_at + datetime.timedelta(hours=5))
    assert not raised("urgent_message").exists()


# ---------------------------------------------------------------- assigned, escalated once


def test_assigned_to_the_nearest_operator_else_the_in_charge(tree, cast, evening):
    operator = UserFactory(username="jaipur_operator")
    RoleAssignment.objects.create(user=operator, unit=tree.jaipur, role=Role.CONTROL_ROOM)
    AlertRule.objects.filter(kind="reporting_rate").update(threshold=60)  # Ajmer's 50% is below too
    alerts.alerts_evaluate(now=at(DAY, 20))
    assigned = dict(raised("reporting_rate").values_list("unit", "assigned_to"))
    assert assigned == {tree.jaipur.pk: operator.pk, tree.ajmer.pk: cast.sibling_admin.pk}


def test_escalated_once_through_the_outbox_when_nobody_acknowledges(tree, bearers, evening, settings):
    settings.CONTROLROOM_ALERT_ESCALATE_MINUTES = 60
    alerts.alerts_evaluate(now=at(DAY, 20))
    state_in_charge = bearers.rajasthan.person
    escalations = OutboxMessage.objects.filter(template="controlroom_alert_escalated")
    assert alerts.alerts_evaluate(now=at(DAY, 20, 59))["escalated"] == 0
    assert not escalations.exists()
    assert alerts.alerts_evaluate(now=at(DAY, 21))["escalated"] == 1
    alert = raised("reporting_rate").get()
    assert alert.state == Alert.State.ESCALATED and alert.escalated_at == at(DAY, 21)
    assert list(escalations.values_list("person", flat=True)) == [state_in_charge.pk]  # Jaipur's parent
    assert "Jaipur" in escalations.get().body or "जयपुर" in escalations.get().body
    for hour in (22, 23):
        assert alerts.alerts_evaluate(now=at(DAY, hour))["escalated"] == 0
    assert escalations.count() == 1
    assert LogEntry.objects.filter(additional_data__bulk="controlroom alerts escalated").count() == 1


def test_an_acknowledged_alert_is_not_escalated(client, tree, cast, evening):
    alerts.alerts_evaluate(now=at(DAY, 20))
    alert = raised("reporting_rate").get()
    alerts.alert_acknowledge(alert=alert, by=cast.district_admin, note="Called the block in-charges.")
    alerts.alerts_evaluate(now=at(DAY, 23))
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED and alert.escalated_at is None
    assert not OutboxMessage.objects.filter(template="controlroom_alert_escalated").exists()


# ---------------------------------------------------------------- the pages: acknowledge, assign, scope


@pytest.fixture
def alert(tree, evening):
    alerts.alerts_evaluate(now=at(DAY, 20))
    return raised("reporting_rate").get()


def ack_url(alert: Alert) -> str:
    return reverse("controlroom:alert_acknowledge", args=[alert.pk])


def test_an_operator_acknowledges_with_a_note_audited(client, tree, cast, alert):
    log_in(client, cast.district_admin, language="hi")
    page = client.get(reverse("controlroom:alerts", args=[tree.jaipur.pk]))
    assert page.status_code == 200 and f'data-alert="{alert.pk}"' in page.content.decode()
    assert "स्वीकार करें" in page.content.decode() and "20:00 बजे जिले की रिपोर्टिंग दर कम" in page.content.decode()
    assert (
        AlertRule.objects.get(kind="reporting_rate").name == "District reporting rate low at 20:00"
    )  # stored in English
    response = client.post(ack_url(alert), {"note": "ब्लॉक प्रभारियों को फ़ोन किया।"}, follow=True)
    assert response.status_code == 200 and "अलर्ट स्वीकार कर लिया गया" in response.content.decode()
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED and alert.acknowledged_by == cast.district_admin
    assert alert.note == "ब्लॉक प्रभारियों को फ़ोन किया।"
    entry = LogEntry.objects.get_for_object(alert).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == cast.district_admin and "note" in entry.changes_dict
    # Shown under "acknowledged", gone from "open" and from the wall's card.
    assert (
        f'data-alert="{alert.pk}"'
        in client.get(reverse("controlroom:alerts", args=[tree.jaipur.pk]) + "?state=acknowledged").content.decode()
    )
    assert (
        f'data-alert="{alert.pk}"'
        not in client.get(reverse("controlroom:panel", args=[tree.jaipur.pk])).content.decode()
    )
    again = client.post(ack_url(alert), {"note": "again"}, follow=True)
    assert "पहले ही स्वीकार" in again.content.decode()
    alert.refresh_from_db()
    assert alert.note == "ब्लॉक प्रभारियों को फ़ोन किया।"


@pytest.mark.parametrize(
    "note, message",
    [("", "नोट लिखें"), ("   ", "नोट लिखें"), ("<b>done</b>", "HTML"), ("x" * 501, "500")],
)
def test_bad_notes_are_refused_and_change_nothing(client, cast, alert, note, message):
    log_in(client, cast.district_admin, language="hi")
    response = client.post(ack_url(alert), {"note": note}, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN and alert.note == "" and alert.acknowledged_at is None


def test_a_sibling_district_can_neither_see_nor_act(client, tree, cast, alert):
    # Outside the view scope: 404; a viewer of Jaipur sees the unit but has no control room there: 403.
    for user, status in ((cast.sibling_admin, 404), (cast.outsider, 404), (cast.viewer, 403)):
        log_in(client, user)
        assert client.post(ack_url(alert), {"note": "mine now"}).status_code == status
        assign = client.post(reverse("controlroom:alert_assign", args=[alert.pk]), {"user": user.pk})
        assert assign.status_code == status
    log_in(client, cast.sibling_admin)
    assert client.get(reverse("controlroom:alerts", args=[tree.jaipur.pk])).status_code == 404
    own = client.get(reverse("controlroom:alerts", args=[tree.ajmer.pk]))
    assert own.status_code == 200 and f'data-alert="{alert.pk}"' not in own.content.decode()
    assert (
        f'data-alert="{alert.pk}"'
        not in client.get(reverse("controlroom:panel", args=[tree.ajmer.pk])).content.decode()
    )
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN and alert.note == "" and alert.assigned_to == cast.district_admin
    client.logout()
    assert client.post(ack_url(alert), {"note": "x"}).status_code == 302  # to the sign-in
    assert client.get(ack_url(alert)).status_code in (302, 405)


def test_assign_to_someone_who_may_open_the_control_room_there(client, tree, cast, alert):
    operator = UserFactory(username="state_operator")
    RoleAssignment.objects.create(user=operator, unit=tree.rajasthan, role=Role.CONTROL_ROOM)
    log_in(client, cast.district_admin, language="hi")
    url = reverse("controlroom:alert_assign", args=[alert.pk])
    for bad in ("abc", "", str(cast.sibling_admin.pk), str(cast.viewer.pk), "99999999"):
        response = client.post(url, {"user": bad}, follow=True)
        assert response.status_code == 200 and "सूची से" in response.content.decode()
        alert.refresh_from_db()
        assert alert.assigned_to == cast.district_admin
    client.post(url, {"user": operator.pk})
    alert.refresh_from_db()
    assert alert.assigned_to == operator
    assert LogEntry.objects.get_for_object(alert).filter(actor=cast.district_admin).exists()


def test_the_wall_shows_open_alerts_in_its_panel(client, tree, cast, alert):
    log_in(client, cast.state_admin, language="hi")
    panel = client.get(reverse("controlroom:panel", args=[tree.rajasthan.pk])).content.decode()
    assert f'data-alert="{alert.pk}"' in panel and 'id="cr-open-alerts"' in panel
    assert "5 में से केवल 2" in panel and "20:00 बजे जिले की रिपोर्टिंग दर कम" not in panel
    wall = client.get(reverse("controlroom:wall", args=[tree.rajasthan.pk])).content.decode()
    assert 'id="cr-open-alerts"' in wall and reverse("controlroom:alerts", args=[tree.rajasthan.pk]) in wall


def test_the_list_filter_falls_back_to_open(client, tree, cast, alert):
    log_in(client, cast.district_admin)
    page = client.get(reverse("controlroom:alerts", args=[tree.jaipur.pk]) + "?state=<script>")
    assert page.status_code == 200 and f'data-alert="{alert.pk}"' in page.content.decode()
    assert 'href="?state=open" class="active"' in page.content.decode()


def test_a_moved_units_alerts_follow_it(client, tree, cast, bearers):
    """The copied path follows the unit in the move's own transaction (``org.hooks.unit_moved``), resolved
    alerts too: the old district neither acts on nor reads them, the new one does both at once."""
    only("silent")
    alerts.alerts_evaluate(now=at(DAY, 10))
    alert = raised("silent").get(unit=tree.booth2)
    resolved = raised("silent").exclude(pk=alert.pk).filter(unit__path__startswith=tree.jaipur.path).first()
    if resolved is not None:
        Alert.objects.filter(pk=resolved.pk).update(state=Alert.State.RESOLVED)
    org_services.unit_move(unit=tree.booth2, new_parent=tree.kishangarh)
    alert.refresh_from_db()
    assert alert.path.startswith(tree.ajmer.path) and alert.state == Alert.State.OPEN
    log_in(client, cast.district_admin)
    assert client.post(ack_url(alert), {"note": "not ours any more"}).status_code == 404
    assert (
        f'data-alert="{alert.pk}"'
        not in client.get(reverse("controlroom:alerts", args=[tree.jaipur.pk])).content.decode()
    )
    log_in(client, cast.sibling_admin)
    assert (
        f'data-alert="{alert.pk}"' in client.get(reverse("controlroom:alerts", args=[tree.ajmer.pk])).content.decode()
    )
    assert client.post(ack_url(alert), {"note": "ours now"}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED


def test_the_list_and_the_panel_read_the_same_number_of_queries_whatever_the_number_of_alerts(
    client, tree, cast, bearers
):
    def more_silent_booths(numbers):
        for number in numbers:
            booth = make_unit(tree.amer, "booth", f"More {number}", number=number)
            org_services.appointment_create(
                unit=booth,
                position=Position.objects.get(level=booth.level, is_key=True),
                person=PersonFactory(),
                start_date=datetime.date(2026, 1, 1),
            )

    only("silent")
    more_silent_booths((21, 22, 23))
    alerts.alerts_evaluate(now=at(DAY, 10))  # booth1, booth2 and three more: the wall's card is full
    log_in(client, cast.district_admin)
    urls = [reverse("controlroom:alerts", args=[tree.jaipur.pk]), reverse("controlroom:panel", args=[tree.jaipur.pk])]
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    more_silent_booths((24, 25, 26))
    alerts.alerts_evaluate(now=at(DAY, 11))
    assert raised("silent").filter(path__startswith=tree.jaipur.path).count() == 8
    for url, before in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.content.decode().count("data-alert=") >= 5
        assert len(queries) == before, url
