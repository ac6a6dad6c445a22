"""Input and output serializers of the control-room API: one per operation (see ``views``)."""

from django.urls import reverse
from rest_framework import serializers

from sangathan.controlroom.models import COUNTERS, ActivityReport, ActivityRollup, Alert, StateReport
from sangathan.controlroom.scorecards import KEYS


class RollupOutputSerializer(serializers.ModelSerializer):
    """A day's roll-up of one unit and one level below it (the unit itself included). ``unit`` is the id of the
    unit whose subtree it counts (``context["units"]`` maps paths to ids)."""

    unit = serializers.SerializerMethodField()
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ActivityRollup
        fields = ["day", "unit", "path", "level", "bearers", "reported", "units_reported", "recent", *COUNTERS]
        read_only_fields = fields

    def get_unit(self, row) -> int | None:
        return self.context.get("units", {}).get(row.path)


class ScoreOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    percent = serializers.IntegerField(allow_null=True, help_text="0–100; null when the score has no inputs.")
    band = serializers.CharField()
    inputs = serializers.DictField(
        child=serializers.FloatField(), help_text="The numbers the formula was applied to (done, total, …)."
    )
    formula = serializers.SerializerMethodField()

    def get_formula(self, score) -> str:
        return str(self.context["formulas"][score.key])


def _scores(card, context) -> list:
    return ScoreOutputSerializer([card.scores[key] for key in KEYS], many=True, context=context).data


class UnitCardOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.display_name")
    rank = serializers.IntegerField()
    overall = serializers.IntegerField(allow_null=True)
    key_appointment = serializers.IntegerField(source="bearer.pk", allow_null=True, default=None)
    scores = serializers.SerializerMethodField()

    def get_scores(self, card) -> list[dict]:
        return _scores(card, self.context)


class PeriodOutputSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    days = serializers.IntegerField()


class ScorecardsOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    period = PeriodOutputSerializer()
    child_level = serializers.CharField(source="child_level.code", allow_null=True, default=None)
    days_rolled_up = serializers.IntegerField()
    overall_formula = serializers.CharField()
    cards = UnitCardOutputSerializer(many=True)


class BearerCardOutputSerializer(serializers.Serializer):
    appointment = serializers.IntegerField(source="card.appointment.pk")
    person = serializers.IntegerField(source="card.appointment.person_id")
    unit = serializers.IntegerField(source="card.appointment.unit_id")
    period = PeriodOutputSerializer()
    rank = serializers.IntegerField(source="card.rank", help_text="0 when the caller does not see the unit above.")
    among = serializers.IntegerField()
    overall = serializers.IntegerField(source="card.overall", allow_null=True)
    overall_formula = serializers.CharField()
    scores = serializers.SerializerMethodField()

    def get_scores(self, data) -> list[dict]:
        return _scores(data["card"], self.context)


class AttentionWeekSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    overall = serializers.IntegerField(allow_null=True)


class AttentionOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.display_name")
    key_appointment = serializers.IntegerField(source="bearer.pk", allow_null=True, default=None)
    weeks = serializers.SerializerMethodField()
    committee_url = serializers.SerializerMethodField(
        help_text="The unit's page: its committee, dissolve, reconstitute."
    )

    def get_weeks(self, row) -> list[dict]:
        return [{"first": week.first, "last": week.last, "overall": overall} for week, overall in row.weeks]

    def get_committee_url(self, row) -> str:
        return reverse("org:unit", args=[row.unit.pk])


class NeedsAttentionOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    weeks = serializers.IntegerField()
    threshold = serializers.IntegerField()
    units = AttentionOutputSerializer(many=True)


class StateReportOutputSerializer(serializers.ModelSerializer):
    # A plain string in the schema: a "kind" enum of its own would collide with the plan's milestone kinds.
    kind = serializers.CharField(read_only=True, help_text="daily or weekly")
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = StateReport
        fields = ["id", "unit", "kind", "day", "made_at", "pdf_url", "xlsx_url"]
        read_only_fields = fields

    def _url(self, report, fmt: str) -> str | None:
        if not (report.pdf if fmt == "pdf" else report.xlsx):
            return None
        url = reverse("controlroom_api:report-download", args=[report.pk, fmt])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_pdf_url(self, report) -> str | None:
        return self._url(report, "pdf")

    def get_xlsx_url(self, report) -> str | None:
        return self._url(report, "xlsx")


class AlertOutputSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.kind")
    severity = serializers.CharField(source="rule.severity")

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "severity",
            "unit",
            "subject",
            "period",
            "numbers",
            "state",
            "raised_at",
            "assigned_to",
            "acknowledged_at",
            "note",
            "escalated_at",
            "resolved_at",
        ]
        read_only_fields = fields


class ActivityReportInputSerializer(serializers.Serializer):
    """A day's report. The counts are checked by the report's own rules (whole numbers from 0 to their cap)."""

    appointment = serializers.IntegerField(
        required=False, help_text="Your post (an appointment id); may be left out when you hold one key post."
    )
    day = serializers.DateField()
    posts = serializers.IntegerField(required=False, default=0)
    shares = serializers.IntegerField(required=False, default=0)
    groups_messaged = serializers.IntegerField(required=False, default=0)
    people_added = serializers.IntegerField(required=False, default=0)
    events = serializers.IntegerField(required=False, default=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, trim_whitespace=False)
    urls = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, default=list, max_length=100
    )


class ActivityReportOutputSerializer(serializers.ModelSerializer):
    urls = serializers.SerializerMethodField()

    class Meta:
        model = ActivityReport
        fields = ["id", "appointment", "unit", "day", *COUNTERS, "note", "urls", "revisions", "updated_at"]
        read_only_fields = fields

    def get_urls(self, report) -> list[str]:
        return [mention.post.url for mention in report.mentions.select_related("post").order_by("pk")]
