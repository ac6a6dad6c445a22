import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sangathan.org import coverage, services
from sangathan.org.errors import OrgError
from sangathan.org.models import Appointment, CommitteeEvent, CoverageCounter, Person, Unit
from sangathan.org.paths import path_upper_bound, subtree_q
from sangathan.org.phones import normalise_mobile
from sangathan.org.selectors import coverage_for_unit, naive_coverage
from sangathan.org.tests.factories import PersonFactory, level, make_unit, position

pytestmark = pytest.mark.django_db


def counts(unit):
    return {row.level.code: (row.units_total, row.units_key_filled) for row in coverage_for_unit(unit)}


def naive_seats(unit):
    """Filled seats per position strictly below ``unit``, counted from the appointments."""
    rows = (
        Appointment.objects.filter(subtree_q([unit.path], "unit__path"), status="active")
        .exclude(unit=unit)
        .values_list("position_id")
        .annotate(n=Count("id"))
    )
    return {position_id: n for position_id, n in rows if n}


def assert_counters_match_naive(*units):
    for unit in units:
        unit.refresh_from_db()
        rows = coverage_for_unit(unit)
        fast = sorted((row.level.id, row.units_total, row.units_key_filled) for row in rows)
        assert fast == sorted(naive_coverage(unit)), unit
        seats = {p.position.id: p.filled for row in rows for p in row.positions if p.filled}
        assert seats == naive_seats(unit), unit


# ------------------------------------------------------------------ paths


def test_path_upper_bound_carries_over_the_alphabet():
    assert path_upper_bound("0001") == "0002"
    assert path_upper_bound("000Z") == "001"
    assert path_upper_bound("ZZZZ") is None


def test_subtree_is_exactly_the_descendants(tree):
    ids = set(Unit.objects.filter(subtree_q([tree.jaipur.path])).values_list("id", flat=True))
    assert ids == {tree.jaipur.id, tree.jaipur_ac.id, tree.amer.id, tree.booth1.id, tree.booth2.id}


# ------------------------------------------------------------------ units


def test_unit_create_counts_in_every_ancestor(tree):
    assert counts(tree.rajasthan)["booth"] == (3, 0)
    assert counts(tree.jaipur)["booth"] == (2, 0)
    make_unit(tree.amer, "booth", "New booth", number=3)
    assert counts(tree.rajasthan)["booth"] == (4, 0)
    assert counts(tree.india)["booth"] == (4, 0)
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur, tree.ajmer)


def test_level_may_be_skipped_but_not_inverted(tree):
    # A booth directly under an assembly constituency (no block) is fine ...
    make_unit(tree.jaipur_ac, "booth", "Direct booth", number=7)
    # ... a district under a booth is not.
    with pytest.raises(OrgError) as error:
        make_unit(tree.booth1, "district", "Wrong")
    assert error.value.code == "level_order"


def test_duplicate_booth_number_in_parent_is_refused(tree):
    with pytest.raises(OrgError) as error:
        make_unit(tree.amer, "booth", "Another", number=1)
    assert error.value.code == "duplicate_number"
    assert Unit.objects.filter(parent=tree.amer).count() == 2


def test_same_booth_number_in_another_block_is_fine(tree):
    booth = make_unit(tree.kishangarh, "booth", "Kishangarh 2", number=2)  # Amer has a booth 2 already
    assert Unit.objects.get(pk=booth.pk).parent_id == tree.kishangarh.pk
    numbered_two = Unit.objects.filter(level__code="booth", number=2)
    assert sorted(numbered_two.values_list("parent_id", flat=True)) == sorted([tree.amer.pk, tree.kishangarh.pk])
    assert counts(tree.ajmer)["booth"] == (2, 0)


@pytest.mark.parametrize(("name_hi", "name_en"), [("", ""), ("x" * 151, "ok")])
def test_bad_unit_names_are_refused(tree, name_hi, name_en):
    with pytest.raises(OrgError):
        services.unit_create(parent=tree.amer, level=level("booth"), name_hi=name_hi, name_en=name_en, number=9)
    assert not Unit.objects.filter(number=9).exists()


def test_move_refuses_a_cycle(tree):
    with pytest.raises(OrgError) as error:
        services.unit_move(unit=tree.jaipur, new_parent=tree.amer)
    assert error.value.code == "cycle"
    tree.jaipur.refresh_from_db()
    assert tree.jaipur.parent_id == tree.rajasthan.id


