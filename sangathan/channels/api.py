"""The channel registry's REST API under /api/v1/channels/ (see sangathan.config.urls).

Same scope rules as the org API: lists start from ``Channel.objects.restrict``; a channel or unit outside
what the caller may see answers 404; one seen but not manageable answers 403; a refused change (a bad
link, a taken name) answers 400 with the translated message."""

from collections.abc import Callable

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access import scope
from sangathan.access.permissions import MANAGE_CHANNELS, VIEW
from sangathan.access.personal import covers_view_scope, may_see_personal_at
from sangathan.channels import selectors, services
from sangathan.channels.forms import parse_mobiles
from sangathan.channels.models import Channel, ChannelSnapshot, Platform
from sangathan.core.api import validated
from sangathan.org.api.filters import units_in_scope, within_filter
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Unit


class ChannelOutputSerializer(serializers.ModelSerializer):
    """A channel; its owner's and other admins' mobile numbers are masked for callers without
    ``view_personal`` at its unit (pass ``context={"request": request}``)."""

    platform_label = serializers.CharField(source="get_platform_display", read_only=True)
    url = serializers.CharField(read_only=True)
    admins = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Channel
        fields = [
            "id",
            "unit",
            "platform",
            "platform_label",
            "name",
            "link",
            "url",
            "owner_mobile",
            "admins",
            "other_admin_mobiles",
            "member_count",
            "created_on",
            "last_verified_on",
            "is_active",
            "deactivated_at",
            "deactivation_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        if not (covers_view_scope(user) or may_see_personal_at(user, instance.unit)):
            data["owner_mobile"] = mask_mobile(data["owner_mobile"])
            data["other_admin_mobiles"] = [mask_mobile(m) for m in data["other_admin_mobiles"] or []]
        return data


class MobilesField(serializers.ListField):
    child = serializers.CharField(max_length=25)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        try:
            return parse_mobiles(",".join(values))
        except Exception as error:  # forms.ValidationError with a translated message
            raise serializers.ValidationError(getattr(error, "messages", [str(error)])) from None


class ChannelWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    link = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    owner_mobile = serializers.CharField(max_length=25, required=False, allow_blank=True, default="")
    admin_mobiles = MobilesField(required=False, default=list)
    member_count = serializers.IntegerField(required=False, allow_null=True, min_value=0, default=None)
    created_on = serializers.DateField(required=False, allow_null=True, default=None)


class ChannelCreateSerializer(ChannelWriteSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    platform = serializers.ChoiceField(choices=Platform.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in_scope(self.context.get("request"))


class VerifySerializer(serializers.Serializer):
    member_count = serializers.IntegerField(required=False, allow_null=True, min_value=0, default=None)


class DeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ChannelFilter(filters.FilterSet):
    within = within_filter(label=_("Only channels of this unit and the units below it (a unit id)."))
    unit = filters.ModelChoiceFilter(queryset=units_in_scope, label=_("Only the channels of this unit."))
    platform = filters.ChoiceFilter(choices=Platform.choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = Channel
        fields: list[str] = []


def _get(request, pk) -> Channel:
    return get_object_or_404(Channel.objects.restrict(request.user, VIEW).select_related("unit"), pk=pk)


def _change(request, pk, serializer_class, service: Callable[..., Channel]) -> Response:
    """A change to one channel: fetched in scope (else 404), the caller may manage channels at its unit (else
    403), the input checked (else 400), then ``service(channel=…, **input, by=…)``; answers with the channel
    as it is now. Admins' numbers in the input are split as ``_with_admins`` says."""
    channel = _get(request, pk)
    scope.require(request.user, MANAGE_CHANNELS, channel.unit)
    data = validated(serializer_class, request)
    if "admin_mobiles" in data:
        data = _with_admins(request.user, data)
    channel = service(channel=channel, **data, by=request.user)
    return Response(ChannelOutputSerializer(channel, context={"request": request}).data)


def _with_admins(user, data: dict) -> dict:
    """The written fields with the admins' numbers split into people the caller can see and other numbers."""
    admins, others = selectors.admins_from_mobiles(user, data.pop("admin_mobiles"))
    return {**data, "admins": admins, "other_admin_mobiles": others}


class ChannelListCreateApi(generics.ListAPIView):
    """GET: the channels the caller may see (active and removed; filter with ``is_active``). POST: register."""

    serializer_class = ChannelOutputSerializer
    filterset_class = ChannelFilter

    def get_queryset(self):
        return Channel.objects.restrict(self.request.user, VIEW).prefetch_related("admins").order_by("id")

    @extend_schema(request=ChannelCreateSerializer, responses={201: ChannelOutputSerializer})
    def post(self, request):
        data = validated(ChannelCreateSerializer, request)
        scope.require(request.user, MANAGE_CHANNELS, data["unit"])
        channel = services.channel_register(**_with_admins(request.user, data), by=request.user)
        return Response(
            ChannelOutputSerializer(channel, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ChannelDetailApi(APIView):
    """GET: one channel. PUT: change its name, link, admins and numbers (send them all)."""

    @extend_schema(responses=ChannelOutputSerializer)
    def get(self, request, pk: int):
        return Response(ChannelOutputSerializer(_get(request, pk), context={"request": request}).data)

    @extend_schema(request=ChannelWriteSerializer, responses=ChannelOutputSerializer)
    def put(self, request, pk: int):
        return _change(request, pk, ChannelWriteSerializer, services.channel_update)


class ChannelVerifyApi(APIView):
    """Record that the channel was checked today, optionally with its member count."""

    @extend_schema(request=VerifySerializer, responses=ChannelOutputSerializer)
    def post(self, request, pk: int):
        return _change(request, pk, VerifySerializer, services.channel_verify)


class ChannelDeactivateApi(APIView):
    """Remove the channel from the registry (kept as history, with the reason)."""

    @extend_schema(request=DeactivateSerializer, responses=ChannelOutputSerializer)
    def post(self, request, pk: int):
        return _change(request, pk, DeactivateSerializer, services.channel_deactivate)


class SnapshotOutputSerializer(serializers.ModelSerializer):
    """One day's numbers of an official account; null where the platform does not give them."""

    class Meta:
        model = ChannelSnapshot
        fields = [
            "day",
            "followers",
            "followers_change",
            "posts",
            "posts_total",
            "reach",
            "impressions",
            "source",
            "updated_at",
        ]
        read_only_fields = fields


class SnapshotFilter(filters.FilterSet):
    since = filters.DateFilter(field_name="day", lookup_expr="gte", label=_("From this day (YYYY-MM-DD)."))
    until = filters.DateFilter(field_name="day", lookup_expr="lte", label=_("Up to this day (YYYY-MM-DD)."))

    class Meta:
        model = ChannelSnapshot
        fields: list[str] = []


class ChannelSnapshotsApi(generics.ListAPIView):
    """GET: an official account's daily numbers (followers, posts, reach, impressions), newest first, from its
    platform's export files and API. A channel the caller may not see answers 404."""

    serializer_class = SnapshotOutputSerializer
    filterset_class = SnapshotFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChannelSnapshot.objects.none()
        channel = _get(self.request, self.kwargs["pk"])
        return ChannelSnapshot.objects.restrict(self.request.user, VIEW).filter(channel=channel).order_by("-day")
