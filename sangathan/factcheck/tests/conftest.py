"""Shared fixtures of the factcheck tests: fresh in-memory indexes, two claims, a clean rate-limit cache."""

import pytest
from django.core.cache import cache

from sangathan.factcheck import clusters, matching
from sangathan.factcheck.services import claim_create
from sangathan.factcheck.tests.samples import EVM_HI, NOTES_EN, NOTES_HI


@pytest.fixture
def fresh_indexes():
    """The indexes live per process: a test's rolled-back rows must not stay in them."""
    matching.forget_index()
    clusters.forget_cluster_index()
    cache.clear()
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


@pytest.fixture
def claims(db, fresh_indexes):
    return {
        "notes": claim_create(external_id="notes-2000", texts={"hi": NOTES_HI, "en": NOTES_EN}),
        "evm": claim_create(external_id="evm-hacked", texts={"hi": EVM_HI}),
    }
