"""The membership drive's REST API under /api/v1/membership/ (see sangathan.config.urls).

Thin views, the same rules as the staff pages (``sangathan.membership.views``):
- members are those of units in the caller's view scope (``Member.objects.restrict``); personal data is
  masked without ``view_personal`` at the member's unit (the serializers);
- entering a paper member, revoking, reviewing a flagged sign-up, deciding a likely duplicate and importing
  a sheet need ``appoint`` where the member (or the booth, the case, the sheet) is, as on the web;
- outside what the caller may see: 404; seen but not allowed: 403; a rule of the drive refusing: 400 with
  its translated message (``sangathan.core.api``); nothing changes on a refusal.

Counts come from the counter rows (``selectors.counts_by_unit``, ``leaderboards``), never from counting a
subtree's members. Writes go through ``services``, ``merging`` and ``import_jobs`` only.
"""

import datetime

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.scope import can_anywhere, require
from sangathan.core.api import validated
from sangathan.membership import leaderboards, merging, selectors, services
from sangathan.membership.api import serializers as s
from sangathan.membership.forms_public import BOOTH_LEVEL
from sangathan.membership.import_jobs import member_import_upload
from sangathan.membership.models import COUNTED, DuplicateCase, FraudSignal, Member, MemberImport
from sangathan.org.access import get_unit_for_user
from sangathan.org.api.filters import units_in_scope, within_filter
from sangathan.org.models import Unit

GROWTH_DAYS = 30  # the unit page's chart
# ``?since=`` outside these years names no day a member joined (and would overflow a datetime in UTC).
SINCE_YEARS = (2000, 2100)
# ``?verified=`` and ``?flagged=``: exactly these words (django-filter's boolean filter ignores any other).
TRUE_FALSE = [("true", "true"), ("false", "false")]


def _language() -> str:
    return (get_language() or "hi")[:2]


# ---------------------------------------------------------------- members


def members_for_user(user):
    """The members of the caller's view scope, newest first, with what the answer shows (unit, referral
    code, fraud signals: one prefetch per page)."""
    return (
        Member.objects.restrict(user, VIEW)
        .select_related("unit__level", "referred_by")
        .prefetch_related(
            Prefetch("signals", queryset=FraudSignal.objects.restrict(user, VIEW).order_by("created_at", "id"))
        )
        .order_by("-joined_at", "-id")
    )


def duplicates_for_user(user, action: str = APPOINT):
    """The likely-duplicate cases where ``user`` may do ``action`` (the queue: ``appoint``), oldest first."""
    return (
        DuplicateCase.objects.restrict(user, action)
        .select_related("unit__level", "member", "other")
        .order_by("created_at", "id")
    )


def get_member_for_user(user, pk: int) -> Member:
    """A member in the caller's view scope (404 otherwise), with its unit and signals for the answer."""
    return get_object_or_404(members_for_user(user), pk=pk)


def _member_answer(request, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    member = get_member_for_user(request.user, pk)
    return Response(s.MemberOutputSerializer(member, context={"request": request}).data, status=code)


def _member_to_change(user, pk: int) -> Member:
    """The member, if the caller sees it (else 404) and may appoint at its unit (else 403)."""
    member = get_member_for_user(user, pk)
    require(user, APPOINT, member.unit)
    return member


class MemberFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Member.Status.choices)
    unit = filters.ModelChoiceFilter(queryset=units_in_scope, label=_lazy("Only the members of this unit itself."))
    within = within_filter(label=_lazy("Only the members of this unit and the units below it."))
    verified = filters.ChoiceFilter(
        choices=TRUE_FALSE,
        method="filter_verified",
        label=_lazy("Only members who count (verified or active), or only those who do not."),
    )
    flagged = filters.ChoiceFilter(
        choices=TRUE_FALSE,
        method="filter_flagged",
        label=_lazy("Only sign-ups with a fraud signal (or only those without)."),
    )
    since = filters.DateFilter(method="filter_since", label=_lazy("Only members who joined on or after this day."))

    class Meta:
        model = Member
        fields: list[str] = []

    def filter_verified(self, queryset, name, value: str):
        counted = Q(status__in=COUNTED)
        return queryset.filter(counted) if value == "true" else queryset.exclude(counted)

    def filter_flagged(self, queryset, name, value: str):
        return queryset.filter(flagged=value == "true")

    def filter_since(self, queryset, name, value: datetime.date):
        if not SINCE_YEARS[0] <= value.year <= SINCE_YEARS[1]:
            first, last = SINCE_YEARS
            message = _("Give a date between the years %(first)d and %(last)d.") % {"first": first, "last": last}
            raise ValidationError({"since": [message]})
        start = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        return queryset.filter(joined_at__gte=start)


