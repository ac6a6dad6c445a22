"""The desk's tip list: a district sees its own tips only (not the sibling's, not the tips of no place),
mobiles masked, markup escaped, the matched claim shown only when the reader may see the claim, and a
fixed number of queries whatever the page's length."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangathan.factcheck.models import ReportSource, SeenOn, TipChannel, TipMedia, hash_bands
from sangathan.factcheck.services import TipOriginIn, claim_create, tip_receive
from sangathan.factcheck.tests.samples import EVM_HI, NOTES_HI
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db
URL = "/factcheck/tips/"


@pytest.fixture
def tips(claims, tree):
    claim_create(
        external_id="ajmer-mandi", texts={"hi": "अजमेर की मंडी कल से पूरे हफ़्ते बंद रहेगी, किसान अनाज न लाएँ"}, unit=tree.ajmer
    )
    return {
        "jaipur": tip_receive(channel=TipChannel.CASCADE, text=NOTES_HI, unit=tree.booth1)[0],
        "jaipur_markup": tip_receive(
            channel=TipChannel.CASCADE, text='<script>alert("x")</script> कल बैंक बंद', unit=tree.booth2
        )[0],
        "ajmer": tip_receive(
            channel=TipChannel.CASCADE, text="अजमेर की मंडी कल से पूरे हफ़्ते बंद रहेगी, किसान अनाज न लाएँ", unit=tree.kishangarh
        )[0],
        "nowhere": tip_receive(channel=TipChannel.WEB, text=EVM_HI, reply_mobile="+919829012345")[0],
        "jaipur_mobile": tip_receive(
            channel=TipChannel.WHATSAPP, text=EVM_HI, reply_mobile="+919829054321", unit=tree.jaipur
        )[0],
    }


def test_a_district_sees_only_its_tips_in_hindi(client, cast, tips):
    log_in(client, cast.district_admin, language="hi")
    page = client.get(URL).content.decode()
    assert tips["jaipur"].reference in page and tips["jaipur_mobile"].reference in page
    assert tips["ajmer"].reference not in page and tips["nowhere"].reference not in page
    assert "सूचनाएँ" in page and "अपने-आप जुड़ा" in page


def test_the_sibling_district_sees_none_of_jaipurs(client, cast, tips):
    log_in(client, cast.sibling_admin)
    page = client.get(URL).content.decode()
    assert tips["ajmer"].reference in page
    assert all(tips[name].reference not in page for name in ("jaipur", "jaipur_markup", "jaipur_mobile", "nowhere"))


def test_the_state_sees_all_and_the_tips_of_no_place(client, cast, tips):
    log_in(client, cast.state_admin)
    page = client.get(URL).content.decode()
    assert all(tip.reference in page for tip in tips.values())
    assert "ajmer-mandi" in page  # the Ajmer claim a tip matched is within the state's scope


def test_mobiles_are_masked_and_markup_escaped(client, cast, tips):
    log_in(client, cast.district_admin)
    page = client.get(URL).content.decode()
    assert "9829054321" not in page and "+91 98•••••321" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_the_matched_claim_is_shown_with_its_text_and_the_rumours_count(client, cast, tips):
    log_in(client, cast.district_admin, language="en")
    page = client.get(URL).content.decode()
    assert "notes-2000" in page and "₹2000 notes banned from tomorrow" in page
    assert "This rumour: 2 times, in 1 districts." in page  # the two EVM tips: Jaipur and no place


def test_a_claim_outside_the_readers_scope_is_not_named(client, cast, tree, tips):
    tip_receive(channel=TipChannel.CASCADE, text="अजमेर की मंडी कल से पूरे हफ़्ते बंद रहेगी, किसान अनाज न लाएँ", unit=tree.booth1)
    log_in(client, cast.district_admin)
    assert "ajmer-mandi" not in client.get(URL).content.decode()


def test_someone_without_a_role_sees_no_tip_and_a_visitor_must_sign_in(client, cast, tips):
    assert client.get(URL).status_code == 302
    log_in(client, cast.outsider)
    page = client.get(URL).content.decode()
    assert all(tip.reference not in page for tip in tips.values())


def test_a_tier_filter_and_bad_parameters(client, cast, tips):
    log_in(client, cast.state_admin)
    auto = client.get(URL, {"tier": "auto"}).content.decode()
    assert tips["jaipur"].reference in auto and tips["jaipur_markup"].reference not in auto
    for query in ({"tier": "<x>"}, {"page": "-1"}, {"page": "abc"}, {"page": "99999"}):
        assert client.get(URL, query).status_code == 200


def test_the_query_count_does_not_grow_with_the_tips(client, cast, tips, tree):
    log_in(client, cast.state_admin)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(6):
        # Half reported from a personal link: where it was seen and which link are the tip's own columns.
        origin = TipOriginIn(seen_on=SeenOn.YOUTUBE, reported_from=ReportSource.CASCADE) if n % 2 else None
        tip_receive(
            channel=TipChannel.CASCADE,
            text=f"{EVM_HI} {n}",
            unit=tree.booth2,
            reply_mobile="+919829000000",
            origin=origin,
        )
    with CaptureQueriesContext(connection) as more:
        page = client.get(URL).content.decode()
    assert len(more) == len(few)
    assert page.count("tip-origin") == 3 and "seen on YouTube · Message link" in page


def _pictured_tip(tree, n: int, bits: int) -> None:
    """A tip from a booth of Jaipur with one hashed picture (``bits`` its pHash and dHash)."""
    tip = tip_receive(channel=TipChannel.CASCADE, text=f"{EVM_HI} चित्र {n}", unit=tree.booth1)[0]
    phash = dhash = f"{bits:016x}"
    TipMedia.objects.create(
        tip=tip,
        file=f"factcheck/tips/{n}.png",
        content_type="image/png",
        phash=phash,
        dhash=dhash,
        **hash_bands(phash, dhash),
    )


def test_the_pictures_near_duplicates_take_the_same_queries_for_any_number_of_pictures(
    client, cast, tips, tree, django_assert_num_queries
):
    """Each picture's near-duplicates among the evidence and the earlier tips: two queries for the whole page
    (they were two a picture, each with 5,576 parameters)."""
    rng = random.Random(14)
    log_in(client, cast.state_admin)
    for n in range(3):
        _pictured_tip(tree, n, rng.getrandbits(64))
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(3, 9, 2):  # six more in pairs, the second a few bits from the first: near-duplicates
        bits = rng.getrandbits(64)
        _pictured_tip(tree, n, bits)
        _pictured_tip(tree, n + 1, bits ^ 0b1011)
    with django_assert_num_queries(len(few)):
        page = client.get(URL).content.decode()
    assert page.count('class="tip-picture"') == 9 and page.count("difference 3 of 64") == 3
