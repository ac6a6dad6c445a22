"""The recruitment drive fixtures (a Rajasthan campaign, ``submit``) and the staff pages' applicants."""

import pytest
from django.core.cache import cache

from sangathan.recruitment.tests.conftest import campaign, rubric, submit  # noqa: F401 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import ajmer_app, jaipur_app  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
