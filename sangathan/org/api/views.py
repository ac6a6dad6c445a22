"""The org REST API. Thin views: fetch within the caller's scope, check the action, validate the
input, call one service or selector, serialise the answer.

Scope rules, the same on every endpoint:
- every queryset starts from ``Model.objects.restrict(request.user, action)``;
- an object outside what the caller may see answers 404, exactly like an id that does not exist;
- an object the caller sees but may not act on answers 403, and nothing changes;
- a service refusing a change (``OrgError``) answers 400 with its message (``sangathan.core.api``).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access import scope
from sangathan.access.permissions import APPOINT, DISSOLVE, MANAGE_UNITS, VIEW, VIEW_PERSONAL
from sangathan.core.api import patched, validated
from sangathan.org import selectors, services
from sangathan.org.access import get_appointment_for_user, get_person_for_user, get_unit_for_user
from sangathan.org.api import serializers as s
from sangathan.org.api.filters import levels_in_scope, people_in_scope, state_visible_q, units_in_scope, within_filter
from sangathan.org.lookups import lookups_over_limit
from sangathan.org.models import Appointment, Level, Person, Position, Unit

SEARCH_LIMIT = 100  # a search answers at most this many best matches
# What unit_update and person_update take: a PATCH sends some, the others are kept as they are.
UNIT_FIELDS = ("name_hi", "name_en", "number", "code", "polling_station")
PERSON_FIELDS = ("name_hi", "name_en", "mobile", "email", "home_unit", "languages", "skills")


# ---------------------------------------------------------------- helpers


def _appointments(request):
    return Appointment.objects.restrict(request.user, VIEW).select_related("unit__level", "position", "person", "wing")


def _require_person_editable(user, person: Person) -> None:
    """People are edited by whoever may appoint where they live (their home unit)."""
    if not Person.objects.restrict(user, APPOINT).filter(pk=person.pk).exists():
        raise PermissionDenied


# ---------------------------------------------------------------- filters


class PositionFilter(filters.FilterSet):
    level = filters.ModelChoiceFilter(
        queryset=levels_in_scope, to_field_name="code", label=_("Only posts of this level (its code).")
    )

    class Meta:
        model = Position
        fields: list[str] = []


class UnitFilter(filters.FilterSet):
    within = within_filter(field_name="id", path="path", label=_("Only this unit and the units below it (a unit id)."))
    parent = filters.ModelChoiceFilter(queryset=units_in_scope, label=_("Only the direct sub-units of this unit."))
    level = filters.ModelChoiceFilter(
        queryset=levels_in_scope, to_field_name="code", label=_("Only units of this level (its code).")
    )
    # Declared last: the search orders and limits its matches, so it runs after every other filter.
    q = filters.CharFilter(method="filter_search", label=_("Search by name, short code or official number."))

    class Meta:
        model = Unit
        fields: list[str] = []

    def filter_search(self, queryset, name, value: str):
        return selectors.unit_search(queryset, value, limit=SEARCH_LIMIT)


class PersonFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_search", label=_("Search by name or mobile number."))

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_search(self, queryset, name, value: str):
        user = self.request.user
        return selectors.person_search(
            queryset, value, limit=SEARCH_LIMIT, by_mobile=Person.objects.restrict(user, VIEW_PERSONAL)
        )


class AppointmentFilter(filters.FilterSet):
    unit = filters.ModelChoiceFilter(queryset=units_in_scope, label=_("Only the committee of this unit."))
    within = within_filter(label=_("Only committees of this unit and the units below it."))
    status = filters.ChoiceFilter(choices=Appointment.Status.choices)
    person = filters.ModelChoiceFilter(queryset=people_in_scope, label=_("Only this person's appointments."))

    class Meta:
        model = Appointment
        fields: list[str] = []


# ---------------------------------------------------------------- reference data


class LevelListApi(generics.ListAPIView):
    """The levels of the organisation's chain, top first: the default ones and those the caller's state added
    (``state`` its id; another state's own levels are not shown)."""

    serializer_class = s.LevelOutputSerializer

    def get_queryset(self):
        user = self.request.user
        if not scope.has_any_role(user):
            return Level.objects.none()
        return Level.objects.filter(state_visible_q(user))


class PositionListApi(generics.ListAPIView):
    """The posts of each level's committee: the default ones and those the caller's state added (``state`` its
    id; another state's own posts are not shown)."""

    serializer_class = s.PositionOutputSerializer
    filterset_class = PositionFilter

    def get_queryset(self):
        user = self.request.user
        if not scope.has_any_role(user):
            return Position.objects.none()
        return Position.objects.filter(state_visible_q(user), state_visible_q(user, "level__state")).select_related(
            "level"
        )


# ---------------------------------------------------------------- units


class UnitListCreateApi(generics.ListAPIView):
    """GET: the units the caller may see. POST: add a unit under a parent the caller manages."""

    serializer_class = s.UnitOutputSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return Unit.objects.restrict(self.request.user, VIEW).select_related("level")

    @extend_schema(request=s.UnitCreateInputSerializer, responses={201: s.UnitOutputSerializer})
    def post(self, request):
        data = validated(s.UnitCreateInputSerializer, request)
        scope.require(request.user, MANAGE_UNITS, data["parent"])
        unit = services.unit_create(**data, by=request.user)
        return Response(s.UnitOutputSerializer(unit).data, status=status.HTTP_201_CREATED)


class UnitDetailApi(APIView):
    """GET: one unit. PATCH: rename or renumber it and, with ``parent``, move it with its subtree."""

    @extend_schema(responses=s.UnitOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.UnitOutputSerializer(get_unit_for_user(request.user, pk)).data)

    @extend_schema(request=s.UnitUpdateInputSerializer, responses=s.UnitOutputSerializer)
    def patch(self, request, pk: int):
        unit = get_unit_for_user(request.user, pk)
        scope.require(request.user, MANAGE_UNITS, unit)
        data = validated(s.UnitUpdateInputSerializer, request)
        new_parent = data.pop("parent", None)
        if new_parent is not None:
            scope.require(request.user, MANAGE_UNITS, new_parent)
        with transaction.atomic():  # a rename and a move in one request succeed or fail together
            if data:
                unit = services.unit_update(unit=unit, **patched(unit, data, UNIT_FIELDS), by=request.user)
            if new_parent is not None:
                unit = services.unit_move(unit=unit, new_parent=new_parent, by=request.user)
        return Response(s.UnitOutputSerializer(get_unit_for_user(request.user, unit.pk)).data)


class UnitCoverageApi(APIView):
    """Per level below the unit: units, units whose key post is filled, and seats per post."""

    @extend_schema(responses=s.CoverageOutputSerializer)
    def get(self, request, pk: int):
        unit = get_unit_for_user(request.user, pk)
        levels = selectors.coverage_for_unit(unit)
        return Response(s.CoverageOutputSerializer({"unit": unit.pk, "levels": levels}).data)


class UnitCommitteeApi(APIView):
    """Every post of the unit's committee with its seats, filled or vacant."""

    @extend_schema(responses=s.CommitteeOutputSerializer)
    def get(self, request, pk: int):
        unit = get_unit_for_user(request.user, pk)
        posts = selectors.committee_for_unit(unit)
        return Response(s.CommitteeOutputSerializer({"unit": unit.pk, "posts": posts}).data)


class UnitDissolveApi(APIView):
    """Relieve the whole committee of the unit (and, if asked, of every unit below it)."""

    @extend_schema(request=s.UnitDissolveInputSerializer, responses=s.CommitteeEventOutputSerializer)
    def post(self, request, pk: int):
        unit = get_unit_for_user(request.user, pk)
        scope.require(request.user, DISSOLVE, unit)
        data = validated(s.UnitDissolveInputSerializer, request)
        event = services.committee_dissolve(unit=unit, **data, by=request.user)
        return Response(s.CommitteeEventOutputSerializer(event).data)


# ---------------------------------------------------------------- people


class PersonListCreateApi(generics.ListAPIView):
    """GET: the people the caller may see. POST: add a person living in a unit the caller appoints in."""

    serializer_class = s.PersonOutputSerializer
    filterset_class = PersonFilter

    def get_queryset(self):
        return Person.objects.restrict(self.request.user, VIEW).prefetch_related("social_accounts")

    @extend_schema(request=s.PersonCreateInputSerializer, responses={201: s.PersonOutputSerializer})
    def post(self, request):
        data = validated(s.PersonCreateInputSerializer, request)
        scope.require(request.user, APPOINT, data["home_unit"])
        person = services.person_create(**data, by=request.user)
        data = s.PersonOutputSerializer(person, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class PersonDetailApi(APIView):
    """GET: one person. PATCH: change their details (only what is sent)."""

    @extend_schema(responses=s.PersonOutputSerializer)
    def get(self, request, pk: int):
        person = get_person_for_user(request.user, pk)
        return Response(s.PersonOutputSerializer(person, context={"request": request}).data)

    @extend_schema(request=s.PersonUpdateInputSerializer, responses=s.PersonOutputSerializer)
    def patch(self, request, pk: int):
        person = get_person_for_user(request.user, pk)
        _require_person_editable(request.user, person)
        data = validated(s.PersonUpdateInputSerializer, request)
        if "home_unit" in data:
            scope.require(request.user, APPOINT, data["home_unit"])
        person = services.person_update(person=person, **patched(person, data, PERSON_FIELDS), by=request.user)
        return Response(s.PersonOutputSerializer(person, context={"request": request}).data)


# ---------------------------------------------------------------- appointments


class AppointmentListCreateApi(generics.ListAPIView):
    """GET: appointments in the caller's scope. POST: appoint somebody to a free seat."""

    serializer_class = s.AppointmentOutputSerializer
    filterset_class = AppointmentFilter

    def get_queryset(self):
        return _appointments(self.request)

    @extend_schema(request=s.AppointmentCreateInputSerializer, responses={201: s.AppointmentOutputSerializer})
    def post(self, request):
        data = validated(s.AppointmentCreateInputSerializer, request)
        unit = data["unit"]
        scope.require(request.user, APPOINT, unit)
        if data.get("person") is not None:
            appointment = services.appointment_create(
                unit=unit,
                position=data["position"],
                person=data["person"],
                start_date=data.get("start_date"),
                letter_number=data["letter_number"],
                wing=data.get("wing"),
                by=request.user,
            )
        else:
            if lookups_over_limit(request, obj=unit, purpose="appoint"):
                raise Throttled(wait=3600)  # answered in the user's language (sangathan.core.api)
            appointment = services.appointment_create_for_mobile(
                unit=unit,
                position=data["position"],
                mobile=data["mobile"],
                name_hi=data["name_hi"],
                name_en=data["name_en"],
                start_date=data.get("start_date"),
                letter_number=data["letter_number"],
                wing=data.get("wing"),
                by=request.user,
            )
        return Response(
            s.AppointmentOutputSerializer(get_appointment_for_user(request.user, appointment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AppointmentDetailApi(APIView):
    @extend_schema(responses=s.AppointmentOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.AppointmentOutputSerializer(get_appointment_for_user(request.user, pk)).data)


class AppointmentRelieveApi(APIView):
    """End one appointment; it stays in the history with the reason."""

    @extend_schema(request=s.AppointmentRelieveInputSerializer, responses=s.AppointmentOutputSerializer)
    def post(self, request, pk: int):
        appointment = get_appointment_for_user(request.user, pk)
        scope.require(request.user, APPOINT, appointment.unit)
        data = validated(s.AppointmentRelieveInputSerializer, request)
        services.appointment_relieve(appointment=appointment, **data, by=request.user)
        return Response(s.AppointmentOutputSerializer(get_appointment_for_user(request.user, pk)).data)
