"""The message cascade's REST API under /api/v1/outreach/ (see sangathan.config.urls). Thin views, the org
API's rules: messages come from ``selectors.messages_for_user`` (the caller's area, and the sent messages
that came down to it); one outside answers 404; one seen but not allowed (send, approve) 403; a refused
step (``OutreachError``: four eyes, a sent message, an expired one) 400 with its translated message. Writes
go through ``outreach.services`` only. Acknowledging stays on the recipient's signed link (/m/…)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from sangathan.access import scope
from sangathan.access.permissions import APPROVE_MESSAGES, SEND_MESSAGES
from sangathan.core.api import validated
from sangathan.org.access import get_unit_for_user
from sangathan.org.api.filters import within_filter
from sangathan.outreach import drives, selectors, services
from sangathan.outreach.api import serializers as s
from sangathan.outreach.models import Message

UNIT_ID_DIGITS = 11  # a ?unit= longer than this names no unit (and never reaches the database)


def _message_data(request, message: Message) -> dict:
    totals = selectors.message_totals([message])
    return s.MessageOutputSerializer(message, context={"request": request, "totals": totals}).data


class MessageFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Message.Status.choices)
    within = within_filter(label=_("Only messages to this unit's area and the areas below it."))

    class Meta:
        model = Message
        fields: list[str] = []


class MessageListCreateApi(generics.ListAPIView):
    """GET: the messages of the caller's area and the sent ones that came down to it, newest first, with
    whole-message counts once sent. POST: a draft to a unit's area down to a level, with its per-platform
    texts."""

    serializer_class = s.MessageOutputSerializer
    filterset_class = MessageFilter

    def get_queryset(self):
        return selectors.messages_for_user(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "totals": getattr(self, "_totals", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._totals = selectors.message_totals(page or [])
        return page

    @extend_schema(request=s.MessageCreateInputSerializer, responses={201: s.MessageOutputSerializer})
    def post(self, request):
        if not scope.can_anywhere(request.user, SEND_MESSAGES):
            raise PermissionDenied
        data = validated(s.MessageCreateInputSerializer, request)
        message = services.message_create(**data, by=request.user)
        message = selectors.get_message_for_user(request.user, message.pk)
        return Response(_message_data(request, message), status=status.HTTP_201_CREATED)


class MessageDetailApi(APIView):
    """GET: one message. PATCH: change a message that has not gone out (only what is sent); an approved or
    submitted one goes back to draft, as on the web."""

    @extend_schema(responses=s.MessageOutputSerializer)
    def get(self, request, pk: int):
        return Response(_message_data(request, selectors.get_message_for_user(request.user, pk)))

    @extend_schema(request=s.MessageUpdateInputSerializer, responses=s.MessageOutputSerializer)
    def patch(self, request, pk: int):
        message = selectors.get_message_for_user(request.user, pk)
        scope.require(request.user, SEND_MESSAGES, message.unit)
        data = validated(s.MessageUpdateInputSerializer, request)
        services.message_update(message=message, **data, by=request.user)
        return Response(_message_data(request, selectors.get_message_for_user(request.user, pk)))


class MessageStepApi(APIView):
    """One step of a message: ``submit`` for approval, ``approve`` (somebody other than its author), ``return``
    to draft, ``send``, ``resume`` a send that stopped. The same services and rules as the web's buttons."""

    step = ""
    STEPS = {
        "submit": (SEND_MESSAGES, services.message_submit),
        "approve": (APPROVE_MESSAGES, services.message_approve),
        "return": (APPROVE_MESSAGES, services.message_return),
        "send": (SEND_MESSAGES, services.message_send),
        "resume": (SEND_MESSAGES, services.message_resume),
    }

    @extend_schema(request=None, responses=s.MessageOutputSerializer)
    def post(self, request, pk: int):
        action, service = self.STEPS[self.step]
        message = selectors.get_message_for_user(request.user, pk)
        scope.require(request.user, action, message.unit)
        service(message=message, by=request.user)
        return Response(_message_data(request, selectors.get_message_for_user(request.user, pk)))


