"""The fact-check desk's API (/api/v1/factcheck/; issues 14 and 16) in the scope matrix.

The world's tips (one at each column's booth or unit, ``world._factcheck``) and claims (one at each column's
unit, ``parts/factcheck_desk.py``) are the objects. Working on a tip or a claim needs the desk's action
(``factcheck.desk.DESK`` = ``fact_check``) at its unit: a sibling district's user gets 404 and changes
nothing; a viewer in scope gets 403. Reporting a tip and matching a text take their place in the body."""

from sangathan.access.permissions import FACT_CHECK
from tests.security.matrix import Endpoint
from tests.security.world import marker

DESK = FACT_CHECK
_J = {"json": True}


def _d(**values):
    return lambda world, column: values


def _claim_of(world, column):
    return {"claim": world.objects["claim"][column].pk}


API = [
    # tips
    Endpoint("api.factcheck.tips", "factcheck_api:tip-list", markers=(("tip", False),), **_J),
    Endpoint(
        "api.factcheck.tip_report",
        "factcheck_api:tip-list",
        "POST",
        data=lambda world, column: {"unit": world.units["booth"][column].pk, "text": "ZQ नई अफ़वाह देखी"},
        body_unit=True,
        **_J,
    ),
    Endpoint("api.factcheck.tip", "factcheck_api:tip-detail", obj="tip", **_J),
    Endpoint("api.factcheck.tip_link", "factcheck_api:tip-link", "POST", DESK, "tip", data=_claim_of, **_J),
    Endpoint("api.factcheck.tip_unlink", "factcheck_api:tip-unlink", "POST", DESK, "tip", data=_d(), **_J),
    # claims
    Endpoint("api.factcheck.claims", "factcheck_api:claim-list", markers=(("claim", False),), **_J),
    Endpoint(
        "api.factcheck.claim_create",
        "factcheck_api:claim-list",
        "POST",
        DESK,
        data=lambda world, column: {"unit": world.units["unit"][column].pk, "text_hi": "ZQ नया दावा"},
        body_unit=True,
        nowhere=(400, 403, 404),
        **_J,
    ),
    Endpoint("api.factcheck.claim", "factcheck_api:claim-detail", obj="claim", **_J),
    Endpoint(
        "api.factcheck.claim_patch",
        "factcheck_api:claim-detail",
        "PATCH",
        DESK,
        "claim",
        data=_d(text_hi="ZQ बदला", rebuttal_hi="ZQ खंडन"),
        **_J,
    ),
    Endpoint(
        "api.factcheck.claim_transition",
        "factcheck_api:claim-transition",
        "POST",
        DESK,
        "claim",
        data=_d(to="triage"),
        **_J,
    ),
    Endpoint("api.factcheck.claim_publish", "factcheck_api:claim-publish", "POST", DESK, "claim", data=_d(), **_J),
    Endpoint(
        "api.factcheck.claim_assign", "factcheck_api:claim-assign", "POST", DESK, "claim", data=_d(assignee=None), **_J
    ),
    Endpoint("api.factcheck.claim_escalate", "factcheck_api:claim-escalate", "POST", DESK, "claim", data=_d(), **_J),
    Endpoint("api.factcheck.claim_answer", "factcheck_api:claim-answer", "POST", DESK, "claim", data=_d(), **_J),
    # matching: a read that answers only with the claims the caller sees (its body names no place)
    Endpoint(
        "api.factcheck.match",
        "factcheck_api:match",
        "POST",
        data=lambda world, column: {"text": marker("claim", column)},
        body_unit=True,
        **_J,
    ),
]
