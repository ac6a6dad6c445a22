"""The recruitment REST API under /api/v1/recruitment/ (see sangathan.config.urls).

Thin views, the same rules as the staff pages (``sangathan.recruitment.views_staff*``):
- campaigns are those of the caller's area and those above a unit of theirs (``access.campaigns_for_user``);
- applications are those whose applicant lives in the caller's scope; one application is also seen by the
  members of the panel it is booked with (``access.get_application_for_user``), as on the web;
- outside what the caller may see: 404; seen but not allowed: 403; a rule of the drive refusing: 400 with
  its translated message (``sangathan.core.api``); nothing changes on a refusal.
"""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.scope import can
from sangathan.core.api import validated
from sangathan.org.api.filters import within_filter
from sangathan.org.errors import OrgError
from sangathan.org.representation import AGE_BAND_YEARS
from sangathan.recruitment import access, services
from sangathan.recruitment.api import serializers as s
from sangathan.recruitment.models import (
    Application,
    Campaign,
    CampaignPosition,
    InterviewDay,
    InterviewSlot,
    ScoreSheet,
)
from sangathan.recruitment.selectors import applications_filtered
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI

APPLICATION_RELATED = ("applied_for__position__level", "home_unit__level")


# ---------------------------------------------------------------- helpers


def _campaigns(user):
    return (
        access.campaigns_for_user(user)
        .select_related("scope_unit__level")
        .prefetch_related(Prefetch("positions", queryset=CampaignPosition.objects.select_related("position__level")))
        .order_by("-opens_at", "-pk")
    )


def _campaign(user, pk: int) -> Campaign:
    return get_object_or_404(_campaigns(user), pk=pk)


def _campaign_action(campaign: Campaign) -> str:
    """A campaign of one's own is managed with "manage_campaigns" at its unit; a sub-campaign by whoever may
    appoint there (the district in-charge who started it), as they are started on the web."""
    return access.START_CAMPAIGN if campaign.parent_id is None else access.SUB_CAMPAIGN


