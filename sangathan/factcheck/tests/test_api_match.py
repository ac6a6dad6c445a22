"""The matcher's endpoint cuts to ``limit`` among the claims the caller may see: a sibling district's claim
that matches better takes none of the caller's places."""

import pytest

from sangathan.factcheck.tests.samples import NOTES_HI
from sangathan.factcheck.tests.test_api import API, api

pytestmark = pytest.mark.django_db

# The notes rumour shortened: a good match of NOTES_HI, not as good as the rumour word for word.
NOTES_SHORT_HI = "कल से ₹2000 के नोट बंद, कोई दुकान इन्हें नहीं लेगा"
NOTES_SHORT_EN = "₹2000 notes banned from tomorrow, shops will refuse them"


def candidates(user, limit: int) -> list[int]:
    """The ids of the claims offered for the rumour, best first (scores move with the index's IDF)."""
    response = api(user).post(f"{API}/match/", {"text": NOTES_HI, "limit": limit}, format="json")
    assert response.status_code == 200, response.data
    return [candidate["claim"]["id"] for candidate in response.data["candidates"]]


def test_a_sibling_districts_better_claim_does_not_change_what_limit_one_returns(checkers, open_claim, tree):
    own = open_claim(hi=NOTES_SHORT_HI, en=NOTES_SHORT_EN)
    assert candidates(checkers.jaipur, 1) == [own.pk]

    ajmer = open_claim(unit=tree.ajmer, by=checkers.ajmer)  # the rumour word for word
    assert candidates(checkers.control_room, 2) == [ajmer.pk, own.pk]  # it ranks first

    assert candidates(checkers.jaipur, 1) == [own.pk]
    assert candidates(checkers.jaipur, 5) == [own.pk]  # and the sibling's claim is not among the rest


def test_one_match_is_three_queries(checkers, open_claim, tree, django_assert_max_num_queries):
    """The index's two freshness look-ups and the candidates' texts with their claims (roles read once)."""
    own = open_claim(hi=NOTES_SHORT_HI, en=NOTES_SHORT_EN)
    client = api(checkers.jaipur)
    client.post(f"{API}/match/", {"text": NOTES_HI}, format="json")  # the index and the role cache warm
    with django_assert_max_num_queries(3):
        response = client.post(f"{API}/match/", {"text": NOTES_HI, "limit": 3}, format="json")
    assert [candidate["claim"]["id"] for candidate in response.data["candidates"]] == [own.pk]
    assert response.data["candidates"][0]["text"] == NOTES_SHORT_EN  # the client speaks English
