"""Input and output serializers of the training API: one pair per operation, no business logic.

Output serializers read objects the views fetched with ``select_related``/``prefetch_related`` (and the
camps' counts annotated), so they never query per row. An invitee's mobile number is masked (98•••••210)
unless the caller has ``view_personal`` at the camp's host unit, as on the roll call; the personal check-in
codes are never part of the API.
"""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sangathan.access.personal import may_see_personal_at
from sangathan.core.validators import validate_plain_text
from sangathan.org.api.serializers import INT_MAX, ScopedPrimaryKeyRelatedField, UnitBriefSerializer
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Person, Unit
from sangathan.training.models import VENUE_MAX, Attendance, Camp, Completion, Invitation, Module, Programme

LIST_MAX = 50
# A camp's time: years any database and Python's datetime hold after conversion to UTC.
YEAR_MIN, YEAR_MAX = 2000, 2100


class ProgrammeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "code", "name_hi", "name_en"]
        read_only_fields = fields


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name_hi", "name_en"]
        read_only_fields = fields


class PersonWithMobileSerializer(serializers.ModelSerializer):
    """A person with their mobile number, masked unless ``context["full_mobile"]``."""

    class Meta:
        model = Person
        fields = ["id", "name_hi", "name_en", "mobile"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("full_mobile"):
            data["mobile"] = mask_mobile(data["mobile"])
        return data


# ---------------------------------------------------------------- camps


class CampOutputSerializer(serializers.ModelSerializer):
    programme = ProgrammeBriefSerializer()
    host_unit = UnitBriefSerializer()
    modules = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    trainers = PersonNameSerializer(many=True)
    invited = serializers.IntegerField(read_only=True, help_text=_("How many people are invited."))
    present = serializers.IntegerField(read_only=True, help_text=_("How many people attended."))

    class Meta:
        model = Camp
        fields = [
            "id",
            "programme",
            "host_unit",
            "venue",
            "starts_at",
            "ends_at",
            "modules",
            "trainers",
            "capacity",
            "allow_walk_ins",
            "status",
            "invited",
            "present",
            "created_at",
        ]
        read_only_fields = fields


def _in_years(value: datetime.datetime) -> datetime.datetime:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise serializers.ValidationError(
            _("Give a date between the years %(first)d and %(last)d.") % {"first": YEAR_MIN, "last": YEAR_MAX}
        )
    return value


class CampCreateInputSerializer(serializers.Serializer):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all(), label=_("programme"))
    host_unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("host unit"))
    venue = serializers.CharField(max_length=VENUE_MAX, validators=[validate_plain_text], label=_("venue"))
    starts_at = serializers.DateTimeField(label=_("starts at"))
    ends_at = serializers.DateTimeField(label=_("ends at"))
    modules = serializers.PrimaryKeyRelatedField(
        queryset=Module.objects.all(), many=True, required=False, default=list, label=_("modules covered")
    )
    trainers = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False, default=list, label=_("trainers")
    )
    capacity = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, required=False, allow_null=True, default=None, label=_("capacity")
    )
    allow_walk_ins = serializers.BooleanField(default=False, label=_("allow walk-ins"))
    invite_appointees = serializers.BooleanField(
        default=False, label=_("invite the appointees below the host unit who are not yet trained")
    )

    def validate_starts_at(self, value):
        return _in_years(value)

    def validate_ends_at(self, value):
        return _in_years(value)

    def validate_modules(self, value):
        if len(value) > LIST_MAX:
            raise serializers.ValidationError(_("Choose at most %(n)d.") % {"n": LIST_MAX})
        return value

    def validate_trainers(self, value):
        if len(value) > LIST_MAX:
            raise serializers.ValidationError(_("Choose at most %(n)d.") % {"n": LIST_MAX})
        return value


# ---------------------------------------------------------------- invitations and attendance


class InvitationOutputSerializer(serializers.ModelSerializer):
    person = PersonWithMobileSerializer()

    class Meta:
        model = Invitation
        fields = ["id", "camp", "person", "source", "invited_at", "reminded_at"]
        read_only_fields = fields


class InvitationCreateInputSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=25, label=_("mobile number"))


class InvitationGenerateOutputSerializer(serializers.Serializer):
    invited = serializers.IntegerField(help_text=_("How many people were invited now."))


class AttendanceOutputSerializer(serializers.ModelSerializer):
    person = PersonNameSerializer()

    class Meta:
        model = Attendance
        fields = ["id", "camp", "person", "checked_in_at", "method"]
        read_only_fields = fields


class AttendanceMarkInputSerializer(serializers.Serializer):
    """The roll call: tick (``present``: true) or untick an invitee of the camp (``context["camp"]``). The person
    is found among the camp's invitations, so an id of anybody else reads as unknown."""

    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("person"))
    present = serializers.BooleanField(label=_("present"))

    def validate_person(self, value: int) -> Person:
        invitation = Invitation.objects.filter(camp=self.context["camp"], person_id=value).select_related("person")
        found = invitation.first()
        if found is None:
            raise serializers.ValidationError(_("This person is not invited to this camp."))
        return found.person


class CompletionOutputSerializer(serializers.ModelSerializer):
    person = PersonNameSerializer()
    programme = ProgrammeBriefSerializer()

    class Meta:
        model = Completion
        fields = ["id", "person", "programme", "camp", "completed_at", "certificate_number"]
        read_only_fields = fields


class AttendanceMarkOutputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    present = serializers.BooleanField()
    attendance = AttendanceOutputSerializer(allow_null=True)
    completion = CompletionOutputSerializer(allow_null=True)


def mobile_context(request, camp: Camp) -> dict:
    return {"request": request, "full_mobile": may_see_personal_at(request.user, camp.host_unit)}
