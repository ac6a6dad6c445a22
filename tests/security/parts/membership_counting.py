"""The membership drive's counting pages in the scope matrix (issue 15): leaderboards, the duplicates queue
and its decisions, the members export. A sibling district's user gets 404 and changes nothing."""

from sangathan.access.permissions import VIEW
from tests.security.matrix import Endpoint

WEB = [
    Endpoint("membership.leaders", "membership:leaders", action=VIEW, obj="unit:unit"),
]