def test_move_carries_the_subtree_and_its_counts(tree):
    appoint(tree.amer, "block", "in_charge")
    services.unit_move(unit=tree.amer, new_parent=tree.ajmer_ac)
    moved = Unit.objects.get(pk=tree.amer.pk)
    assert moved.parent_id == tree.ajmer_ac.id
    assert moved.path.startswith(tree.ajmer_ac.path)
    assert Unit.objects.get(pk=tree.booth1.pk).path.startswith(moved.path)
    assert counts(tree.ajmer)["booth"] == (3, 0)
    assert counts(tree.ajmer)["block"] == (2, 1)
    assert "booth" not in counts(tree.jaipur)
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur, tree.ajmer, tree.ajmer_ac)


# ------------------------------------------------------------------ phones and people


@pytest.mark.parametrize(
    "raw", ["98290 12345", "098290-12345", "+91 98290 12345", "919829012345", "9829012345", "+919829012345"]
)
def test_mobile_numbers_are_normalised(raw):
    assert normalise_mobile(raw) == "+919829012345"


@pytest.mark.parametrize(
    "raw", ["", "12345", "abcdefghij", "+1 202 555 0100", "0141 222 3333", "9" * 30, "55555 55555"]
)
def test_bad_mobile_numbers_are_refused(raw):
    with pytest.raises(OrgError):
        normalise_mobile(raw)


def test_person_mobile_is_unique(tree):
    services.person_create(name_en="A", mobile="9829012345")
    with pytest.raises(OrgError) as error:
        services.person_create(name_en="B", mobile="+91 98290 12345")
    assert error.value.code == "mobile_taken"
    assert Person.objects.count() == 1


# ------------------------------------------------------------------ appointments


def appoint(unit, level_code, post, person=None, **kwargs):
    return services.appointment_create(
        unit=unit, position=position(level_code, post), person=person or PersonFactory(), **kwargs
    )


def test_appointing_the_key_post_moves_every_roll_up(tree):
    appoint(tree.booth1, "booth", "representative")
    assert counts(tree.amer)["booth"] == (2, 1)
    assert counts(tree.india)["booth"] == (3, 1)
    tree.booth1.refresh_from_db()
    assert tree.booth1.key_post_filled
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur, tree.amer)


def test_non_key_post_fills_seats_but_not_coverage(tree):
    appoint(tree.booth1, "booth", "volunteer")
    assert counts(tree.amer)["booth"] == (2, 0)
    row = next(r for r in coverage_for_unit(tree.amer) if r.level.code == "booth")
    volunteer = next(p for p in row.positions if p.position.code == "volunteer")
    assert (volunteer.seats_total, volunteer.filled, volunteer.vacant) == (4, 1, 3)


def test_full_seats_are_refused(tree):
    appoint(tree.booth1, "booth", "representative")
    with pytest.raises(OrgError) as error:
        appoint(tree.booth1, "booth", "representative")
    assert error.value.code == "seats_full"
    assert Appointment.objects.filter(unit=tree.booth1, status="active").count() == 1


def test_seats_fill_in_order_up_to_the_limit(tree):
    first = appoint(tree.booth1, "booth", "volunteer")
    second = appoint(tree.booth1, "booth", "volunteer")
    assert (first.seat, second.seat) == (1, 2)
    with pytest.raises(OrgError):
        appoint(tree.booth1, "booth", "volunteer")


def test_one_post_per_person_per_committee(tree):
    person = PersonFactory()
    appoint(tree.booth1, "booth", "representative", person=person)
    with pytest.raises(OrgError) as error:
        appoint(tree.booth1, "booth", "volunteer", person=person)
    assert error.value.code == "already_in_committee"


def test_one_key_post_per_person_per_level(tree):
    person = PersonFactory()
    appoint(tree.booth1, "booth", "representative", person=person)
    with pytest.raises(OrgError) as error:
        appoint(tree.booth2, "booth", "representative", person=person)
    assert error.value.code == "key_post_elsewhere"
    # A post at another level is allowed: a state office-bearer becomes a district in-charge.
    appoint(tree.jaipur, "district", "in_charge", person=person)


def test_position_of_another_level_is_refused(tree):
    with pytest.raises(OrgError) as error:
        appoint(tree.booth1, "district", "in_charge")
    assert error.value.code == "position_level"


