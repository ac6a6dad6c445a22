"""The control-room REST API under /api/v1/controlroom/ (see sangathan.config.urls). Thin views, the org API's
rules: reads start from the caller's control-room scope (``restrict(user, "view_control_room")``); a unit,
report or appointment outside what the caller sees answers 404, one seen without the control room there 403;
bad input answers 400 with the translated message of the rule that refused it, and nothing is stored.

- roll-ups per unit, day and level (``ActivityRollup``, the wall's and the reports' numbers);
- the scorecards of a unit's children, a key office-bearer's scorecard, the units that need attention;
- the archived daily and weekly reports with their download links, and the files;
- the alerts (read only: acknowledging is on the web);
- POST a daily activity report for one's own key post, through the same service and rules as the personal
  link ``/r/<token>/`` (``services.activity_report_submit``)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access.permissions import VIEW_CONTROL_ROOM
from sangathan.access.scope import can
from sangathan.controlroom import alerts, reports, scorecards, selectors, services
from sangathan.controlroom.api import serializers as s
from sangathan.controlroom.downloads import report_file_response
from sangathan.controlroom.models import COUNTERS, ActivityReport, ActivityRollup, Alert, StateReport
from sangathan.controlroom.own_reports import own_appointment_for_report
from sangathan.core.api import validated
from sangathan.core.exports import XLSX_TYPE
from sangathan.org.api.filters import within_filter
from sangathan.org.models import Level, Unit
from sangathan.org.paths import subtree_q

PERIOD_PARAMETERS = [
    OpenApiParameter("days", int, enum=list(scorecards.PERIOD_CHOICES), description="The last 7 or 30 full days."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="The first day of the period (with `to`)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="The last day of the period (with `from`)."),
]


def _period(request) -> scorecards.Period:
    return scorecards.period_parse(
        days=request.query_params.get("days"),
        first=request.query_params.get("from"),
        last=request.query_params.get("to"),
        today=timezone.localdate(),
    )


# ---------------------------------------------------------------- roll-ups


def _at_unit(queryset, name, value):
    return queryset.filter(path=value.path)


def _units_in_control_room(request):
    return Unit.objects.restrict(request.user, VIEW_CONTROL_ROOM) if request is not None else Unit.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class UnitIdFilter(filters.ModelChoiceFilter):
    """A unit named by its id (in the schema: an integer)."""


class RollupFilter(filters.FilterSet):
    unit = UnitIdFilter(
        queryset=_units_in_control_room, method=_at_unit, label=_("Only the roll-ups of this unit (a unit id).")
    )
    within = UnitIdFilter(
        queryset=_units_in_control_room,
        method=lambda queryset, name, value: queryset.filter(subtree_q([value.path])),
        label=_("Only the roll-ups of this unit and the units below it (a unit id)."),
    )
    day = filters.DateFilter()
    day_from = filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = filters.DateFilter(field_name="day", lookup_expr="lte")
    level = filters.ModelChoiceFilter(
        queryset=Level.objects.all(), to_field_name="code", label=_("Only the rows of this level (its code).")
    )

    class Meta:
        model = ActivityRollup
        fields: list[str] = []


class RollupListApi(generics.ListAPIView):
    """The daily roll-ups (per day, unit and level below it) of the units where the caller may open the control
    room: key office-bearers, how many reported, units of the level with a report, and the sums reported."""

    serializer_class = s.RollupOutputSerializer
    filterset_class = RollupFilter

    def get_queryset(self):
        return (
            ActivityRollup.objects.restrict(self.request.user, VIEW_CONTROL_ROOM)
            .select_related("level")
            .order_by("-day", "path", "level_id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["units"] = getattr(self, "_units", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        paths = {row.path for row in rows}
        self._units = dict(
            Unit.objects.restrict(self.request.user, VIEW_CONTROL_ROOM).filter(path__in=paths).values_list("path", "pk")
        )
        return page


# ---------------------------------------------------------------- scorecards


class UnitScorecardsApi(APIView):
    """The scorecard of each child of the unit over the period, ranked best first, each score with its formula
    and inputs (compared among these siblings)."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=s.ScorecardsOutputSerializer)
    def get(self, request, pk: int):
        unit = selectors.get_wall_unit_for_user(request.user, pk)
        result = scorecards.unit_scorecards(unit, _period(request))
        data = {
            "unit": unit,
            "period": result.period,
            "child_level": result.child_level,
            "days_rolled_up": result.days_rolled_up,
            "overall_formula": str(scorecards.OVERALL_FORMULA),
            "cards": result.cards,
        }
        return Response(s.ScorecardsOutputSerializer(data, context={"formulas": scorecards.UNIT_FORMULAS}).data)