def _campaign_answer(request, campaign_pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    campaign = _campaign(request.user, campaign_pk)
    return Response(s.CampaignOutputSerializer(campaign, context=s.now_context(request)).data, status=code)


def _application_to_decide(user, pk: int) -> Application:
    """The application, if the user sees it (else 404) and may appoint where the applicant lives (else 403)."""
    application = access.get_application_for_user(user, pk)
    access.require_appoint_on(user, application)
    return application


def _application_answer(request, pk: int) -> Response:
    application = access.get_application_for_user(request.user, pk)
    return Response(s.ApplicationOutputSerializer(application, context={"request": request}).data)


def _scored_visible(user):
    """Score sheets of applications in the user's scope or booked with their panel, less those of applicants
    the user is to score and has not yet: their panel's scores stay hidden until they submit their own."""
    if not user.is_authenticated:
        return ScoreSheet.objects.none()
    in_scope = Q(application__in=access.applications_for_user(user).values("pk"))
    on_panel = Q(application__in=access.panel_application_ids(user))
    to_score = (
        InterviewSlot.objects.filter(panel__members=user)
        .exclude(application__score_sheets__member=user)
        .values("application_id")
    )
    return ScoreSheet.objects.filter(in_scope | on_panel).exclude(application_id__in=to_score)


# ---------------------------------------------------------------- filters


class CampaignFilter(filters.FilterSet):
    within = within_filter(
        field_name="scope_unit", path="scope_unit__path", label=_lazy("Only campaigns of this unit and below it.")
    )
    parent = filters.ModelChoiceFilter(
        queryset=lambda request: access.campaigns_for_user(request.user) if request else Campaign.objects.none(),
        label=_lazy("Only the sub-campaigns of this campaign."),
    )

    class Meta:
        model = Campaign
        fields: list[str] = []


class ApplicationFilter(filters.FilterSet):
    campaign = filters.ModelChoiceFilter(
        queryset=lambda request: access.campaigns_for_user(request.user) if request else Campaign.objects.none(),
        label=_lazy("Only applications to this campaign."),
    )
    within = within_filter(
        field_name="home_unit", path="home_unit__path", label=_lazy("Only applicants living in this unit or below.")
    )
    status = filters.ChoiceFilter(choices=Application.Status.choices)
    applied_for = filters.NumberFilter(label=_lazy("Only applications for this post of the campaign (its id)."))
    min_score = filters.NumberFilter(field_name="score", lookup_expr="gte", label=_lazy("Score at least"))
    gender = filters.ChoiceFilter(choices=Application.Gender.choices)
    age_band = filters.ChoiceFilter(
        choices=[(band, band) for band in AGE_BAND_YEARS], method="filter_age_band", label=_lazy("Age band")
    )
    sort = filters.ChoiceFilter(
        choices=[("newest", "newest"), ("score", "score"), ("followers", "followers")],
        method="filter_sort",
        label=_lazy("Sort"),
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_age_band(self, queryset, name, value):
        return applications_filtered(queryset, age_band=value)

    def filter_sort(self, queryset, name, value):
        return applications_filtered(queryset, sort=value)


class DayFilter(filters.FilterSet):
    campaign = filters.ModelChoiceFilter(
        queryset=lambda request: access.campaigns_for_user(request.user) if request else Campaign.objects.none(),
        label=_lazy("Only the interview days of this campaign."),
    )

    class Meta:
        model = InterviewDay
        fields: list[str] = []


class SlotFilter(filters.FilterSet):
    day = filters.NumberFilter(field_name="panel__day", label=_lazy("Only the slots of this interview day (its id)."))
    campaign = filters.NumberFilter(
        field_name="panel__day__campaign", label=_lazy("Only the slots of this campaign (its id).")
    )
    status = filters.ChoiceFilter(choices=InterviewSlot.Status.choices)

    class Meta:
        model = InterviewSlot
        fields: list[str] = []


class ScoreFilter(filters.FilterSet):
    application = filters.NumberFilter(label=_lazy("Only the score sheets of this application (its id)."))
    campaign = filters.NumberFilter(
        field_name="application__campaign", label=_lazy("Only the score sheets of this campaign (its id).")
    )

    class Meta:
        model = ScoreSheet
        fields: list[str] = []


# ---------------------------------------------------------------- campaigns


class CampaignListCreateApi(generics.ListAPIView):
    """GET: the campaigns of the caller's area and those above it. POST: start a campaign (state admins) or,
    with ``parent``, a sub-campaign for a unit inside the parent's area where the caller may appoint."""

    serializer_class = s.CampaignOutputSerializer
    filterset_class = CampaignFilter

    def get_queryset(self):
        return _campaigns(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **s.now_context(self.request)}

    @extend_schema(request=s.CampaignCreateInputSerializer, responses={201: s.CampaignOutputSerializer})
    def post(self, request):
        user = request.user
        data = validated(s.CampaignCreateInputSerializer, request)
        unit, parent = data["scope_unit"], data["parent"]
        if not can(user, APPOINT, unit) or (parent is None and not can(user, access.START_CAMPAIGN, unit)):
            raise PermissionDenied(
                _("Only a state admin starts a campaign; start a sub-campaign from your state campaign's page.")
            )
        campaign = services.campaign_create(
            scope_unit=unit,
            parent=parent,
            title_hi=data["title_hi"],
            title_en=data["title_en"],
            slug=data["slug"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            rubric=data["rubric"],
            positions=[(item["position"], item["target"]) for item in data["positions"]],
            reference_prefix=data["reference_prefix"],
            notice_hi=data.get("notice_hi") or (parent.notice_hi if parent else DEFAULT_NOTICE_HI),
            notice_en=data.get("notice_en") or (parent.notice_en if parent else DEFAULT_NOTICE_EN),
            by=user,
        )
        return _campaign_answer(request, campaign.pk, code=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    """GET: one campaign with its posts. PATCH: correct its titles, window or notice (only what is sent)."""

    @extend_schema(responses=s.CampaignOutputSerializer)
    def get(self, request, pk: int):
        return _campaign_answer(request, pk)

    @extend_schema(request=s.CampaignUpdateInputSerializer, responses=s.CampaignOutputSerializer)
    def patch(self, request, pk: int):
        campaign = _campaign(request.user, pk)
        if not can(request.user, _campaign_action(campaign), campaign.scope_unit):
            raise PermissionDenied
        serializer = s.CampaignUpdateInputSerializer(
            data=request.data, context={"request": request, "campaign": campaign}
        )
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if getattr(campaign, k) != v}
        if {"notice_hi", "notice_en"} & set(changes):
            changes["notice_version"] = campaign.notice_version + 1
        if changes:
            services.campaign_update(campaign=campaign, changes=changes, by=request.user)
        return _campaign_answer(request, pk)


# ---------------------------------------------------------------- applications


class ApplicationListApi(generics.ListAPIView):
    """The applications whose applicants live in the caller's scope (the review queue), newest first."""

    serializer_class = s.ApplicationOutputSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return (
            access.applications_for_user(self.request.user)
            .select_related(*APPLICATION_RELATED)
            .order_by("-submitted_at", "-pk")
        )


class ApplicationDetailApi(APIView):
    """One application: in the caller's scope, or booked with a panel the caller sits on."""

    @extend_schema(responses=s.ApplicationOutputSerializer)
    def get(self, request, pk: int):
        return _application_answer(request, pk)


class ApplicationScreenApi(APIView):
    """Shortlist the application for interview, or reject it with a reason."""

    @extend_schema(request=s.ScreenInputSerializer, responses=s.ApplicationOutputSerializer)
    def post(self, request, pk: int):
        application = _application_to_decide(request.user, pk)
        data = validated(s.ScreenInputSerializer, request)
        services.application_screen(
            application=application, shortlist=data["action"] == "shortlist", reason=data["reason"], by=request.user
        )
        return _application_answer(request, pk)


class ApplicationDecideApi(APIView):
    """Select (and so appoint), wait-list or reject an interviewed applicant."""

    @extend_schema(request=s.DecideInputSerializer, responses=s.ApplicationOutputSerializer)
    def post(self, request, pk: int):
        user = request.user
        application = _application_to_decide(user, pk)
        data = validated(s.DecideInputSerializer, request)
        if data["decision"] == "select" and application.status in services.DECIDABLE:
            # Selecting appoints at the unit of the post's level above the applicant's home: the caller must
            # be allowed to appoint there too (a block in-charge cannot fill a district post).
            unit = services.appointment_unit_for(application)
            if not can(user, APPOINT, unit):
                raise OrgError(
                    _("Only someone who may appoint at %(unit)s can select for this post.")
                    % {"unit": unit.display_name if can(user, VIEW, unit) else _("a unit above you")},
                    code="appoint_scope",
                )
        services.application_decide(application=application, decision=data["decision"], reason=data["reason"], by=user)
        return _application_answer(request, pk)


# ---------------------------------------------------------------- interviews and scores


def _days(user):
    return (
        InterviewDay.objects.filter(campaign__in=access.campaigns_for_user(user))
        .prefetch_related("panels__members")
        .order_by("date", "pk")
    )


class InterviewDayListApi(generics.ListAPIView):
    """The interview days of the campaigns the caller sees, with their panels."""

    serializer_class = s.InterviewDayOutputSerializer
    filterset_class = DayFilter

    def get_queryset(self):
        return _days(self.request.user)


class InterviewDayDetailApi(APIView):
    @extend_schema(responses=s.InterviewDayOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.InterviewDayOutputSerializer(get_object_or_404(_days(request.user), pk=pk)).data)


class InterviewSlotListApi(generics.ListAPIView):
    """Interview slots of applicants in the caller's scope, and of the panels the caller sits on."""

    serializer_class = s.InterviewSlotOutputSerializer
    filterset_class = SlotFilter
    queryset = InterviewSlot.objects.none()  # for the schema; the rows come from get_queryset

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return InterviewSlot.objects.none()
        return (
            InterviewSlot.objects.filter(
                Q(application__in=access.applications_for_user(user).values("pk"))
                | Q(application__in=access.panel_application_ids(user))
            )
            .select_related("panel", "application")
            .order_by("starts_at", "panel_id", "pk")
        )


class ScoreSheetListApi(generics.ListAPIView):
    """Panel members' score sheets of applicants in the caller's scope (or of their own panel's, once they
    have scored them): a member does not see the others' scores before submitting their own."""

    serializer_class = s.ScoreSheetOutputSerializer
    filterset_class = ScoreFilter

    def get_queryset(self):
        return _scored_visible(self.request.user).select_related("application").order_by("submitted_at", "pk")
