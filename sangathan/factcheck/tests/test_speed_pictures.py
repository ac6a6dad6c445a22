"""``speed.measure_pictures`` (docs/benchmarks.md) runs on a few pictures, finds what the scan finds and
leaves nothing behind."""

import pytest

from sangathan.factcheck.models import TipMedia
from sangathan.factcheck.speed import measure_pictures

pytestmark = pytest.mark.django_db


def test_the_picture_measurement_agrees_with_the_scan_and_cleans_up(fresh_indexes):
    timings = measure_pictures(pictures=300, queries=4)
    assert timings.same_results and timings.pictures == 300
    assert timings.index_candidates_median < 300
    assert not TipMedia.objects.exists()
