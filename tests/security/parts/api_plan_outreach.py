"""The plan's and the message cascade's API (/api/v1/plan/, /api/v1/outreach/; issue 16) in the scope matrix.

The world's plans (a plan at each column's unit) and messages (a draft and a sent message at each) are
``world._plans`` / ``world._outreach``; here only a deadline of each column's plan is named."""

from sangathan.access.permissions import APPROVE_MESSAGES, MANAGE_PLAN, SEND_MESSAGES
from tests.security.matrix import NEXT_WEEK, Endpoint


def build(w):
    for column, plan in w.objects["plan"].items():
        w.objects.setdefault("milestone", {})[column] = plan.milestones.order_by("pk").first()


def _d(**values):
    return lambda world, column: values


_J = {"json": True}

API = [
    # the plan
    Endpoint("api.plan.list", "planning_api:plan-list", markers=(("plan", False),), **_J),
    Endpoint(
        "api.plan.create",
        "planning_api:plan-list",
        "POST",
        MANAGE_PLAN,
        data=lambda world, column: {"unit": world.units["deep"][column].pk, "year": 2026},
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.plan", "planning_api:plan-detail", obj="plan", **_J),
    Endpoint(
        "api.plan.milestone_add",
        "planning_api:milestone-add",
        "POST",
        MANAGE_PLAN,
        "plan",
        data=_d(level="mandal", kind="appointed", due_date=NEXT_WEEK),
        **_J,
    ),
    Endpoint("api.plan.milestone", "planning_api:milestone-detail", obj="milestone", **_J),
    Endpoint(
        "api.plan.milestone.patch",
        "planning_api:milestone-detail",
        "PATCH",
        MANAGE_PLAN,
        "milestone",
        data=_d(due_date=NEXT_WEEK),
        **_J,
    ),
    Endpoint("api.plan.progress", "planning_api:unit-progress", obj="unit:unit", **_J),
    Endpoint("api.plan.progress.children", "planning_api:unit-children-progress", obj="unit:unit", **_J),
    # the message cascade
    Endpoint("api.outreach.list", "outreach_api:message-list", markers=(("message", False), ("sent", True)), **_J),
    Endpoint(
        "api.outreach.create",
        "outreach_api:message-list",
        "POST",
        SEND_MESSAGES,
        data=lambda world, column: {
            "unit": world.units["unit"][column].pk,
            "target_level": "booth",
            "title": "ZQNEWMESSAGE",
            "body_hi": "ZQ नया संदेश",
        },
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.outreach.message", "outreach_api:message-detail", obj="message", **_J),
    Endpoint("api.outreach.sent", "outreach_api:message-detail", obj="sent_message", parent_visible=True, **_J),
    Endpoint(
        "api.outreach.message.patch",
        "outreach_api:message-detail",
        "PATCH",
        SEND_MESSAGES,
        "message",
        data=_d(title="ZQX"),
        **_J,
    ),
    *[
        Endpoint(f"api.outreach.{step}", f"outreach_api:message-{step}", "POST", action, "message", data=_d(), **_J)
        for step, action in (
            ("submit", SEND_MESSAGES),
            ("approve", APPROVE_MESSAGES),
            ("return", APPROVE_MESSAGES),
            ("send", SEND_MESSAGES),
            ("resume", SEND_MESSAGES),
        )
    ],
    Endpoint("api.outreach.tracking", "outreach_api:message-tracking", obj="sent_message", parent_visible=True, **_J),
    Endpoint("api.outreach.rule", "outreach_api:approval-rule", obj="unit:unit", arg="unit_id", **_J),
    Endpoint(
        "api.outreach.rule.put",
        "outreach_api:approval-rule",
        "PUT",
        APPROVE_MESSAGES,
        "unit:unit",
        arg="unit_id",
        data=_d(four_eyes=True),
        **_J,
    ),
]
