"""A tip leaving its cluster (a picture's re-match, the desk's link or unlink) keeps both clusters' counters
and district rows equal to a count of their tips from scratch (``services.tip_cluster_move``)."""

import pytest

from sangathan.factcheck import actions, images
from sangathan.factcheck.models import Tier, Tip, TipChannel, TipCluster, TipClusterDistrict
from sangathan.factcheck.services import tip_receive
from sangathan.factcheck.tests.samples import NOTES_HI
from sangathan.factcheck.tests.test_images import poster_bytes, upload
from sangathan.factcheck.tips import district_of

pytestmark = pytest.mark.django_db

# Matches no claim (the claims fixture holds the notes and the EVM rumours): its tips cluster together only.
CROCODILE_HI = "गांव के तालाब में मगरमच्छ देखा गया, बच्चों को बाहर न भेजें"


def recount() -> dict[int, tuple[int, int, set[int]]]:
    """Every cluster's (tips, districts, district rows) counted from the tips, ignoring the counters."""
    found: dict[int, tuple[int, int, set[int]]] = {}
    for cluster in TipCluster.objects.order_by("pk"):
        tips = list(Tip.objects.filter(cluster=cluster).select_related("unit"))
        districts = {district.pk for district in (district_of(tip.unit) for tip in tips) if district is not None}
        found[cluster.pk] = (len(tips), len(districts), districts)
    return found


def counters() -> dict[int, tuple[int, int, set[int]]]:
    """Every cluster's (tip_count, district_count, district rows) as stored."""
    rows: dict[int, set[int]] = {}
    for cluster_id, district_id in TipClusterDistrict.objects.values_list("cluster_id", "district_id"):
        rows.setdefault(cluster_id, set()).add(district_id)
    return {
        cluster.pk: (cluster.tip_count, cluster.district_count, rows.get(cluster.pk, set()))
        for cluster in TipCluster.objects.order_by("pk")
    }


def test_a_picture_rematch_leaves_the_old_clusters_counters_equal_to_a_recount(
    claims, tree, monkeypatch, django_capture_on_commit_callbacks
):
    """Three tips of one unmatched rumour (Jaipur twice, Ajmer once); the Ajmer tip's and one Jaipur tip's
    pictures show the notes rumour, so both move to the claim's cluster: the old one keeps one tip and
    Jaipur only (its Ajmer row goes), the claim's cluster counts both districts."""
    monkeypatch.setattr(images, "picture_text", lambda image: NOTES_HI)
    with django_capture_on_commit_callbacks(execute=True):
        stays, _new = tip_receive(channel=TipChannel.WEB, text=CROCODILE_HI, unit=tree.booth1)
        jaipur, _new = tip_receive(
            channel=TipChannel.WEB, text=CROCODILE_HI, media=[upload(poster_bytes(4))], unit=tree.booth2
        )
        ajmer, _new = tip_receive(
            channel=TipChannel.WEB, text=CROCODILE_HI, media=[upload(poster_bytes(5))], unit=tree.ajmer_booth
        )
    old = stays.cluster_id
    assert jaipur.cluster_id == ajmer.cluster_id == old  # clustered together on arrival
    for tip in (stays, jaipur, ajmer):
        tip.refresh_from_db()
    assert stays.cluster_id == old and stays.tier == Tier.NONE
    assert (jaipur.tier, ajmer.tier) == (Tier.AUTO, Tier.AUTO)
    assert jaipur.cluster_id == ajmer.cluster_id == TipCluster.objects.get(claim=claims["notes"]).pk

    assert counters() == recount()
    assert counters()[old] == (1, 1, {tree.jaipur.pk})
    assert counters()[ajmer.cluster_id] == (2, 2, {tree.jaipur.pk, tree.ajmer.pk})


def test_an_image_only_tip_leaves_no_district_behind(claims, tree, monkeypatch, django_capture_on_commit_callbacks):
    """The case the re-match got wrong: a picture alone arrives in a cluster of its own, which counted its
    district; once the tip moves that cluster holds nothing, and counts nothing."""
    monkeypatch.setattr(images, "picture_text", lambda image: NOTES_HI)
    with django_capture_on_commit_callbacks(execute=True):
        tip, _new = tip_receive(channel=TipChannel.WEB, media=[upload(poster_bytes(6))], unit=tree.ajmer_booth)
    first = tip.cluster_id
    tip.refresh_from_db()
    assert tip.cluster_id != first
    assert counters()[first] == (0, 0, set())
    assert counters() == recount()


def test_the_desks_unlink_and_link_leave_every_clusters_counters_equal_to_a_recount(claims, tree, checkers):
    """The notes rumour from two Jaipur booths and an Ajmer one, in the claim's cluster; each desk unlinks
    its own district's tip, then Jaipur links the last one to the EVM claim: after every step the counters and
    the district rows are what a count of the tips gives."""
    booth1, _new = tip_receive(channel=TipChannel.WEB, text=NOTES_HI, unit=tree.booth1)
    booth2, _new = tip_receive(channel=TipChannel.WEB, text=NOTES_HI + " !!", unit=tree.booth2)
    ajmer, _new = tip_receive(channel=TipChannel.WEB, text=NOTES_HI + " ??", unit=tree.ajmer_booth)
    claim_cluster = booth1.cluster_id
    assert booth2.cluster_id == ajmer.cluster_id == claim_cluster
    assert counters() == recount()
    assert counters()[claim_cluster] == (3, 2, {tree.jaipur.pk, tree.ajmer.pk})

    actions.tip_unlink(tip=ajmer, by=checkers.ajmer)
    assert counters() == recount()
    assert counters()[claim_cluster] == (2, 1, {tree.jaipur.pk})  # Ajmer's last tip gone: its row too

    actions.tip_unlink(tip=booth2, by=checkers.jaipur)
    assert counters() == recount()
    assert counters()[claim_cluster] == (1, 1, {tree.jaipur.pk})  # booth 1 still speaks for Jaipur

    actions.tip_link(tip=booth1, claim=claims["evm"], by=checkers.jaipur)  # out of the notes claim's cluster
    booth1.refresh_from_db()
    assert booth1.cluster_id != claim_cluster
    assert counters() == recount()
    assert counters()[claim_cluster] == (0, 0, set())
