"""The one ``restrict``: what each declared variant of a scope rule lets a user see."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.permissions import APPOINT, MANAGE_CAMPAIGNS, SEND_MESSAGES, VIEW, VIEW_AUDIT
from sangathan.access.scope import can_anywhere, scope_paths
from sangathan.access.scoping import ScopedQuerySet
from sangathan.audit.models import AuditEntry
from sangathan.org import services
from sangathan.org.models import Level, Person, Unit
from sangathan.org.tests.factories import PersonFactory, UserFactory, position
from sangathan.outreach.models import Message
from sangathan.planning.models import Plan
from sangathan.recruitment.models import Campaign
from sangathan.testing import open_drive

pytestmark = pytest.mark.django_db


def test_no_scope_is_no_rows_without_a_query(cast, tree, django_assert_num_queries):
    scope_paths(cast.outsider)  # the roles are read once per request
    with django_assert_num_queries(0):
        assert list(Unit.objects.restrict(cast.outsider)) == []
        assert list(Person.objects.restrict(cast.outsider, APPOINT)) == []


def test_a_superuser_sees_everything_but_what_the_base_filter_leaves_out(tree):
    boss = UserFactory(is_superuser=True)
    template = Plan.objects.filter(is_template=True).first() or Plan.objects.create(
        is_template=True, title_hi="ढांचा", year=2026
    )
    plan = Plan.objects.create(scope=tree.jaipur, title_hi="योजना", year=2026)
    assert set(Plan.objects.restrict(boss)) == {plan} and template not in Plan.objects.restrict(boss)


def test_also_grants_only_the_declared_actions(cast, tree):
    home_in_ajmer = PersonFactory(home_unit=tree.ajmer_booth)
    services.appointment_create(unit=tree.booth1, position=position("booth", "representative"), person=home_in_ajmer)
    assert Person.objects.restrict(cast.district_admin, VIEW).filter(pk=home_in_ajmer.pk).exists()
    assert Person.objects.restrict(cast.district_admin, "view_personal").filter(pk=home_in_ajmer.pk).exists()
    assert not Person.objects.restrict(cast.district_admin, APPOINT).filter(pk=home_in_ajmer.pk).exists()


def test_from_above_to_view_only(cast, tree):
    state = open_drive(tree, cast.state_admin)
    assert list(Campaign.objects.restrict(cast.district_admin, VIEW)) == [state]
    assert not Campaign.objects.restrict(cast.district_admin, MANAGE_CAMPAIGNS).exists()
    assert not Campaign.objects.restrict(cast.outsider, VIEW).exists()


def test_from_above_with_a_condition(cast, tree):
    booth = Level.objects.get(code="booth")
    draft = Message.objects.create(
        unit=tree.rajasthan, target_level=booth, title="draft", body_hi="सूचना", created_by=cast.state_admin
    )
    sent = Message.objects.create(
        unit=tree.rajasthan,
        target_level=booth,
        title="sent",
        body_hi="सूचना",
        status="sent",
        sent_at=timezone.now(),
        created_by=cast.state_admin,
    )
    assert list(Message.objects.restrict(cast.district_admin, VIEW)) == [sent]
    assert not Message.objects.restrict(cast.district_admin, SEND_MESSAGES).exists()
    assert set(Message.objects.restrict(cast.state_admin, SEND_MESSAGES)) == {draft, sent}


def test_rows_of_no_unit_only_for_a_whole_tree(cast, tree):
    national = UserFactory(username="national")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.NATIONAL_ADMIN)
    kind = ContentType.objects.get_for_model(Level)
    before = {user: set(AuditEntry.objects.restrict(user, VIEW_AUDIT)) for user in (national, cast.state_admin)}
    entry = AuditEntry.objects.create(content_type=kind, object_pk="1", object_repr="booth", action=1, unit_path="")
    assert entry in AuditEntry.objects.restrict(national, VIEW_AUDIT)
    assert set(AuditEntry.objects.restrict(cast.state_admin, VIEW_AUDIT)) == before[cast.state_admin]


def test_can_anywhere(cast, tree):
    assert can_anywhere(cast.viewer, VIEW) and not can_anywhere(cast.viewer, APPOINT)
    assert not can_anywhere(cast.outsider, VIEW)
    assert can_anywhere(UserFactory(is_superuser=True), APPOINT)
    assert can_anywhere(cast.district_admin, APPOINT, within=tree.rajasthan)
    assert not can_anywhere(cast.district_admin, APPOINT, within=tree.ajmer)


def test_restrict_without_a_rule_is_a_configuration_error(cast):
    with pytest.raises(ImproperlyConfigured):
        ScopedQuerySet(model=Level).restrict(cast.state_admin)
