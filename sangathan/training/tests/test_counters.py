"""The trained-post counters (``training.counters``) against a unit-by-unit count after every kind of write
that moves them: a completion at the roll call and its withdrawal, a trained person appointed elsewhere
and relieved, a unit moved, a subtree dissolved; and the set-based rebuild gives the same rows."""

import pytest
from django.core.management import call_command

from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Unit
from sangathan.org.tests.factories import position
from sangathan.training import counters, services
from sangathan.training.models import Completion, TrainedPostCounter
from sangathan.training.selectors import trained_posts
from sangathan.training.tests.conftest import MONDAY, local

pytestmark = pytest.mark.django_db

AT = local(MONDAY, 10, 20)


def counted() -> dict[int, int]:
    return {uid: n for uid, n in TrainedPostCounter.objects.values_list("unit_id", "trained") if n}


def naive() -> dict[int, int]:
    result = {unit.pk: counters.naive_count(unit) for unit in Unit.objects.all()}
    return {uid: n for uid, n in result.items() if n}


def assert_matches() -> dict[int, int]:
    rows = counted()
    assert rows == naive()
    return rows


def present(camp, person, cast, yes=True):
    services.attendance_mark(camp=camp, person=person, present=yes, by=cast.district_admin, at=AT)


def test_a_completion_counts_on_every_post_of_the_person(tree, cast, camp, people):
    assert counted() == {}
    present(camp, people.booth1_rep, cast)
    assert Completion.objects.filter(person=people.booth1_rep).exists()
    rows = assert_matches()
    # Booth 1's representative: one post, counted at the booth and every unit above it, nowhere else.
    assert rows == {
        unit.pk: 1 for unit in (tree.india, tree.rajasthan, tree.jaipur, tree.jaipur_ac, tree.amer, tree.booth1)
    }
    # A second post of the same trained person (in Ajmer) counts too; the state now has two trained posts.
    extra = org_services.appointment_create(
        unit=tree.ajmer_booth, position=position("booth", "volunteer"), person=people.booth1_rep
    )
    rows = assert_matches()
    assert rows[tree.rajasthan.pk] == 2 and rows[tree.ajmer_booth.pk] == 1
    # Relieved: it stops counting; unticked at the roll call (the completion withdrawn): nothing counts.
    org_services.appointment_relieve(appointment=extra, reason="transfer")
    assert assert_matches()[tree.rajasthan.pk] == 1
    present(camp, people.booth1_rep, cast, yes=False)
    assert not Completion.objects.filter(person=people.booth1_rep).exists()
    assert assert_matches() == {}


def test_an_untrained_appointment_moves_nothing(tree, cast, camp, people):
    present(camp, people.booth2_rep, cast)
    before = assert_matches()
    appointment = org_services.appointment_create(
        unit=tree.kishangarh, position=position("block", "coordinator"), person=people.booth1_rep
    )
    assert assert_matches() == before
    org_services.appointment_relieve(appointment=appointment, reason="transfer")
    assert assert_matches() == before


def test_a_moved_unit_takes_its_count_along(tree, cast, camp, people):
    for person in (people.amer_in_charge, people.booth1_rep, people.booth2_rep):
        present(camp, person, cast)
    assert assert_matches()[tree.jaipur.pk] == 3
    org_services.unit_move(unit=tree.amer, new_parent=tree.ajmer_ac)
    rows = assert_matches()
    assert tree.jaipur.pk not in rows and rows[tree.ajmer.pk] == 3 and rows[tree.rajasthan.pk] == 3


def test_a_dissolved_subtree_stops_counting_in_one_go(tree, cast, camp, people):
    for person in (people.amer_in_charge, people.booth1_rep):
        present(camp, person, cast)
    org_services.committee_dissolve(unit=tree.jaipur, reason="weak performance", include_subtree=True)
    assert not Appointment.objects.filter(unit=tree.booth1, status=Appointment.Status.ACTIVE).exists()
    assert assert_matches() == {}


def test_the_rebuild_gives_the_same_rows(tree, cast, camp, people):
    for person in (people.amer_in_charge, people.booth2_rep):
        present(camp, person, cast)
    org_services.appointment_create(
        unit=tree.ajmer_booth, position=position("booth", "volunteer"), person=people.amer_in_charge
    )
    kept = assert_matches()
    # Whole tree, then one subtree after its rows were damaged (the ancestors move by the difference).
    TrainedPostCounter.objects.all().delete()
    call_command("rebuild_training_counts", verbosity=0)
    assert counted() == kept
    TrainedPostCounter.objects.filter(unit=tree.booth1).update(trained=40)
    TrainedPostCounter.objects.filter(unit=tree.booth2).delete()
    counters.rebuild(tree.amer)
    assert counted() == kept
    with pytest.raises(Exception, match="No unit"):
        call_command("rebuild_training_counts", unit="NOPE", verbosity=0)


def test_the_posts_and_trained_posts_per_unit_in_one_query(tree, cast, camp, people, django_assert_num_queries):
    present(camp, people.booth1_rep, cast)
    with django_assert_num_queries(1):
        numbers = trained_posts(Unit.objects.filter(parent=tree.jaipur_ac))
    # Amer: its in-charge and its two booths' representatives; one of them trained.
    assert numbers == {tree.amer.pk: (3, 1)}
    assert trained_posts(Unit.objects.filter(pk=tree.kishangarh.pk)) == {tree.kishangarh.pk: (1, 0)}
