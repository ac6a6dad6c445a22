"""The ``factcheck-match`` bench row runs on a small archive and reports both timings."""

import pytest

from sangathan.benchmarks import factcheck
from sangathan.factcheck.matching import forget_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_index():
    """The process's matcher index built from this test's claims, and dropped after it."""
    forget_index()
    yield
    forget_index()


def test_the_match_row_times_the_api_and_the_matcher(tree, monkeypatch, fresh_index):
    monkeypatch.setattr(factcheck, "CLAIMS", 200)
    rows, notes = factcheck.run(only=["factcheck-match"], log=lambda message: None, repeat=5, show_progress=False)
    assert notes == []
    [row] = rows
    assert row.name == "factcheck-match" and row.correct is True
    assert len(row.samples) == len(row.baseline_samples) == 5
    assert row.p95_ms is not None and row.baseline_p50_ms is not None and row.passed is not None
    assert factcheck.run(only=["seed"], log=print, repeat=5, show_progress=False) == ([], [])