class MemberListCreateApi(generics.ListAPIView):
    """GET: the members of the caller's scope, newest first, masked as on the unit page. POST: a paper
    membership form typed in for a booth (the paper-entry screen's service: a pending member and an SMS with
    a "not me" link; it counts after a code or ``MEMBERSHIP_DISPUTE_DAYS`` without dispute)."""

    serializer_class = s.MemberOutputSerializer
    filterset_class = MemberFilter
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self):
        return members_for_user(self.request.user)

    @extend_schema(request=s.PaperMemberInputSerializer, responses={201: s.MemberOutputSerializer})
    def post(self, request):
        user = request.user
        if not can_anywhere(user, APPOINT):
            raise PermissionDenied
        data = validated(s.PaperMemberInputSerializer, request)
        unit = data.pop("unit")
        require(user, APPOINT, unit)
        if unit.level.code != BOOTH_LEVEL:
            raise ValidationError({"unit": [_("Paper forms are entered at a booth: give a booth's id.")]})
        member = services.member_enter(unit=unit, **data, by=user, language=_language())
        return _member_answer(request, member.pk, code=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    """One member in the caller's scope, with the fraud signals that hold it."""

    @extend_schema(responses=s.MemberOutputSerializer)
    def get(self, request, pk: int):
        return _member_answer(request, pk)


class MemberRevokeApi(APIView):
    """An admin takes a membership back, with a reason (audited; the counts go down at once). A second
    revocation changes nothing."""

    @extend_schema(request=s.MemberRevokeInputSerializer, responses=s.MemberOutputSerializer)
    def post(self, request, pk: int):
        member = _member_to_change(request.user, pk)
        data = validated(s.MemberRevokeInputSerializer, request)
        services.member_revoke(member=member, via=Member.RevokedVia.ADMIN, reason=data["reason"], by=request.user)
        return _member_answer(request, pk)


class MemberReviewApi(APIView):
    """A reviewer's decision on a flagged sign-up: ``clear`` (a held member counts from now) or ``revoke``
    with a reason, as the review page's buttons."""

    @extend_schema(request=s.MemberReviewInputSerializer, responses=s.MemberOutputSerializer)
    def post(self, request, pk: int):
        member = _member_to_change(request.user, pk)
        data = validated(s.MemberReviewInputSerializer, request)
        services.member_review(member=member, decision=data["decision"], reason=data["reason"], by=request.user)
        return _member_answer(request, pk)


# ---------------------------------------------------------------- likely duplicates


class DuplicateFilter(filters.FilterSet):
    within = within_filter(label=_lazy("Only the cases of this unit and the units below it."))
    status = filters.ChoiceFilter(
        choices=DuplicateCase.Status.choices, label=_lazy("Status (by default the open cases only)")
    )

    class Meta:
        model = DuplicateCase
        fields: list[str] = []


class DuplicateListApi(generics.ListAPIView):
    """The likely duplicates where the caller may appoint (the review queue), oldest first; open ones unless
    ``?status=`` says otherwise. Both members masked, as on the duplicates page."""

    serializer_class = s.DuplicateCaseOutputSerializer
    filterset_class = DuplicateFilter

    def get_queryset(self):
        cases = duplicates_for_user(self.request.user)
        if "status" not in self.request.query_params:
            cases = cases.filter(status=DuplicateCase.Status.OPEN)
        return cases


class DuplicateDecideApi(APIView):
    """Merge two likely duplicates, keeping the one chosen (the other is revoked as a duplicate), or keep
    both. A decided case stays decided."""

    @extend_schema(request=s.DuplicateDecideInputSerializer, responses=s.DuplicateCaseOutputSerializer)
    def post(self, request, pk: int):
        case = get_object_or_404(duplicates_for_user(request.user, VIEW), pk=pk)
        require(request.user, APPOINT, case.unit)
        data = validated(s.DuplicateDecideInputSerializer, request)
        merging.duplicate_decide(case=case, decision=data["decision"], by=request.user)
        case = get_object_or_404(duplicates_for_user(request.user, VIEW), pk=pk)
        return Response(s.DuplicateCaseOutputSerializer(case).data)


# ---------------------------------------------------------------- counts and leaderboards


def _days(request) -> int:
    raw = request.query_params.get("days", "")
    if not raw:
        return GROWTH_DAYS
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= s.GROWTH_DAYS_MAX):
        raise ValidationError({"days": [_("Give a number of days from 1 to %(n)d.") % {"n": s.GROWTH_DAYS_MAX}]})
    return int(raw)