class MessageTrackingApi(APIView):
    """A sent message in the caller's part of the tree (or below it, ``?unit=``): per level the units reached,
    opened, acknowledged, shared, could not share; the sub-units' bars; times to acknowledge and share. The
    tracking page's numbers."""

    @extend_schema(
        parameters=[OpenApiParameter("unit", int, description=str(_("A unit inside the message's area.")))],
        responses=s.TrackingOutputSerializer,
    )
    def get(self, request, pk: int):
        message = selectors.get_message_for_user(request.user, pk)
        if not message.is_sent:
            raise Http404
        unit_id = request.query_params.get("unit", "")
        wanted = int(unit_id) if unit_id.isdecimal() and len(unit_id) <= UNIT_ID_DIGITS else None
        if unit_id and wanted is None:
            raise Http404
        unit = selectors.tracking_unit(request.user, message, wanted)
        data = {
            "message": message.pk,
            "unit": unit,
            "levels": [{"level": level, "counts": counts} for level, counts in selectors.level_counts(message, unit)],
            "children": [
                {
                    "unit": row["unit"],
                    "counts": row["counts"],
                    "status": row["delivery"].status if row["delivery"] is not None else None,
                }
                for row in selectors.child_rows(message, unit)
            ],
            "times": selectors.times(message, unit),
        }
        return Response(s.TrackingOutputSerializer(data).data)


class ApprovalRuleApi(APIView):
    """GET: whether messages of the unit's area need a second person's approval. PUT: set the unit's rule."""

    @extend_schema(responses=s.ApprovalRuleOutputSerializer)
    def get(self, request, unit_id: int):
        unit = get_unit_for_user(request.user, unit_id)
        return Response(
            s.ApprovalRuleOutputSerializer({"unit": unit.pk, "four_eyes": services.four_eyes_required(unit)}).data
        )

    @extend_schema(request=s.ApprovalRuleInputSerializer, responses=s.ApprovalRuleOutputSerializer)
    def put(self, request, unit_id: int):
        unit = get_unit_for_user(request.user, unit_id)
        scope.require(request.user, APPROVE_MESSAGES, unit)
        data = validated(s.ApprovalRuleInputSerializer, request)
        services.approval_rule_set(unit=unit, four_eyes=data["four_eyes"], by=request.user)
        return Response(
            s.ApprovalRuleOutputSerializer({"unit": unit.pk, "four_eyes": services.four_eyes_required(unit)}).data
        )


# ---------------------------------------------------------------- trend drives


def _drive_data(request, drive, *, progress=None) -> dict:
    context = {"targets": drives.targets_of(request.user, [drive.pk]), "progress": progress}
    return s.DriveOutputSerializer(drive, context=context).data


class DriveListCreateApi(generics.ListAPIView):
    """GET: the trend drives of the caller's area and those whose message came down to it, latest first.
    POST: a drive (hashtag, window, posts per unit by level) with its message as a draft, sent by the
    message's steps (``messages/<id>/send/``)."""

    serializer_class = s.DriveOutputSerializer

    def get_queryset(self):
        return drives.drives_for_user(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "targets": getattr(self, "_targets", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._targets = drives.targets_of(self.request.user, [d.pk for d in page or []])
        return page

    @extend_schema(request=s.DriveCreateInputSerializer, responses={201: s.DriveOutputSerializer})
    def post(self, request):
        if not scope.can_anywhere(request.user, SEND_MESSAGES):
            raise PermissionDenied
        data = validated(s.DriveCreateInputSerializer, request)
        drive = services.trend_drive_create(**data, by=request.user)
        drive = drives.get_drive_for_user(request.user, drive.pk)
        return Response(_drive_data(request, drive), status=status.HTTP_201_CREATED)


class DriveDetailApi(APIView):
    """One trend drive with its live count per level below the caller's part of its area (or ``?unit=``
    inside it): units reached, posts proved in the window, the target. The drive page's numbers."""

    @extend_schema(
        parameters=[OpenApiParameter("unit", int, description=str(_("A unit inside the drive's area.")))],
        responses=s.DriveOutputSerializer,
    )
    def get(self, request, pk: int):
        drive = drives.get_drive_for_user(request.user, pk)
        unit_id = request.query_params.get("unit", "")
        wanted = None
        if unit_id:
            if not (unit_id.isascii() and unit_id.isdecimal() and len(unit_id) <= UNIT_ID_DIGITS):
                raise Http404
            wanted = get_unit_for_user(request.user, int(unit_id))
        unit = drives.counting_unit(request.user, drive, wanted)
        return Response(_drive_data(request, drive, progress=drives.drive_progress(drive, unit)))
