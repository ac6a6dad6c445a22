"""Each statement of ``org.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL)."""

import pytest

from sangathan.org import services, sql
from sangathan.org.models import CoverageCounter, Position, PositionFillCounter
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointed(tree):
    """Booth 1's key post filled: one active appointment below every unit above it."""
    position = Position.objects.get(level=tree.booth1.level, is_key=True)
    return services.appointment_create(unit=tree.booth1, position=position, person=PersonFactory())


def _counters(unit):
    units = dict(CoverageCounter.objects.filter(unit=unit).values_list("level_id", "units_total").order_by("level_id"))
    filled = dict(PositionFillCounter.objects.filter(unit=unit).values_list("position_id", "filled"))
    return units, filled


def test_coverage_counters_insert_per_depth(tree, appointed):
    expected = _counters(tree.jaipur)
    CoverageCounter.objects.filter(unit=tree.jaipur).delete()
    PositionFillCounter.objects.filter(unit=tree.jaipur).delete()
    sql.coverage_counters_insert(path=tree.jaipur.path, depth=tree.jaipur.depth)
    assert _counters(tree.jaipur) == expected
    assert expected[1] == {appointed.position_id: 1}
    assert expected[0][tree.booth1.level_id] == 2  # the two booths of Jaipur


def test_coverage_counters_insert_for_the_whole_tree(tree, appointed):
    expected = _counters(tree.rajasthan)
    CoverageCounter.objects.filter(unit=tree.rajasthan).delete()
    PositionFillCounter.objects.filter(unit=tree.rajasthan).delete()
    sql.coverage_counters_insert(path=None, depth=tree.rajasthan.depth)
    assert _counters(tree.rajasthan) == expected


def test_naive_coverage_counts_the_units_below(tree, appointed):
    rows = {level: (total, int(filled or 0)) for level, total, filled in sql.naive_coverage(path=tree.amer.path)}
    assert rows == {tree.booth1.level_id: (2, 1)}  # the block itself is not counted
    assert sql.subtree_condition("path", None) == ("1 = 1", [])
