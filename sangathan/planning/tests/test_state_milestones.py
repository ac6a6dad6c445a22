"""A state adds deadlines to its plan (block and mandal): services.milestone_add and its page."""

import pytest
from django.urls import reverse

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.org import shaping
from sangathan.org.tests.factories import UserFactory, level, make_unit
from sangathan.planning import services
from sangathan.planning.errors import PlanError
from sangathan.planning.models import Milestone
from sangathan.planning.tests.helpers import D
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree, cast):
    return services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)


def add_url(plan):
    return reverse("planning:milestone_add", args=[plan.pk])


def test_a_block_deadline_reaches_the_plans_below_and_is_audited(tree, cast, plan, client):
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    log_in(client, cast.state_admin)
    data = {"add-level": level("block").pk, "add-kind": "appointed", "add-due_date": "2026-04-20"}
    assert client.post(add_url(plan), data).status_code == 302
    added = plan.milestones.get(level=level("block"), kind="appointed")
    assert added.due_date == D(2026, 4, 20)
    assert jaipur_plan.milestones.get(level=level("block"), kind="appointed").due_date == D(2026, 4, 20)
    assert AuditEntry.objects.get_for_object(added).get().actor == cast.state_admin
    assert AuditEntry.objects.get_for_object(plan).filter(changes_text__startswith="milestone_copied_below").exists()


def test_a_district_cannot_add_to_the_state_plan(tree, cast, plan, client):
    before = Milestone.objects.count()
    log_in(client, cast.district_admin)
    data = {"add-level": level("block").pk, "add-kind": "appointed", "add-due_date": "2026-04-20"}
    assert client.post(add_url(plan), data).status_code == 404  # the state's plan is outside their scope
    assert Milestone.objects.count() == before


def test_a_sibling_district_cannot_add_to_a_district_plan(tree, cast, plan, client):
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    before = Milestone.objects.count()
    log_in(client, cast.sibling_admin)
    data = {"add-level": level("mandal").pk, "add-kind": "appointed", "add-due_date": "2026-04-20"}
    assert client.post(add_url(jaipur_plan), data).status_code == 404
    assert Milestone.objects.count() == before


def test_the_edit_page_offers_the_form_in_hindi(tree, cast, plan, client):
    log_in(client, cast.state_admin, language="hi")
    page = client.get(reverse("planning:edit", args=[plan.pk])).content.decode()
    assert "समय-सीमा जोड़ें" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("add-due_date", "31-04-2026", "Enter a date like"),
        ("add-due_date", "", "Give a date"),
        ("add-due_date", "1999-01-01", "between the years 2000 and 2100"),
        ("add-kind", "channels", "valid choice"),
        ("add-level", "national", "valid choice"),
        ("add-level", "state", "valid choice"),
        ("add-level", "district", "already has this deadline"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(tree, cast, plan, client, field, value, message):
    log_in(client, cast.state_admin)
    data = {"add-level": level("block").pk, "add-kind": "appointed", "add-due_date": "2026-04-20"}
    data[field] = level(value).pk if field == "add-level" else value
    before = Milestone.objects.count()
    response = client.post(add_url(plan), data)
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert Milestone.objects.count() == before


def test_not_later_than_the_plan_above(tree, cast, plan):
    services.milestone_add(plan=plan, level=level("block"), kind="trained", due_date=D(2026, 5, 1), by=None)
    jaipur_plan = services.plan_create(scope=tree.jaipur, by=cast.district_admin)
    jaipur_plan.milestones.filter(level=level("block")).delete()  # as if made before the state's deadline
    with pytest.raises(PlanError) as refused:
        services.milestone_add(plan=jaipur_plan, level=level("block"), kind="trained", due_date=D(2026, 6, 1))
    assert refused.value.code == "looser_than_parent"


def test_a_level_of_another_state_is_refused(tree, cast, plan):
    gujarat = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    admin = UserFactory(username="gj")
    RoleAssignment.objects.create(user=admin, unit=gujarat, role=Role.STATE_ADMIN)
    zone = shaping.state_level_add(state=gujarat, after=level("district"), name_hi="ज़ोन", name_en="Zone", by=admin)
    with pytest.raises(PlanError) as refused:
        services.milestone_add(plan=plan, level=zone, kind="appointed", due_date=D(2026, 4, 1))
    assert refused.value.code == "level_elsewhere"
    own = shaping.state_level_add(state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone")
    assert services.milestone_add(plan=plan, level=own, kind="appointed", due_date=D(2026, 4, 1)).level == own