def test_relieve_keeps_history_and_frees_the_seat(tree, cast):
    appointment = appoint(tree.booth1, "booth", "representative")
    services.appointment_relieve(appointment=appointment, reason="Moved away", by=cast.state_admin)
    appointment.refresh_from_db()
    assert appointment.status == "relieved"
    assert appointment.end_reason == "Moved away"
    assert appointment.ended_by == cast.state_admin
    assert counts(tree.amer)["booth"] == (2, 0)
    appoint(tree.booth1, "booth", "representative")
    assert Appointment.objects.filter(unit=tree.booth1).count() == 2
    assert_counters_match_naive(tree.india, tree.amer)


def test_relieve_needs_a_reason_and_an_active_appointment(tree):
    appointment = appoint(tree.booth1, "booth", "representative")
    with pytest.raises(OrgError):
        services.appointment_relieve(appointment=appointment, reason="  ")
    services.appointment_relieve(appointment=appointment, reason="done")
    with pytest.raises(OrgError) as error:
        services.appointment_relieve(appointment=appointment, reason="again")
    assert error.value.code == "not_active"


def test_dissolve_one_committee(tree):
    appoint(tree.jaipur, "district", "in_charge")
    appoint(tree.jaipur, "district", "coordinator")
    appoint(tree.booth1, "booth", "representative")
    event = services.committee_dissolve(unit=tree.jaipur, reason="Under-performing")
    assert event.appointments_ended == 2
    assert Appointment.objects.filter(unit=tree.jaipur, status="dissolved").count() == 2
    assert Appointment.objects.filter(unit=tree.booth1, status="active").count() == 1
    assert counts(tree.rajasthan)["district"] == (2, 0)
    assert counts(tree.rajasthan)["booth"] == (3, 1)
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur)


def test_dissolve_a_whole_subtree_in_one_go(tree):
    appoint(tree.jaipur, "district", "in_charge")
    appoint(tree.booth1, "booth", "representative")
    appoint(tree.booth2, "booth", "representative")
    appoint(tree.ajmer_booth, "booth", "representative")
    event = services.committee_dissolve(unit=tree.jaipur, reason="Reorganisation", include_subtree=True)
    assert event.appointments_ended == 3
    assert counts(tree.rajasthan)["booth"] == (3, 1)
    assert counts(tree.jaipur)["booth"] == (2, 0)
    position_row = next(r for r in coverage_for_unit(tree.india) if r.level.code == "booth").positions
    assert next(p for p in position_row if p.position.code == "representative").filled == 1
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur, tree.ajmer)


def test_dissolve_needs_a_reason(tree):
    appoint(tree.jaipur, "district", "in_charge")
    with pytest.raises(OrgError):
        services.committee_dissolve(unit=tree.jaipur, reason="")
    assert Appointment.objects.filter(status="active").count() == 1
    assert not CommitteeEvent.objects.exists()


def test_reconstitute_replaces_the_committee_atomically(tree):
    old = appoint(tree.jaipur, "district", "in_charge")
    newcomer = PersonFactory()
    event = services.committee_reconstitute(
        unit=tree.jaipur, members=[(position("district", "in_charge"), newcomer)], reason="New team"
    )
    assert event.appointments_ended == 1 and event.appointments_made == 1
    old.refresh_from_db()
    assert old.status == "dissolved"
    assert Appointment.objects.get(unit=tree.jaipur, status="active").person == newcomer
    assert counts(tree.rajasthan)["district"] == (2, 1)


def test_reconstitute_is_all_or_nothing(tree):
    old = appoint(tree.jaipur, "district", "in_charge")
    a, b = PersonFactory(), PersonFactory()
    with pytest.raises(OrgError):
        services.committee_reconstitute(
            unit=tree.jaipur,
            members=[(position("district", "in_charge"), a), (position("district", "in_charge"), b)],
            reason="Two in-charges cannot fit one seat",
        )
    old.refresh_from_db()
    assert old.status == "active"
    assert Appointment.objects.filter(unit=tree.jaipur).count() == 1


def test_rebuild_gives_the_same_counters(tree):
    appoint(tree.booth1, "booth", "representative")
    appoint(tree.jaipur, "district", "in_charge")
    before = sorted(CoverageCounter.objects.values_list("unit_id", "level_id", "units_total", "units_key_filled"))
    coverage.rebuild()
    after = sorted(CoverageCounter.objects.values_list("unit_id", "level_id", "units_total", "units_key_filled"))
    assert before == after


def test_coverage_read_is_two_queries_whatever_the_tree(tree, django_assert_num_queries):
    coverage_for_unit(tree.india)  # warm nothing: the selector has no cache
    with django_assert_num_queries(4):
        coverage_for_unit(tree.india)


