"""The membership target as a milestone of the plan (``membership.plan_target`` registered with
``planning.kinds``): a booth reaching the target flips it, pending members never count, a revoked member
flips it back, a sibling district's members never count, and the late list, the snapshot, the dashboard page
and the naive count agree."""

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import reverse

from sangathan.membership import plan_target
from sangathan.membership import services as membership_services
from sangathan.membership.tests.conftest import join
from sangathan.planning import kinds, progress, selectors, snapshots
from sangathan.planning import services as plan_services
from sangathan.planning.errors import PlanError
from sangathan.planning.models import KindCounter, PlanSnapshot, UnitKindMet
from sangathan.planning.tests.helpers import D

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("target_two")]

TODAY = D(2026, 6, 1)
MEMBERS = plan_target.CODE


@pytest.fixture
def target_two():
    with override_settings(MEMBERSHIP_TARGET_PER_BOOTH=2):
        yield


@pytest.fixture
def plan(tree, cast):
    plan = plan_services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)
    booth = tree.booth1.level
    plan_services.milestone_add(plan=plan, level=booth, kind=MEMBERS, due_date=D(2026, 7, 31), by=cast.state_admin)
    plan_services.milestone_add(
        plan=plan, level=tree.jaipur_ac.level, kind=MEMBERS, due_date=D(2026, 8, 31), by=cast.state_admin
    )
    return plan


def members_row(unit, level_code: str = "booth", today=TODAY):
    for level in selectors.dashboard_for_unit(unit, today=today).levels:
        for row in level.milestones:
            if level.level.code == level_code and row.kind == MEMBERS:
                return row.total, row.done, row.overdue
    return None


def refresh_and_check(unit, today=TODAY):
    progress.refresh(today=today)
    assert selectors.fast_rollup(unit, today=today) == selectors.naive_rollup(unit, today=today)


def test_registered_with_planning():
    assert kinds.get(MEMBERS) is plan_target.MEMBERS
    assert MEMBERS in dict(kinds.addable()) and MEMBERS in dict(kinds.choices())
    assert str(kinds.label(MEMBERS)) == "membership target reached"


def test_a_booth_reaching_the_target_flips_the_milestone(tree, plan):
    join(tree.booth1, verify=True)
    join(tree.booth1)  # pending: does not count
    refresh_and_check(tree.rajasthan)
    assert members_row(tree.rajasthan) == (3, 0, 0)

    join(tree.booth1, verify=True)  # the second verified member: the target of 2
    refresh_and_check(tree.rajasthan)
    assert members_row(tree.rajasthan) == (3, 1, 0)
    assert members_row(tree.jaipur) == (2, 1, 0)
    assert members_row(tree.booth1) == (1, 1, 0)
    assert list(UnitKindMet.objects.values_list("unit_id", "kind")) == [(tree.booth1.pk, MEMBERS)]
    # Jaipur North has two booths: it needs 4 verified members, and has 2.
    assert members_row(tree.rajasthan, "assembly") == (2, 0, 0)


def test_a_revoked_member_flips_it_back(tree, plan):
    first = join(tree.booth1, verify=True)
    join(tree.booth1, verify=True)
    refresh_and_check(tree.rajasthan)
    assert members_row(tree.rajasthan) == (3, 1, 0)
    membership_services.member_revoke(member=first, via="not_me")
    refresh_and_check(tree.rajasthan)
    assert members_row(tree.rajasthan) == (3, 0, 0)
    assert not UnitKindMet.objects.exists() and not KindCounter.objects.filter(done__gt=0).exists()


def test_a_sibling_districts_members_never_count(tree, plan):
    for _ in range(5):
        join(tree.ajmer_booth, verify=True)
    refresh_and_check(tree.jaipur)
    assert members_row(tree.jaipur) == (2, 0, 0)
    assert members_row(tree.jaipur_ac, "assembly") == (1, 0, 0)
    assert members_row(tree.ajmer) == (1, 1, 0)
    assert members_row(tree.ajmer_ac, "assembly") == (1, 1, 0)  # one booth: 2 needed, 5 there
    assert members_row(tree.rajasthan) == (3, 1, 0)
    check = selectors.naive_rollup(tree.ajmer, today=TODAY)
    assert check == selectors.fast_rollup(tree.ajmer, today=TODAY)


def test_a_subtree_refresh_moves_the_ancestors_by_the_difference(tree, plan):
    refresh_and_check(tree.rajasthan)
    join(tree.booth2, verify=True)
    join(tree.booth2, verify=True)
    progress.refresh(tree.amer, today=TODAY)  # only Amer's subtree recomputed
    assert members_row(tree.rajasthan) == (3, 1, 0)
    assert selectors.fast_rollup(tree.rajasthan, today=TODAY) == selectors.naive_rollup(tree.rajasthan, today=TODAY)


def test_late_list_and_snapshot_name_the_missed_target(tree, plan):
    join(tree.booth1, verify=True)
    join(tree.booth1, verify=True)
    after = D(2026, 8, 1)  # the booths' deadline (31 July) has passed
    refresh_and_check(tree.rajasthan, today=after)
    assert members_row(tree.rajasthan, today=after) == (3, 1, 2)
    late = selectors.late_units_page(selectors.late_units(tree.rajasthan), today=after)
    missed = {entry.unit.pk: {m.kind for m in entry.missed} for entry in late}
    assert MEMBERS in missed[tree.booth2.pk] and MEMBERS in missed[tree.ajmer_booth.pk]
    assert MEMBERS not in missed.get(tree.booth1.pk, set())

    assert snapshots.snapshot_write(today=after) > 0
    row = PlanSnapshot.objects.get(unit=tree.rajasthan, date=after, level=tree.booth1.level, kind=MEMBERS)
    assert (row.total, row.done, row.overdue) == (3, 1, 2)


def test_the_plan_page_shows_the_target(client, tree, cast, plan):
    join(tree.booth1, verify=True)
    join(tree.booth1, verify=True)
    progress.refresh()
    client.force_login(cast.district_admin)
    page = client.get(reverse("planning:dashboard", args=[tree.jaipur.pk]))
    assert page.status_code == 200
    assert "सदस्यता लक्ष्य पूरा" in page.content.decode()  # Hindi, the default language
    edit = client.get(reverse("planning:edit", args=[plan.pk]))  # the district admin may not edit the state's
    assert edit.status_code in (403, 404)


def test_a_target_deadline_twice_is_refused(tree, cast, plan):
    with pytest.raises(PlanError):
        plan_services.milestone_add(
            plan=plan, level=tree.booth1.level, kind=MEMBERS, due_date=D(2026, 7, 1), by=cast.state_admin
        )


def test_a_kind_the_database_does_not_list_fails_the_system_check(monkeypatch):
    monkeypatch.setitem(
        kinds._registered, "votes", kinds.MilestoneKind(code="votes", label="votes", condition=lambda m: ("1", []))
    )
    assert "planning.E001" in {message.id for message in checks.run_checks()}
    with pytest.raises(ValueError):
        kinds.register(kinds.MilestoneKind(code="Bad code;", label="x", condition=lambda m: ("1", [])))
