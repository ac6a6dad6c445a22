"""Input and output serializers of the org API: one pair per operation, no business logic.

Input serializers only check the shape of a request (types, lengths, which ids the caller may
name); the rules of the organisation are the services'. Output serializers read objects the views
fetched with ``select_related``, so they never query.
"""

from django.core.validators import slug_re
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sangathan.access.personal import personal_visible_ids
from sangathan.core.validators import validate_plain_text
from sangathan.org.api.filters import state_visible_q
from sangathan.org.masking import mask_email, mask_mobile
from sangathan.org.models import Appointment, CommitteeEvent, Level, Person, Position, SocialAccount, Unit, Wing

INT_MAX = 2_147_483_647  # the largest value an integer column holds on every database
LIST_ITEMS_MAX = 20
LIST_ITEM_LENGTH_MAX = 60


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """The id of an object the requesting user may see.

    Objects outside the user's view scope are answered exactly like ids that do not exist, so a
    request never learns whether somebody else's unit or person exists.
    """

    def get_queryset(self):
        return super().get_queryset().restrict(self.context["request"].user, "view")


class CodeRelatedField(serializers.SlugRelatedField):
    """An object named by its ``code`` (a slug); anything that is not a slug is unknown without a query.

    (PostgreSQL refuses text with NUL bytes outright: it must not reach the database.)
    """

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not slug_re.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:40])
        return super().to_internal_value(data)


