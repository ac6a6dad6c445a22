"""The system check: a model tied to a unit without a scope declaration stops the project from starting."""

from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from sangathan.access import checks as scope_checks
from sangathan.access.checks import check_scope_declarations, scope_errors
from sangathan.access.scoping import ScopedManager, ScopeRule
from sangathan.org.models import Unit
from sangathan.training.models import Camp


def test_registered_and_the_real_models_pass():
    assert check_scope_declarations in checks.registry.registry.get_checks()
    assert check_scope_declarations() == []


@isolate_apps("sangathan.access")
def test_a_model_with_a_unit_and_no_scope_fails():
    class Poster(models.Model):
        unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "access"

    errors = scope_errors([Poster], allow_list={}, unit_model=Unit)
    assert [error.id for error in errors] == ["sangathan.E001"]
    assert "access.Poster is tied to a unit (unit)" in errors[0].msg
    # An explicit entry with a reason lets it pass.
    assert scope_errors([Poster], allow_list={"access.Poster": "read through …"}, unit_model=Unit) == []


@isolate_apps("sangathan.access")
def test_a_unit_through_one_relation_counts():
    class Badge(models.Model):  # like training.Attendance: camp → host_unit
        camp = models.ForeignKey(Camp, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "access"

    errors = scope_errors([Badge], allow_list={}, unit_model=Unit)
    assert [error.id for error in errors] == ["sangathan.E001"]
    assert "camp__host_unit" in errors[0].msg


@isolate_apps("sangathan.access")
def test_a_declared_model_passes_and_half_a_declaration_fails():
    class Declared(models.Model):
        camp = models.ForeignKey(Camp, on_delete=models.CASCADE, related_name="+")

        scope_rule = ScopeRule("camp__host_unit__path")
        objects = ScopedManager()

        class Meta:
            app_label = "access"

    class RuleOnly(models.Model):  # restrict() would not exist on its manager
        unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

        scope_rule = ScopeRule("unit__path")

        class Meta:
            app_label = "access"

    class ManagerOnly(models.Model):  # restrict() would fail: no rule
        unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

        objects = ScopedManager()

        class Meta:
            app_label = "access"

    assert scope_errors([Declared], allow_list={}, unit_model=Unit) == []
    errors = scope_errors([RuleOnly, ManagerOnly], allow_list={}, unit_model=Unit)
    assert [error.id for error in errors] == ["sangathan.E002", "sangathan.E002"]


def test_a_declared_model_left_on_the_allow_list_fails(monkeypatch):
    monkeypatch.setitem(scope_checks.SCOPE_ALLOW_LIST, "training.Camp", "stale")
    assert [error.id for error in check_scope_declarations()] == ["sangathan.E003"]
