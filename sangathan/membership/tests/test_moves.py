"""The membership counters when a unit moves: the subtree's members come off the old ancestors and go onto
the new ones, in the move's transaction, equal to a naive count afterwards (review finding: they drifted)."""

import pytest

from sangathan.membership import counters
from sangathan.membership.models import MemberCounter
from sangathan.membership.seeding import members_seed
from sangathan.org import services as org_services
from sangathan.org.models import Unit
from sangathan.org.seeding import seed

pytestmark = pytest.mark.django_db


def test_moving_a_unit_moves_its_members_between_ancestors():
    seed("demo")
    members_seed(count=300)
    booth = Unit.objects.filter(member_counter__verified__gt=0).order_by("-depth", "pk").first()
    old_parent = booth.parent
    new_parent = Unit.objects.filter(level=old_parent.level).exclude(pk=old_parent.pk).first()
    moved = MemberCounter.objects.get(unit=booth).verified
    before_new = counters.naive_counts(new_parent)

    org_services.unit_move(unit=booth, new_parent=new_parent)

    for unit in (old_parent, new_parent, *Unit.objects.filter(depth__lte=3)):
        unit.refresh_from_db()
        row = MemberCounter.objects.filter(unit=unit).first()
        assert (row.verified if row else 0, row.pending if row else 0) == counters.naive_counts(unit), unit
    assert counters.naive_counts(new_parent)[0] == before_new[0] + moved
