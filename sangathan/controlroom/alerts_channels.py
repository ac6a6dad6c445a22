"""The control room's rule on official accounts: "an official account lost over 10% of its followers in a week"
(kind ``followers_drop``; ``threshold`` is the percentage), registered in the alert registry of
``sangathan.controlroom.alerts`` (imported from ``ControlRoomConfig.ready``).

The numbers are the accounts' daily snapshots (``channels.selectors.follower_drops``: the latest total of the
last two days against the earliest of the week's first two days, so one day the daily run missed hides
nothing). One alert per account and week (the period is the Monday of the week of the latest total), raised at
the account's unit. Evaluated by the daily run, after the accounts' numbers are read (order 35 < 42).
"""

import datetime
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangathan.channels.selectors import follower_drops
from sangathan.controlroom.alerts import Finding, RuleKind, register_rule
from sangathan.controlroom.models import Alert, AlertRule

WEEK_DAYS = 7


def followers_drop(rule: AlertRule, now: datetime.datetime) -> Iterator[Finding]:
    today = timezone.localdate(now)
    for drop in follower_drops(today=today, days=WEEK_DAYS, percent=float(rule.threshold)):
        week = drop.after_day - datetime.timedelta(days=drop.after_day.weekday())
        yield Finding(
            unit_id=drop.unit_id,
            path=drop.unit_path,
            subject=f"channel:{drop.channel_id}",
            period=week.isoformat(),
            numbers={
                "name": drop.name[:150],
                "before": drop.before,
                "after": drop.after,
                "percent": drop.percent_lost,
                "since": drop.before_day.isoformat(),
            },
        )


def _describe(alert: Alert) -> str:
    return _("Official account “%(name)s” lost %(percent)s%% of its followers in a week (%(before)s → %(after)s).") % (
        alert.numbers
    )


register_rule(
    "followers_drop",
    RuleKind(
        evaluate=followers_drop,
        describe=_describe,
        defaults={"name": gettext_lazy("Official account lost over 10% of its followers in a week"), "threshold": 10},
        daily=True,
    ),
)
