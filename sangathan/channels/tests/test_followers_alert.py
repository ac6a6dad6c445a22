"""The control room's "official account lost over 10% of its followers in a week" rule (controlroom.alerts_channels
on channels.selectors.follower_drops): raised once per account and week at the account's unit, the edge (10% is
not over 10%), seen in the sibling district by nobody, described in Hindi."""

import datetime

import pytest
from django.utils import translation

from sangathan.channels.models import ChannelSnapshot, Platform
from sangathan.channels.platforms import DayNumbers
from sangathan.channels.services import channel_register, snapshots_record
from sangathan.controlroom.alerts import alerts_evaluate, alerts_for_user, describe, rule_name
from sangathan.controlroom.models import Alert

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
NOW = datetime.datetime(2026, 12, 7, 15, 30, tzinfo=datetime.UTC)  # 21:00 in India


def record(channel, *pairs):
    snapshots_record(
        channel=channel, days=[DayNumbers(day=d, followers=f) for d, f in pairs], source=ChannelSnapshot.Source.API
    )


def test_a_drop_over_ten_percent_is_raised_once_at_the_accounts_unit(tree, cast):
    jaipur = channel_register(unit=tree.jaipur, platform=Platform.X, name="BJP Jaipur", link="@bjp4jaipur")
    ajmer = channel_register(unit=tree.ajmer, platform=Platform.YOUTUBE, name="BJP Ajmer", link="youtube.com/@bjpajmer")
    week_ago = TODAY - datetime.timedelta(days=7)
    record(jaipur, (week_ago, 20_000), (TODAY, 17_900))  # 10.5% lost
    record(ajmer, (week_ago, 5_000), (TODAY, 4_500))  # exactly 10%: not over
    assert alerts_evaluate(now=NOW)["followers_drop"] == 1
    assert alerts_evaluate(now=NOW)["followers_drop"] == 0  # raised once
    alert = Alert.objects.get(rule__kind="followers_drop")
    assert (alert.unit_id, alert.subject, alert.period) == (tree.jaipur.pk, f"channel:{jaipur.pk}", "2026-12-07")
    assert alert.numbers["before"] == 20_000 and alert.numbers["after"] == 17_900 and alert.numbers["percent"] == 10.5
    with translation.override("hi"):
        assert "17900" in describe(alert) and "फ़ॉलोअर" in describe(alert)
        assert "फ़ॉलोअर" in rule_name(alert.rule)
    assert list(alerts_for_user(cast.sibling_admin)) == []
    assert list(alerts_for_user(cast.district_admin)) == [alert]


def test_beat_runs_every_few_minutes_leave_it_to_the_daily_run(tree):
    account = channel_register(unit=tree.jaipur, platform=Platform.X, name="BJP Jaipur", link="@bjp4jaipur")
    record(account, (TODAY - datetime.timedelta(days=7), 1000), (TODAY, 10))
    assert "followers_drop" not in alerts_evaluate(now=NOW, daily=False)
    assert not Alert.objects.exists()
