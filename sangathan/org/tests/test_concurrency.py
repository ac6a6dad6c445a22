"""Writers racing each other on PostgreSQL, where row locks matter (SQLite lets one writer at a time)."""

import threading

import pytest
from django.db import connection

from sangathan.org import services
from sangathan.org.errors import OrgError
from sangathan.org.models import Appointment
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.org.tests.test_services import assert_counters_match_naive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level locking is a PostgreSQL matter"),
]


def race(*calls):
    """Run the calls at the same moment in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we check
            results[index] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_one_person_cannot_take_two_key_posts_at_once(tree):
    person = PersonFactory()
    rep = position("booth", "representative")
    for _attempt in range(3):
        results = race(
            lambda: services.appointment_create(unit=tree.booth1, position=rep, person=person),
            lambda: services.appointment_create(unit=tree.booth2, position=rep, person=person),
        )
        assert sum(isinstance(r, Appointment) for r in results) == 1
        assert sum(isinstance(r, OrgError) for r in results) == 1
        assert Appointment.objects.filter(person=person, status="active").count() == 1
        assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur, tree.amer)
        Appointment.objects.filter(person=person, status="active").update(status="relieved", end_date="2100-01-01")
        services.committee_dissolve(unit=tree.amer, reason="reset", include_subtree=True)


def test_reconstitute_and_relieve_at_once_keep_history_and_counts(tree):
    keep = services.appointment_create(
        unit=tree.jaipur, position=position("district", "in_charge"), person=PersonFactory()
    )
    newcomer = PersonFactory()
    results = race(
        lambda: services.appointment_relieve(appointment=keep, reason="resigned"),
        lambda: services.committee_reconstitute(
            unit=tree.jaipur, members=[(position("district", "in_charge"), newcomer)], reason="new team"
        ),
    )
    assert not any(isinstance(r, Exception) and not isinstance(r, OrgError) for r in results), results
    keep.refresh_from_db()
    assert keep.status in ("relieved", "dissolved")
    assert (keep.status == "relieved") == (keep.end_reason == "resigned")
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur)


def test_dissolving_a_subtree_while_appointing_below_does_not_deadlock(tree):
    services.appointment_create(unit=tree.jaipur, position=position("district", "in_charge"), person=PersonFactory())
    results = race(
        lambda: services.committee_dissolve(unit=tree.jaipur, reason="rebuild", include_subtree=True),
        lambda: services.appointment_create(
            unit=tree.booth2, position=position("booth", "representative"), person=PersonFactory()
        ),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur, tree.amer)