class NeedsAttentionApi(APIView):
    """The children of the unit whose overall score stayed below ``CONTROLROOM_ATTENTION_SCORE`` in each of the
    last ``CONTROLROOM_ATTENTION_WEEKS`` weeks, with the link to their committee (dissolve, reconstitute)."""

    @extend_schema(responses=s.NeedsAttentionOutputSerializer)
    def get(self, request, pk: int):
        unit = selectors.get_wall_unit_for_user(request.user, pk)
        rows, weeks = scorecards.needs_attention(unit)
        data = {"unit": unit, "weeks": len(weeks), "threshold": scorecards.attention_score(), "units": rows}
        return Response(s.NeedsAttentionOutputSerializer(data).data)


class BearerScorecardApi(APIView):
    """A key office-bearer's scorecard (an appointment id), ranked among the key office-bearers of the sibling
    units when the caller sees the unit above."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=s.BearerCardOutputSerializer)
    def get(self, request, pk: int):
        appointment = scorecards.get_scored_appointment_for_user(request.user, pk)
        period = _period(request)
        compare = can(request.user, VIEW_CONTROL_ROOM, appointment.unit.parent)
        card, among = scorecards.bearer_scorecard(appointment, period, compare=compare)
        if card is None:
            raise Http404
        data = {"card": card, "period": period, "among": among, "overall_formula": str(scorecards.OVERALL_FORMULA)}
        return Response(s.BearerCardOutputSerializer(data, context={"formulas": scorecards.BEARER_FORMULAS}).data)


# ---------------------------------------------------------------- reports and alerts


class ReportFilter(filters.FilterSet):
    within = within_filter(label=_("Only reports of this unit and the units below it (a unit id)."))
    kind = filters.ChoiceFilter(choices=StateReport.Kind.choices)
    day_from = filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = StateReport
        fields: list[str] = []


class ReportListApi(generics.ListAPIView):
    """The made daily and weekly reports the caller may see in the control room, latest first, with the links
    of their PDF and XLSX files."""

    serializer_class = s.StateReportOutputSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return reports.reports_for_user(self.request.user).order_by("-day", "-pk")


class ReportDownloadApi(APIView):
    """A report's PDF or XLSX file (never stored by a browser or a proxy)."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
        }
    )
    def get(self, request, pk: int, fmt: str):
        return report_file_response(request.user, pk, fmt)


class AlertFilter(filters.FilterSet):
    within = within_filter(label=_("Only alerts of this unit and the units below it (a unit id)."))
    state = filters.ChoiceFilter(choices=Alert.State.choices)

    class Meta:
        model = Alert
        fields: list[str] = []


class AlertListApi(generics.ListAPIView):
    """The control room's alerts of the units the caller watches, newest first (read only)."""

    serializer_class = s.AlertOutputSerializer
    filterset_class = AlertFilter

    def get_queryset(self):
        return alerts.alerts_for_user(self.request.user).order_by("-raised_at", "-pk")


# ---------------------------------------------------------------- a daily report


class ActivityReportCreateApi(APIView):
    """Send (or correct) the day's activity report of your own key post, as the personal report link does: the
    same rules (the day: today or the last days, not before the appointment; counts 0 to their caps; post links
    that are links to one post, normalised), the same service. A second report for the day updates the first
    (200); a new one answers 201."""

    @extend_schema(
        request=s.ActivityReportInputSerializer,
        responses={201: s.ActivityReportOutputSerializer, 200: s.ActivityReportOutputSerializer},
    )
    def post(self, request):
        data = validated(s.ActivityReportInputSerializer, request)
        appointment = own_appointment_for_report(request.user, data.get("appointment"))
        today = timezone.localdate()
        # The day first, so a report for a future day is refused by that rule whatever else is wrong.
        services.check_day(data["day"], today=today, started=appointment.start_date)
        report = services.activity_report_submit(
            appointment_id=appointment.pk,
            day=data["day"],
            counts={name: data[name] for name in COUNTERS},
            note=data["note"],
            urls=data["urls"],
            today=today,
        )
        report = ActivityReport.objects.get(pk=report.pk)
        code = status.HTTP_200_OK if report.revisions else status.HTTP_201_CREATED
        return Response(s.ActivityReportOutputSerializer(report).data, status=code)