class LevelCodeField(CodeRelatedField):
    """A level named by its code, among those the caller may see (the default levels and their own state's): another
    state's own level answers like a code that does not exist."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Level.objects.all(), **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(state_visible_q(self.context["request"].user))


def _text_list_field(label, **kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=LIST_ITEM_LENGTH_MAX, validators=[validate_plain_text]),
        max_length=LIST_ITEMS_MAX,
        label=label,
        **kwargs,
    )


# ---------------------------------------------------------------- reference data


class LevelOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["code", "name_hi", "name_en", "order", "state"]
        read_only_fields = fields


class PositionOutputSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Position
        fields = ["id", "level", "code", "title_hi", "title_en", "seats", "is_key", "order", "state"]
        read_only_fields = fields


class PositionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "code", "title_hi", "title_en", "is_key"]
        read_only_fields = fields


# ---------------------------------------------------------------- units


class UnitOutputSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "parent",
            "level",
            "name_hi",
            "name_en",
            "number",
            "code",
            "polling_station",
            "depth",
            "children_count",
            "key_post_filled",
        ]
        read_only_fields = fields


class UnitBriefSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "level", "name_hi", "name_en", "number"]
        read_only_fields = fields


class UnitCreateInputSerializer(serializers.Serializer):
    parent = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("parent unit"))
    level = CodeRelatedField(queryset=Level.objects.all(), label=_("level"))
    name_hi = serializers.CharField(
        validators=[validate_plain_text], max_length=150, allow_blank=True, default="", label=_("name (Hindi)")
    )
    name_en = serializers.CharField(
        validators=[validate_plain_text], max_length=150, allow_blank=True, default="", label=_("name (English)")
    )
    number = serializers.IntegerField(
        min_value=0, max_value=INT_MAX, allow_null=True, default=None, label=_("official number")
    )
    code = serializers.CharField(
        validators=[validate_plain_text], max_length=16, allow_blank=True, default="", label=_("short code")
    )
    polling_station = serializers.CharField(
        validators=[validate_plain_text], max_length=255, allow_blank=True, default="", label=_("polling station")
    )


class UnitUpdateInputSerializer(serializers.Serializer):
    """Every field is optional: only what is sent changes. ``parent`` moves the unit."""

    parent = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, label=_("new parent unit"))
    name_hi = serializers.CharField(
        validators=[validate_plain_text], max_length=150, allow_blank=True, required=False, label=_("name (Hindi)")
    )
    name_en = serializers.CharField(
        validators=[validate_plain_text], max_length=150, allow_blank=True, required=False, label=_("name (English)")
    )
    number = serializers.IntegerField(
        min_value=0, max_value=INT_MAX, allow_null=True, required=False, label=_("official number")
    )
    code = serializers.CharField(
        validators=[validate_plain_text], max_length=16, allow_blank=True, required=False, label=_("short code")
    )
    polling_station = serializers.CharField(
        validators=[validate_plain_text], max_length=255, allow_blank=True, required=False, label=_("polling station")
    )


class UnitDissolveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label=_("reason"))
    include_subtree = serializers.BooleanField(default=False, label=_("also dissolve every committee below"))


class CommitteeEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitteeEvent
        fields = ["id", "unit", "kind", "reason", "include_subtree", "appointments_ended", "appointments_made", "at"]
        read_only_fields = fields


# ---------------------------------------------------------------- coverage and committee


class PositionCoverageOutputSerializer(serializers.Serializer):
    position = PositionBriefSerializer()
    seats_total = serializers.IntegerField()
    filled = serializers.IntegerField()
    vacant = serializers.IntegerField()


class LevelCoverageOutputSerializer(serializers.Serializer):
    level = LevelOutputSerializer()
    units_total = serializers.IntegerField()
    units_key_filled = serializers.IntegerField()
    units_key_vacant = serializers.IntegerField()
    percent = serializers.IntegerField()
    positions = PositionCoverageOutputSerializer(many=True)


class CoverageOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    levels = LevelCoverageOutputSerializer(many=True)


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name_hi", "name_en"]
        read_only_fields = fields


class CommitteeMemberOutputSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer()

    class Meta:
        model = Appointment
        fields = ["id", "seat", "person", "start_date", "letter_number"]
        read_only_fields = fields


class CommitteePostOutputSerializer(serializers.Serializer):
    position = PositionBriefSerializer()
    seats = serializers.IntegerField(source="position.seats")
    vacant = serializers.IntegerField()
    holders = CommitteeMemberOutputSerializer(many=True)


class CommitteeOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    posts = CommitteePostOutputSerializer(many=True)


# ---------------------------------------------------------------- people


class SocialAccountOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SocialAccount
        fields = ["platform", "handle", "followers"]
        read_only_fields = fields


class PersonListOutputSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        people = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        self.context["personal_ids"] = personal_visible_ids(getattr(request, "user", None), people)
        return super().to_representation(people)


class PersonOutputSerializer(serializers.ModelSerializer):
    """A person as the API shows them. ``mobile`` and ``email`` are personal data: masked (98•••••210)
    unless the caller may see them (``view_personal``); pass ``context={"request": request}``."""

    social_accounts = SocialAccountOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name_hi", "name_en", "mobile", "email", "home_unit", "languages", "skills", "social_accounts"]
        read_only_fields = fields
        list_serializer_class = PersonListOutputSerializer

    def to_representation(self, instance):
        data = super().to_representation(instance)
        allowed = self.context.get("personal_ids", False)
        if allowed is False:
            request = self.context.get("request")
            allowed = personal_visible_ids(getattr(request, "user", None), [instance])
        if allowed is not None and instance.pk not in allowed:
            data["mobile"], data["email"] = mask_mobile(data["mobile"]), mask_email(data["email"])
        return data


class PersonCreateInputSerializer(serializers.Serializer):
    name_hi = serializers.CharField(
        validators=[validate_plain_text], max_length=120, allow_blank=True, default="", label=_("name (Hindi)")
    )
    name_en = serializers.CharField(
        validators=[validate_plain_text], max_length=120, allow_blank=True, default="", label=_("name (English)")
    )
    mobile = serializers.CharField(max_length=25, label=_("mobile number"))
    email = serializers.EmailField(max_length=254, allow_blank=True, default="", label=_("email"))
    home_unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("home unit"))
    languages = _text_list_field(_("languages"), default=list)
    skills = _text_list_field(_("skills"), default=list)


class PersonUpdateInputSerializer(serializers.Serializer):
    """Every field is optional: only what is sent changes."""

    name_hi = serializers.CharField(
        validators=[validate_plain_text], max_length=120, allow_blank=True, required=False, label=_("name (Hindi)")
    )
    name_en = serializers.CharField(
        validators=[validate_plain_text], max_length=120, allow_blank=True, required=False, label=_("name (English)")
    )
    mobile = serializers.CharField(max_length=25, required=False, label=_("mobile number"))
    email = serializers.EmailField(max_length=254, allow_blank=True, required=False, label=_("email"))
    home_unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, label=_("home unit"))
    languages = _text_list_field(_("languages"), required=False)
    skills = _text_list_field(_("skills"), required=False)


# ---------------------------------------------------------------- appointments


class AppointmentOutputSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer()
    position = PositionBriefSerializer()
    person = PersonBriefSerializer()
    wing = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("The wing's code, or null."))

    class Meta:
        model = Appointment
        fields = [
            "id",
            "unit",
            "position",
            "person",
            "wing",
            "seat",
            "status",
            "start_date",
            "end_date",
            "letter_number",
            "end_reason",
        ]
        read_only_fields = fields


class AppointmentCreateInputSerializer(serializers.Serializer):
    """Name the person by ``person`` (an id) or by ``mobile`` (and a name, if they are new)."""

    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("unit"))
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), label=_("position"))
    person = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, label=_("person")
    )
    mobile = serializers.CharField(max_length=25, required=False, allow_blank=True, label=_("mobile number"))
    name_hi = serializers.CharField(
        validators=[validate_plain_text], max_length=120, allow_blank=True, default="", label=_("name (Hindi)")
    )
    name_en = serializers.CharField(
        validators=[validate_plain_text], max_length=120, allow_blank=True, default="", label=_("name (English)")
    )
    start_date = serializers.DateField(required=False, allow_null=True, label=_("start date"))
    letter_number = serializers.CharField(max_length=60, allow_blank=True, default="", label=_("letter number"))
    wing = CodeRelatedField(
        queryset=Wing.objects.all(), required=False, allow_null=True, label=_("wing (its code: it_cell, women, …)")
    )

    def validate(self, attrs):
        has_person, has_mobile = attrs.get("person") is not None, bool((attrs.get("mobile") or "").strip())
        if has_person and has_mobile:
            raise serializers.ValidationError(_("Give either a person or a mobile number, not both."))
        if not has_person and not has_mobile:
            raise serializers.ValidationError(_("Give a person or a mobile number."))
        return attrs


class AppointmentRelieveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label=_("reason"))
    end_date = serializers.DateField(required=False, allow_null=True, label=_("end date"))
