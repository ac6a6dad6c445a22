"""The control room's alerts in the scope matrix: an alert at each column's unit (an urgent message's, its title
the marker), the alert list of a unit, acknowledging and assigning an alert. Acting needs the control room at
the alert's unit (operators, in-charges): a sibling district's user gets 404 and changes nothing."""

from django.utils import timezone

from sangathan.access.permissions import VIEW_CONTROL_ROOM
from tests.security.matrix import Endpoint
from tests.security.world import marker


def build(w):
    from sangathan.controlroom.alerts import rules_ensure
    from sangathan.controlroom.models import Alert, AlertRule

    rules_ensure()
    rule = AlertRule.objects.get(kind="urgent_message")
    for column, unit in w.units["unit"].items():
        w.objects.setdefault("alert", {})[column] = Alert.objects.create(
            rule=rule,
            unit=unit,
            path=unit.path,
            subject=f"message:{column}",
            numbers={"done": 0, "total": 2, "percent": 0, "title": marker("alert", column)},
            raised_at=timezone.now(),
        )


def _assign_to_operator(world, column):
    return {"user": world.users["control_room"].pk}


WEB = [
    Endpoint("controlroom.alerts", "controlroom:alerts", action=VIEW_CONTROL_ROOM, obj="unit:unit"),
    Endpoint(
        "controlroom.alert.acknowledge",
        "controlroom:alert_acknowledge",
        "POST",
        VIEW_CONTROL_ROOM,
        "alert",
        data=lambda world, column: {"note": "ZQ called the in-charge"},
    ),
    Endpoint(
        "controlroom.alert.assign",
        "controlroom:alert_assign",
        "POST",
        VIEW_CONTROL_ROOM,
        "alert",
        data=_assign_to_operator,
    ),
]
