import pytest


@pytest.fixture(autouse=True)
def fresh_readiness(settings):
    """Every request to /readyz checks anew (no per-process copy from an earlier test)."""
    settings.READYZ_CACHE_SECONDS = 0
