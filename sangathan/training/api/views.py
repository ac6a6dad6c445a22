"""The training REST API under /api/v1/training/ (see sangathan.config.urls).

Thin views, the same rules as the staff pages (``sangathan.training.views``): camps are those hosted in the
caller's scope (``selectors.camps_for_user``); a camp outside it answers 404, exactly like one that does not
exist; planning a camp, inviting and the roll call need ``manage_training`` at the host unit (else 403); a
training rule refusing answers 400 with its translated message; nothing changes on a refusal.
"""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access import scope
from sangathan.access.permissions import MANAGE_TRAINING
from sangathan.core.api import validated
from sangathan.org.api.filters import people_in_scope, units_in_scope, within_filter
from sangathan.org.lookups import lookups_over_limit
from sangathan.training import selectors, services
from sangathan.training.api import serializers as s
from sangathan.training.models import Attendance, Camp, Completion, Invitation, Programme

# ---------------------------------------------------------------- helpers


def _count_of(model) -> Coalesce:
    rows = model.objects.filter(camp=OuterRef("pk")).order_by().values("camp").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


def _camps(user):
    return (
        selectors.camps_for_user(user)
        .select_related("programme", "host_unit__level")
        .prefetch_related("modules", "trainers")
        .annotate(invited=_count_of(Invitation), present=_count_of(Attendance))
        .order_by("starts_at", "pk")
    )


def _camp(user, pk: int) -> Camp:
    """A camp hosted in the user's scope, or 404."""
    return selectors.get_camp_for_user(user, pk)


def _managed_camp(user, pk: int) -> Camp:
    """A camp in scope (else 404) that the user may run (else 403)."""
    camp = _camp(user, pk)
    scope.require(user, MANAGE_TRAINING, camp.host_unit)
    return camp


def _camp_answer(request, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    camp = generics.get_object_or_404(_camps(request.user), pk=pk)
    return Response(s.CampOutputSerializer(camp).data, status=code)


# ---------------------------------------------------------------- filters


class CampFilter(filters.FilterSet):
    within = within_filter(
        field_name="host_unit", path="host_unit__path", label=_lazy("Only camps hosted in this unit or below it.")
    )
    host_unit = filters.ModelChoiceFilter(queryset=units_in_scope, label=_lazy("Only the camps of this unit."))
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())
    status = filters.ChoiceFilter(choices=Camp.Status.choices)

    class Meta:
        model = Camp
        fields: list[str] = []


class CompletionFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())
    camp = filters.NumberFilter(label=_lazy("Only completions recorded at this camp (its id)."))
    person = filters.ModelChoiceFilter(queryset=people_in_scope, label=_lazy("Only this person's completions."))

    class Meta:
        model = Completion
        fields: list[str] = []


# ---------------------------------------------------------------- camps


class CampListCreateApi(generics.ListAPIView):
    """GET: the camps hosted in the caller's scope, earliest first. POST: schedule a camp at a unit where the
    caller may run training (and, if asked, invite the appointees below it who are not yet trained)."""

    serializer_class = s.CampOutputSerializer
    filterset_class = CampFilter

    def get_queryset(self):
        return _camps(self.request.user)

    @extend_schema(request=s.CampCreateInputSerializer, responses={201: s.CampOutputSerializer})
    def post(self, request):
        data = validated(s.CampCreateInputSerializer, request)
        scope.require(request.user, MANAGE_TRAINING, data["host_unit"])
        invite = data.pop("invite_appointees")
        camp = services.camp_create(**data, by=request.user)
        if invite:
            services.invitations_generate(camp=camp, by=request.user)
        return _camp_answer(request, camp.pk, code=status.HTTP_201_CREATED)


class CampDetailApi(APIView):
    """One camp with how many are invited and how many attended."""

    @extend_schema(responses=s.CampOutputSerializer)
    def get(self, request, pk: int):
        return _camp_answer(request, pk)


# ---------------------------------------------------------------- invitations


class InvitationListCreateApi(generics.ListAPIView):
    """GET: the camp's invitees. POST: invite one person by mobile number (someone the caller can see)."""

    serializer_class = s.InvitationOutputSerializer
    queryset = Invitation.objects.none()  # for the schema; the rows come from get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.camp = _camp(self.request.user, self.kwargs["pk"])
        return Invitation.objects.filter(camp=self.camp).select_related("person").order_by("pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        camp = getattr(self, "camp", None)
        return {**context, **s.mobile_context(self.request, camp)} if camp is not None else context

    @extend_schema(request=s.InvitationCreateInputSerializer, responses={201: s.InvitationOutputSerializer})
    def post(self, request, pk: int):
        camp = _managed_camp(request.user, pk)
        data = validated(s.InvitationCreateInputSerializer, request)
        if lookups_over_limit(request, obj=camp, purpose="invite"):
            raise Throttled(wait=3600)  # answered in the user's language (sangathan.core.api)
        invitation = services.invitation_add(camp=camp, mobile=data["mobile"], by=request.user)
        invitation = Invitation.objects.select_related("person").get(pk=invitation.pk)
        answer = s.InvitationOutputSerializer(invitation, context=s.mobile_context(request, camp))
        return Response(answer.data, status=status.HTTP_201_CREATED)


class InvitationGenerateApi(APIView):
    """Invite the appointees below the camp's host unit who are not yet trained for its programme."""

    @extend_schema(request=None, responses=s.InvitationGenerateOutputSerializer)
    def post(self, request, pk: int):
        camp = _managed_camp(request.user, pk)
        invited = services.invitations_generate(camp=camp, by=request.user)
        return Response(s.InvitationGenerateOutputSerializer({"invited": invited}).data)


# ---------------------------------------------------------------- attendance


class AttendanceListMarkApi(generics.ListAPIView):
    """GET: who attended the camp. POST: the roll call, tick (or untick) one invitee present; attending
    every module of the programme records its completion."""

    serializer_class = s.AttendanceOutputSerializer
    queryset = Attendance.objects.none()  # for the schema; the rows come from get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        camp = _camp(self.request.user, self.kwargs["pk"])
        return Attendance.objects.filter(camp=camp).select_related("person").order_by("checked_in_at", "pk")

    @extend_schema(request=s.AttendanceMarkInputSerializer, responses=s.AttendanceMarkOutputSerializer)
    def post(self, request, pk: int):
        camp = _managed_camp(request.user, pk)
        serializer = s.AttendanceMarkInputSerializer(data=request.data, context={"request": request, "camp": camp})
        serializer.is_valid(raise_exception=True)
        person, present = serializer.validated_data["person"], serializer.validated_data["present"]
        services.attendance_mark(camp=camp, person=person, present=present, by=request.user)
        attendance = Attendance.objects.filter(camp=camp, person=person).select_related("person").first()
        completion = (
            Completion.objects.filter(person=person, programme_id=camp.programme_id)
            .select_related("person", "programme")
            .first()
        )
        answer = {"person": person.pk, "present": attendance is not None, "attendance": attendance}
        return Response(s.AttendanceMarkOutputSerializer({**answer, "completion": completion}).data)


# ---------------------------------------------------------------- completions


class CompletionListApi(generics.ListAPIView):
    """Completed programmes of the people the caller can see, newest first."""

    serializer_class = s.CompletionOutputSerializer
    filterset_class = CompletionFilter

    def get_queryset(self):
        return (
            selectors.completions_for_user(self.request.user)
            .select_related("person", "programme")
            .order_by("-completed_at", "-pk")
        )