def test_appointment_write_touches_a_bounded_number_of_rows(tree):
    with CaptureQueriesContext(connection) as queries:
        appoint(tree.booth1, "booth", "representative")
    # +4 since the audit trail: two entries, and their content types (read once per process); +3 for the
    # appointee counters (org.representation: the ancestors, their rows created once, moved)
    assert len(queries) < 27


def test_dissolving_a_subtree_takes_its_own_committee_out_of_the_ancestors(tree):
    appoint(tree.jaipur, "district", "in_charge")
    appoint(tree.jaipur, "district", "coordinator")
    appoint(tree.booth1, "booth", "representative")
    services.committee_dissolve(unit=tree.jaipur, reason="Rebuild", include_subtree=True)
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.jaipur)
    district_row = next(r for r in coverage_for_unit(tree.rajasthan) if r.level.code == "district")
    assert all(p.filled == 0 for p in district_row.positions)


def test_a_person_registered_elsewhere_cannot_be_linked_by_mobile(tree, cast):
    jaipur_person = PersonFactory(home_unit=tree.booth1)
    with pytest.raises(OrgError) as error:
        services.appointment_create_for_mobile(
            unit=tree.ajmer_booth,
            position=position("booth", "volunteer"),
            mobile=jaipur_person.mobile,
            by=cast.sibling_admin,
        )
    assert error.value.code == "person_out_of_scope"
    assert jaipur_person.name_en not in str(error.value)
    assert not Appointment.objects.exists()
    # The state admin, responsible for both districts, may.
    services.appointment_create_for_mobile(
        unit=tree.ajmer_booth, position=position("booth", "volunteer"), mobile=jaipur_person.mobile, by=cast.state_admin
    )


def test_key_post_elsewhere_names_the_other_unit_only_to_those_who_may_see_it(tree, cast):
    person = PersonFactory(home_unit=tree.ajmer_booth)
    appoint(tree.booth1, "booth", "representative", person=person)
    with translation.override("en"):
        with pytest.raises(OrgError) as error:
            appoint(tree.ajmer_booth, "booth", "representative", person=person, by=cast.sibling_admin)
        assert "Amer" not in str(error.value) and person.name_en not in str(error.value)
        with pytest.raises(OrgError) as error:
            appoint(tree.ajmer_booth, "booth", "representative", person=person, by=cast.state_admin)
        assert "Amer School" in str(error.value)


def test_booth_numbers_are_unique_within_the_assembly_constituency(tree):
    second_block = make_unit(tree.jaipur_ac, "block", "Sanganer")
    with pytest.raises(OrgError) as error:
        make_unit(second_block, "booth", "Clash", number=1)  # booth 1 exists in block Amer of the same AC
    assert error.value.code == "duplicate_number"
    make_unit(second_block, "booth", "Fine", number=3)
    make_unit(tree.kishangarh, "booth", "Other AC", number=2)  # another AC: its own numbering


def test_relieving_an_appointment_that_starts_later_ends_it_on_its_start(tree):
    import datetime

    from django.utils import timezone

    start = timezone.localdate() + datetime.timedelta(days=30)
    appointment = appoint(tree.booth1, "booth", "representative", start_date=start)
    services.appointment_relieve(appointment=appointment, reason="Changed our mind")
    appointment.refresh_from_db()
    assert appointment.end_date == start


def test_percent_is_floored(tree):
    from sangathan.org.selectors import LevelCoverage

    assert LevelCoverage(level=level("booth"), units_total=200, units_key_filled=199).percent == 99


def test_reconstitute_needs_a_short_reason(tree):
    with pytest.raises(OrgError):
        services.committee_reconstitute(
            unit=tree.jaipur, members=[(position("district", "in_charge"), PersonFactory())], reason="x" * 501
        )
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("raw", ["९८२९० १२३४५", "+91 ९८२९०१२३४५"])
def test_devanagari_digits_are_read(raw):
    assert normalise_mobile(raw) == "+919829012345"


def test_unicode_superscripts_are_not_digits():
    with pytest.raises(OrgError):
        normalise_mobile("98290 1234²")


def test_rebuild_coverage_command(tree):
    from django.core.management import call_command

    appoint(tree.booth1, "booth", "representative")
    CoverageCounter.objects.update(units_key_filled=0)  # as if something had gone wrong
    call_command("rebuild_coverage", verbosity=0)
    assert_counters_match_naive(tree.india, tree.rajasthan, tree.amer)
    call_command("rebuild_coverage", unit=tree.jaipur.pk, verbosity=0)
    assert_counters_match_naive(tree.india, tree.jaipur)
