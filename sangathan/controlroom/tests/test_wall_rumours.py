"""The wall's "rumours being reported" card: the clusters with the most tips from the unit's subtree in the
last 24 hours, how often, when and from which districts; scoped (a sibling district's wall shows nothing of
another's rumour), bounded in queries, polled with the rest of the panel."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.factcheck import clusters, matching, trending
from sangathan.factcheck.models import Tip, TipChannel
from sangathan.factcheck.services import tip_receive
from sangathan.org.tests.factories import UserFactory
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

BANKS = "कल से सारे बैंक सात दिन बंद रहेंगे, आज ही पैसे निकाल लें"
PETROL = "पेट्रोल पंप तीन दिन तक बंद रहेंगे, टंकी आज ही भरवा लें"


@pytest.fixture
def rumours(tree):
    matching.forget_index()
    clusters.forget_cluster_index()
    for unit in (tree.booth1, tree.booth2, tree.amer):
        tip_receive(channel=TipChannel.CASCADE, text=BANKS, unit=unit)
    tip_receive(channel=TipChannel.CASCADE, text=BANKS, unit=tree.ajmer_booth)
    tip_receive(channel=TipChannel.CASCADE, text=PETROL, unit=tree.ajmer_booth)
    tip_receive(channel=TipChannel.WEB, text=PETROL)  # no unit: on no wall
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


@pytest.fixture
def rooms(tree):
    def user(name, unit):
        made = UserFactory(username=name)
        RoleAssignment.objects.create(user=made, unit=unit, role=Role.CONTROL_ROOM)
        return made

    return {"state": user("room_state", tree.rajasthan), "ajmer": user("room_ajmer", tree.ajmer)}


def test_the_state_wall_shows_the_top_rumours_with_times_and_districts(client, tree, rooms, rumours):
    with translation.override("hi"):  # the districts' names in the reader's language
        rows = trending.rumours_for_wall(user=rooms["state"], unit=tree.rajasthan)
    assert [(row.tips, row.district_count) for row in rows] == [(4, 2), (1, 1)]
    assert rows[0].text == BANKS and sorted(rows[0].districts) == sorted(["अजमेर", "जयपुर"])
    log_in(client, rooms["state"], language="hi")
    with translation.override("hi"):
        page = client.get(reverse("controlroom:panel", args=[tree.rajasthan.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="cr-rumours"' in text
    assert "पिछले 24 घंटों में सूचित अफ़वाहें" in text and "4 बार" in text and "2 ज़िले:" in text
    assert f'data-cluster="{rows[0].cluster_id}" data-tips="4"' in text


def test_a_sibling_districts_wall_does_not_show_the_other_districts_rumour(client, tree, rooms, rumours):
    with translation.override("hi"):
        rows = trending.rumours_for_wall(user=rooms["ajmer"], unit=tree.ajmer)
    assert sorted(row.text for row in rows) == sorted([BANKS, PETROL])
    assert all(row.tips == 1 for row in rows)  # Jaipur's three tips of the bank rumour are not counted
    assert all(row.districts == ["अजमेर"] for row in rows)
    log_in(client, rooms["ajmer"])
    assert client.get(reverse("controlroom:wall", args=[tree.jaipur.pk])).status_code == 404
    page = client.get(reverse("controlroom:wall", args=[tree.ajmer.pk])).content.decode()
    assert 'data-tips="3"' not in page and 'data-tips="4"' not in page


def test_old_tips_leave_the_wall(tree, rooms, rumours):
    later = timezone.now() + datetime.timedelta(hours=25)
    assert trending.rumours_for_wall(user=rooms["state"], unit=tree.rajasthan, now=later) == []
    assert Tip.objects.count() == 6


def test_the_card_is_read_in_a_fixed_number_of_queries(tree, rooms, rumours, django_assert_max_num_queries):
    user = rooms["state"]
    trending.rumours_for_wall(user=user, unit=tree.rajasthan)  # the user's scope is cached per request
    with django_assert_max_num_queries(8):
        trending.rumours_for_wall(user=user, unit=tree.rajasthan)
