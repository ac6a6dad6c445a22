"""The public pages that read or change somebody's data (the status page and the data actions after it)
in the same world as the scope matrix: every role, signed in at Jaipur, and an anonymous visitor, against
an application at every column. A login is not a key to the public pages, and neither is a reference or
a mobile number: without the code sent to the application's number nobody sees or changes anything."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from sangathan.notifications.models import OutboxMessage
from sangathan.recruitment.models import Application
from tests.security.guards import snapshot
from tests.security.world import COLUMNS, NO_ROLE, ROLES, marker

WHO = (*ROLES, NO_ROLE, "anonymous")
PENDING_RE = re.compile(r'name="pending" value="([^"]+)"')


@pytest.mark.parametrize("who", WHO)
def test_no_role_and_no_column_sees_an_application_without_its_code(who, world, db):
    client = world.client
    client.cookies.clear()
    if who != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[world.users[who].pk]
    before = snapshot()
    last = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for column in COLUMNS:
        cache.clear()
        application = world.objects["application"][column]
        where = f"{who} at Jaipur, application at {column}"
        first = client.post(
            reverse("apply:status"),
            {"step": "lookup", "reference": application.reference, "mobile": application.mobile},
        )
        html = first.content.decode()
        assert first.status_code == 200 and marker("applicant", column) not in html, where
        pending = PENDING_RE.search(html).group(1)
        code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.filter(template="mobile_code").latest("pk").body)
        guess = f"{(int(code.group(1)) + 1) % 10**6:06d}"
        second = client.post(reverse("apply:status"), {"step": "code", "pending": pending, "code": guess})
        html = second.content.decode()
        assert marker("applicant", column) not in html and 'name="ticket"' not in html, where
        for name in ("my_json", "correct", "erase"):
            answer = client.post(reverse(f"privacy:{name}"), {"ticket": pending, "details": "x", "confirm": "on"})
            assert answer.status_code == 400, f"{where}: privacy:{name} answered {answer.status_code}"
        assert Application.objects.get(pk=application.pk).name_en == marker("applicant", column), where
    # Nothing but the codes' own rows and messages changed.
    assert snapshot() == before or _only_codes_changed(before, after=last)


def _only_codes_changed(before: str, *, after: int) -> bool:
    """Whether the codes sent by this test (messages after ``after``; the world has codes of its own, e.g. the
    membership part's sign-ups) are all that changed."""
    OutboxMessage.objects.filter(template="mobile_code", pk__gt=after).delete()
    return snapshot() == before
