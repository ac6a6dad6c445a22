"""The security tests share one world per module: built once inside a transaction that is rolled back
at the end, each test running in a savepoint inside it (pytest-django's ``db``)."""

import pytest
from django.db import connections, transaction

from tests.security.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            yield build_world()
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


# The recruitment app's fixtures (a state campaign open now, a helper that submits applications).
from sangathan.recruitment.tests.conftest import campaign, rubric, submit  # noqa: E402,F401
