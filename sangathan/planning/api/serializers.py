"""Input and output serializers of the plan API: one per operation, no business logic (the rules of
plans are ``planning.services``'). Output serializers read objects fetched with ``select_related`` /
``prefetch_related`` by the views, so they never query."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sangathan.org.api.serializers import LevelCodeField, LevelOutputSerializer, ScopedPrimaryKeyRelatedField
from sangathan.org.models import Unit
from sangathan.planning import kinds
from sangathan.planning.models import Milestone, Plan
from sangathan.planning.services import TITLE_MAX


class MilestoneOutputSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "plan", "level", "kind", "kind_label", "due_date", "programme_code", "platforms"]
        read_only_fields = fields


class PlanOutputSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="scope_id", read_only=True)
    milestones = MilestoneOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "unit", "parent", "title_hi", "title_en", "year", "created_at", "updated_at", "milestones"]
        read_only_fields = fields


class PlanCreateInputSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("unit"))
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, label=_("year"))
    title_hi = serializers.CharField(max_length=TITLE_MAX, allow_blank=True, default="", label=_("title (Hindi)"))
    title_en = serializers.CharField(max_length=TITLE_MAX, allow_blank=True, default="", label=_("title (English)"))


class KindField(serializers.ChoiceField):
    """Every kind of milestone, registered ones included (``planning.kinds``): the choices are read when a
    serializer is made (DRF copies declared fields per instance by calling ``__init__`` again)."""

    def __init__(self, **kwargs):
        super().__init__(choices=kinds.choices(), **kwargs)


class MilestoneAddInputSerializer(serializers.Serializer):
    level = LevelCodeField(label=_("level"))
    # Every kind, as the other operations name them; the service accepts those a deadline can be added for
    # (``kinds.addable``) and says so in the caller's language.
    kind = KindField(label=_("what"))
    due_date = serializers.DateField(label=_("deadline"))


class MilestoneUpdateInputSerializer(serializers.Serializer):
    due_date = serializers.DateField(label=_("deadline"))


# ---------------------------------------------------------------- progress


class MilestoneProgressOutputSerializer(serializers.Serializer):
    kind = KindField()
    kind_label = serializers.CharField()
    due_date = serializers.DateField(help_text=_("The governing plan's deadline."))
    earliest_due = serializers.DateField(
        allow_null=True, help_text=_("The earliest deadline of a plan below, when one is earlier.")
    )
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    overdue = serializers.IntegerField()
    pending = serializers.IntegerField()
    percent = serializers.IntegerField()
    days_left = serializers.IntegerField()


class LevelProgressOutputSerializer(serializers.Serializer):
    level = LevelOutputSerializer()
    milestones = MilestoneProgressOutputSerializer(many=True)


class ProgressOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    plan = serializers.IntegerField(allow_null=True, help_text=_("The plan that sets this unit's deadlines."))
    today = serializers.DateField()
    refreshed_at = serializers.DateTimeField(allow_null=True)
    sub_plans = serializers.IntegerField()
    levels = LevelProgressOutputSerializer(many=True)


class ChildProgressOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit.pk")
    name_hi = serializers.CharField(source="unit.name_hi")
    name_en = serializers.CharField(source="unit.name_en")
    number = serializers.IntegerField(source="unit.number", allow_null=True)
    level = serializers.CharField(source="unit.level.code")
    levels = LevelProgressOutputSerializer(many=True)
