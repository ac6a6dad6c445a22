"""The plan's REST API under /api/v1/plan/ (see sangathan.config.urls). Thin views, the org API's rules:
lists start from ``Plan.objects.restrict(user, "view")``; a plan or unit outside what the caller sees
answers 404; one seen but not managed (``manage_plan``) answers 403; a refused change (``PlanError``)
answers 400 with its translated message; nothing is written here, only through ``planning.services``.

The progress endpoints give the numbers of the web's plan page (``selectors.dashboard_for_unit`` and
``selectors.children_progress``), in the same few queries whatever the size of the subtree."""

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access import scope
from sangathan.access.permissions import MANAGE_PLAN, VIEW
from sangathan.core.api import validated
from sangathan.org.access import get_unit_for_user
from sangathan.org.api.filters import within_filter
from sangathan.org.models import Unit
from sangathan.planning import selectors, services
from sangathan.planning.api import serializers as s
from sangathan.planning.models import Milestone, Plan
from sangathan.planning.tasks import refresh_progress


def _plans(user):
    milestones = Milestone.objects.select_related("level")
    return Plan.objects.restrict(user, VIEW).prefetch_related(Prefetch("milestones", queryset=milestones))


def _plan_for_user(user, pk: int) -> Plan:
    return get_object_or_404(_plans(user).select_related("scope"), pk=pk)


def _dashboard_data(board) -> dict:
    return {
        "unit": board.unit.pk,
        "plan": board.plan.pk if board.plan is not None else None,
        "today": board.today,
        "refreshed_at": board.refreshed_at,
        "sub_plans": board.sub_plans,
        "levels": board.levels,
    }


class PlanFilter(filters.FilterSet):
    within = within_filter(field_name="scope", path="scope__path", label=_("Only plans of this unit and below it."))

    class Meta:
        model = Plan
        fields: list[str] = []


class PlanListCreateApi(generics.ListAPIView):
    """GET: the plans of the units the caller may see, with their deadlines. POST: give a unit its own plan (a
    copy of the plan above it, or of the template), as the web's "make a plan" does."""

    serializer_class = s.PlanOutputSerializer
    filterset_class = PlanFilter

    def get_queryset(self):
        return _plans(self.request.user)

    @extend_schema(request=s.PlanCreateInputSerializer, responses={201: s.PlanOutputSerializer})
    def post(self, request):
        data = validated(s.PlanCreateInputSerializer, request)
        unit = data.pop("unit")
        scope.require(request.user, MANAGE_PLAN, unit)
        with transaction.atomic():
            plan = services.plan_create(scope=unit, **data, by=request.user)
            transaction.on_commit(lambda: refresh_progress.delay(unit.pk))
        return Response(
            s.PlanOutputSerializer(_plan_for_user(request.user, plan.pk)).data, status=status.HTTP_201_CREATED
        )


class PlanDetailApi(APIView):
    """One plan with its deadlines."""

    @extend_schema(responses=s.PlanOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.PlanOutputSerializer(_plan_for_user(request.user, pk)).data)


class MilestoneAddApi(APIView):
    """Add a deadline to a plan (e.g. a state's block or mandal deadline); plans below get it too."""

    @extend_schema(request=s.MilestoneAddInputSerializer, responses={201: s.MilestoneOutputSerializer})
    def post(self, request, pk: int):
        plan = _plan_for_user(request.user, pk)
        scope.require(request.user, MANAGE_PLAN, plan.scope)
        data = validated(s.MilestoneAddInputSerializer, request)
        milestone = services.milestone_add(plan=plan, **data, by=request.user)
        return Response(s.MilestoneOutputSerializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneDetailApi(APIView):
    """GET: one deadline. PATCH: move it (never later than the plan above; plans below are brought forward)."""

    def _milestone(self, request, pk: int) -> Milestone:
        plans = Plan.objects.restrict(request.user, VIEW)
        return get_object_or_404(Milestone.objects.filter(plan__in=plans).select_related("level", "plan__scope"), pk=pk)

    @extend_schema(responses=s.MilestoneOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.MilestoneOutputSerializer(self._milestone(request, pk)).data)

    @extend_schema(request=s.MilestoneUpdateInputSerializer, responses=s.MilestoneOutputSerializer)
    def patch(self, request, pk: int):
        milestone = self._milestone(request, pk)
        scope.require(request.user, MANAGE_PLAN, milestone.plan.scope)
        data = validated(s.MilestoneUpdateInputSerializer, request)
        services.milestone_update(milestone=milestone, due_date=data["due_date"], by=request.user)
        return Response(s.MilestoneOutputSerializer(self._milestone(request, pk)).data)


class UnitProgressApi(APIView):
    """Per level below the unit and per deadline: units done, still due and overdue (the plan page's numbers)."""

    @extend_schema(responses=s.ProgressOutputSerializer)
    def get(self, request, pk: int):
        unit = get_unit_for_user(request.user, pk)
        board = selectors.dashboard_for_unit(unit, today=timezone.localdate())
        return Response(s.ProgressOutputSerializer(_dashboard_data(board)).data)


class UnitChildrenProgressApi(generics.ListAPIView):
    """The unit's direct sub-units (a page of them), each with its own progress rows."""

    serializer_class = s.ChildProgressOutputSerializer

    def get_queryset(self):  # for the schema and the paginator; ``list`` reads the rows of one page
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view for the schema
            return Unit.objects.none()
        unit = get_unit_for_user(self.request.user, self.kwargs["pk"])
        children = Unit.objects.restrict(self.request.user, VIEW).filter(parent=unit)
        return children.select_related("level").order_by("number", "name_en", "name_hi", "id")

    def list(self, request, *args, **kwargs):
        unit = get_unit_for_user(request.user, kwargs["pk"])
        children = self.paginate_queryset(self.get_queryset())
        rows = selectors.children_progress(unit, list(children), today=timezone.localdate())
        data = [{"unit": child, "levels": rows.get(child.pk, [])} for child in children]
        return self.get_paginated_response(s.ChildProgressOutputSerializer(data, many=True).data)