class UnitCountsApi(APIView):
    """A unit's members from its counter row (one row, however large the subtree): verified and pending,
    the youth and women shares, booths and the target per booth, and the daily growth — the unit page's
    numbers."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days", int, description=str(_lazy("Days of growth, 1 to 366 (30 by default).")), required=False
            )
        ],
        responses=s.MemberUnitCountsOutputSerializer,
    )
    def get(self, request, unit_id: int):
        unit = get_unit_for_user(request.user, unit_id)
        days = _days(request)
        data = {
            "unit": unit,
            "counts": selectors.counts_for_unit(unit),
            "target_per_booth": selectors.target_per_booth(),
            "growth": selectors.growth(unit, days=days),
        }
        return Response(s.MemberUnitCountsOutputSerializer(data).data)


class UnitChildrenCountsApi(generics.ListAPIView):
    """The units right below a unit (a page of them), each with its counts: two counter reads per page."""

    serializer_class = s.MemberChildCountsOutputSerializer

    def get_queryset(self):  # for the schema and the paginator
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view for the schema
            return Unit.objects.none()
        return selectors.children_of(self._unit())

    def _unit(self) -> Unit:
        if not hasattr(self, "_parent"):
            self._parent = get_unit_for_user(self.request.user, self.kwargs["unit_id"])
        return self._parent

    def list(self, request, *args, **kwargs):
        children = list(self.paginate_queryset(self.get_queryset()) or [])
        counts = selectors.counts_by_unit(children)
        data = [{"unit": child, "counts": counts[child.pk]} for child in children]
        return self.get_paginated_response(s.MemberChildCountsOutputSerializer(data, many=True).data)


class LeaderboardApi(APIView):
    """The leaderboards of a unit's subtree: the units of one level below (``?level=<code>``, the next level
    by default) by verified members per booth, and the referral links by verified members."""

    @extend_schema(
        parameters=[OpenApiParameter("level", str, description=str(_lazy("A level's code below the unit.")))],
        responses=s.MemberLeaderboardOutputSerializer,
    )
    def get(self, request, unit_id: int):
        unit = get_unit_for_user(request.user, unit_id)
        levels = leaderboards.levels_below(unit)
        wanted = request.query_params.get("level", "")
        chosen = next((lv for lv in levels if lv.code == wanted), None) if wanted else (levels[0] if levels else None)
        if wanted and chosen is None:
            raise ValidationError({"level": [_("Choose one of the levels below this unit.")]})
        ranks = leaderboards.units(request.user, unit, chosen) if chosen else []
        data = {
            "unit": unit,
            "level": chosen,
            "levels": levels,
            "target_per_booth": selectors.target_per_booth(),
            "units": [
                {"rank": n, "unit": r.unit, "verified": r.verified, "booths": r.booths, "per_booth": r.per_booth}
                for n, r in enumerate(ranks, start=1)
            ],
            "referrers": leaderboards.referrers(request.user, unit),
        }
        return Response(s.MemberLeaderboardOutputSerializer(data).data)


# ---------------------------------------------------------------- sheet imports


class ImportCreateApi(APIView):
    """Upload a sheet of paper forms (CSV or .xlsx, at most 5 MB) for a unit: it is kept and queued, the
    worker enters its rows (``import_jobs``); read its status at ``import-jobs/<id>/``."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.MemberImportInputSerializer}, responses={201: s.MemberImportOutputSerializer}
    )
    def post(self, request):
        user = request.user
        if not can_anywhere(user, APPOINT):
            raise PermissionDenied
        data = validated(s.MemberImportInputSerializer, request)
        unit, upload = data["unit"], data["file"]
        require(user, APPOINT, unit)
        job = member_import_upload(
            root=unit, content=upload.read(), original_name=upload.name, by=user, language=get_language() or "hi"
        )
        job = get_object_or_404(MemberImport.objects.restrict(user, VIEW).select_related("root__level"), pk=job.pk)
        return Response(s.MemberImportOutputSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportDetailApi(APIView):
    """A sheet's import: queued, then imported (or not readable) with the rows entered, skipped and refused
    by row number. Seen by those who may enter members at its unit (the uploader among them)."""

    @extend_schema(responses=s.MemberImportOutputSerializer)
    def get(self, request, pk: int):
        job = get_object_or_404(MemberImport.objects.restrict(request.user, VIEW).select_related("root__level"), pk=pk)
        require(request.user, APPOINT, job.root)
        return Response(s.MemberImportOutputSerializer(job).data)
