"""The near-duplicate search's band index (``images.near_rows``) finds exactly what the linear scan finds:
random hashes and hashes at the threshold's edges (t − 1, t, t + 1 bits away, the differing bits packed
into one band, spread evenly over the four or at random), at the default thresholds, at others, at 0, and
past ``BAND_RADIUS_MAX`` (the scan). Bands are stored with the hashes and filled by the migration."""

import random

import pytest
from django.test import override_settings

from sangathan.factcheck import images
from sangathan.factcheck.models import BAND_FIELDS, HASH_BANDS, TipChannel, TipMedia, hash_bands
from sangathan.factcheck.services import tip_receive

pytestmark = pytest.mark.django_db

SEED = 1414


def _hex(bits: int) -> str:
    return f"{bits:016x}"


def _flipped(bits: int, count: int, pattern: str, rng: random.Random) -> int:
    """``bits`` with ``count`` bits flipped: packed into the fewest bands, spread evenly, or at random."""
    if pattern == "packed":
        positions = list(range(count))
    elif pattern == "spread":
        positions = [(i % HASH_BANDS) * 16 + i // HASH_BANDS for i in range(count)]
    else:
        positions = rng.sample(range(64), count)
    for position in positions:
        bits ^= 1 << position
    return bits


def _rows(tip, query: tuple[int, int], thresholds: tuple[int, int], rng: random.Random) -> list[TipMedia]:
    p, d = query
    t_p, t_d = thresholds
    pairs = []
    for pattern in ("packed", "spread", "random"):
        for p_off in (-1, 0, 1):
            for d_off in (-1, 0, 1):
                p_count = min(max(t_p + p_off, 0), 64)
                d_count = min(max(t_d + d_off, 0), 64)
                pairs.append((_flipped(p, p_count, pattern, rng), _flipped(d, d_count, pattern, rng)))
    pairs += [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(200)]
    pairs += [(_flipped(p, rng.randrange(20), "random", rng), _flipped(d, rng.randrange(20), "random", rng))]
    made = []
    for ph, dh in pairs:
        ph_hex, dh_hex = _hex(ph), _hex(dh)
        made.append(
            TipMedia(
                tip=tip,
                file="factcheck/x.png",
                content_type="image/png",
                phash=ph_hex,
                dhash=dh_hex,
                **hash_bands(ph_hex, dh_hex),
            )
        )
    return TipMedia.objects.bulk_create(made)


def _linear(rows: list[TipMedia], p: int, d: int) -> set[tuple[int, int, int]]:
    found = set()
    for row in rows:
        pd, dd = (p ^ int(row.phash, 16)).bit_count(), (d ^ int(row.dhash, 16)).bit_count()
        if images.is_near(pd, dd):
            found.add((row.pk, pd, dd))
    return found


@pytest.mark.parametrize("thresholds", [(12, 12), (7, 13), (0, 0), (15, 3), (20, 20)], ids=str)
def test_the_index_finds_what_the_scan_finds(tree, fresh_indexes, thresholds):
    rng = random.Random(SEED + sum(thresholds))
    tip, _new = tip_receive(channel=TipChannel.WEB, text="चित्र", unit=tree.booth1)
    with override_settings(FACTCHECK_IMAGE_PHASH_MAX=thresholds[0], FACTCHECK_IMAGE_DHASH_MAX=thresholds[1]):
        for _query in range(3):
            query = (rng.getrandbits(64), rng.getrandbits(64))
            TipMedia.objects.all().delete()
            rows = _rows(tip, query, thresholds, rng)
            expected = _linear(rows, *query)
            found = images.near_rows(TipMedia.objects.all(), phash=_hex(query[0]), dhash=_hex(query[1]))
            assert {(row.pk, pd, dd) for pd, dd, row in found} == expected
            assert expected  # the edge rows within the thresholds are there to be found
            assert (images.band_lookup(_hex(query[0]), _hex(query[1])) is None) == (max(thresholds) // 4 > 4)


def test_the_index_reads_only_candidates(tree, fresh_indexes):
    """At the default thresholds a random row is a candidate with a chance of about (4 · 697 / 65,536)²."""
    rng = random.Random(SEED)
    tip, _new = tip_receive(channel=TipChannel.WEB, text="चित्र", unit=tree.booth1)
    query = (rng.getrandbits(64), rng.getrandbits(64))
    rows = _rows(tip, query, (12, 12), rng)
    lookup = images.band_lookup(_hex(query[0]), _hex(query[1]))
    assert lookup is not None
    candidates = TipMedia.objects.filter(lookup).count()
    assert len(_linear(rows, *query)) <= candidates < 60 < len(rows)


def test_a_band_look_up_is_eight_parameters_not_thousands(tree, fresh_indexes):
    """Each band's 697 neighbours go as one parameter (an array, or JSON on SQLite): 8 a picture, where the
    IN lists were 5,576, so a page's pictures fit in one query."""
    lookup = images.band_lookup(_hex(1414), _hex(4141))
    _sql, params = TipMedia.objects.filter(lookup).query.sql_with_params()
    assert len(params) == 2 * HASH_BANDS


def test_bands_are_stored_with_the_hashes(tree, fresh_indexes):
    bands = hash_bands("0123456789abcdef", "fedcba9876543210")
    assert (bands["phash_band0"], bands["phash_band3"]) == (0xCDEF, 0x0123)
    assert (bands["dhash_band0"], bands["dhash_band3"]) == (0x3210, 0xFEDC)
    assert set(hash_bands("", "")) == set(BAND_FIELDS) and set(hash_bands("", "").values()) == {None}
