"""Input and output serializers of the recruitment API: one pair per operation, no business logic.

Input serializers check the shape of a request (types, lengths, which ids the caller may name); the rules
of the drive are the services'. Output serializers read objects the views fetched with ``select_related``
and ``prefetch_related``, so they never query per row.

Personal data of applicants (mobile, e-mail, age) follows the web's rule (``sangathan.access.personal``):
in full for callers with ``view_personal`` where the applicant lives, masked (98•••••210, s•••@gmail.com,
an age band) for everyone else; a panel member who does not see the applicant's home unit gets no contact
at all, as on the application's page.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sangathan.access.permissions import VIEW
from sangathan.access.personal import may_view_personal
from sangathan.access.scope import can
from sangathan.core.validators import validate_plain_text
from sangathan.org.api.serializers import PositionBriefSerializer, ScopedPrimaryKeyRelatedField, UnitBriefSerializer
from sangathan.org.masking import age_band, mask_email, mask_mobile
from sangathan.org.models import Position, Unit
from sangathan.recruitment.access import RESERVED_SLUGS, campaigns_for_user
from sangathan.recruitment.models import (
    Application,
    Campaign,
    CampaignPosition,
    InterviewDay,
    InterviewSlot,
    Panel,
    Rubric,
    ScoreSheet,
)
from sangathan.recruitment.selectors import hidden_score_ids

POSTS_MAX = 50
TARGET_MAX = 1_000_000
REASON_MAX = 500
# A campaign's window: years any database and Python's datetime hold after conversion to UTC.
YEAR_MIN, YEAR_MAX = 2000, 2100


def _in_years(value: datetime.datetime) -> datetime.datetime:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise serializers.ValidationError(
            _("Give a date between the years %(first)d and %(last)d.") % {"first": YEAR_MIN, "last": YEAR_MAX}
        )
    return value


def _text(label, max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, validators=[validate_plain_text], label=label, **kwargs)


# ---------------------------------------------------------------- campaigns


class CampaignPositionOutputSerializer(serializers.ModelSerializer):
    position = PositionBriefSerializer()
    level = serializers.CharField(source="position.level.code", read_only=True)

    class Meta:
        model = CampaignPosition
        fields = ["id", "position", "level", "target"]
        read_only_fields = fields


class CampaignOutputSerializer(serializers.ModelSerializer):
    scope_unit = UnitBriefSerializer()
    positions = CampaignPositionOutputSerializer(many=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "title_hi",
            "title_en",
            "scope_unit",
            "parent",
            "opens_at",
            "closes_at",
            "is_open",
            "rubric",
            "reference_prefix",
            "notice_hi",
            "notice_en",
            "notice_version",
            "positions",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_open(self, campaign: Campaign) -> bool:
        return campaign.is_open(self.context.get("now"))


class CampaignPostInputSerializer(serializers.Serializer):
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.select_related("level"), label=_("post"))
    target = serializers.IntegerField(
        min_value=1, max_value=TARGET_MAX, required=False, allow_null=True, default=None, label=_("target")
    )


class CampaignWindowMixin:
    def validate_opens_at(self, value):
        return _in_years(value)

    def validate_closes_at(self, value):
        return _in_years(value)


class CampaignCreateInputSerializer(CampaignWindowMixin, serializers.Serializer):
    """A campaign for ``scope_unit``'s area; with ``parent``, a sub-campaign of a campaign the caller sees."""

    scope_unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.select_related("level"), label=_("unit"))
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.none(), required=False, allow_null=True, default=None, label=_("parent campaign")
    )
    title_hi = _text(_("title (Hindi)"), 200)
    title_en = _text(_("title (English)"), 200, allow_blank=True, default="")
    slug = serializers.SlugField(max_length=40, label=_("short link"))
    opens_at = serializers.DateTimeField(label=_("applications open"))
    closes_at = serializers.DateTimeField(label=_("applications close"))
    rubric = serializers.PrimaryKeyRelatedField(queryset=Rubric.objects.all(), label=_("rubric"))
    positions = CampaignPostInputSerializer(many=True, max_length=POSTS_MAX, label=_("posts"))
    reference_prefix = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        max_length=12,
        label=_("reference prefix"),
        error_messages={"invalid": _("Use letters, digits and hyphens only.")},
    )
    notice_hi = serializers.CharField(max_length=5000, required=False, label=_("privacy notice (Hindi)"))
    notice_en = serializers.CharField(max_length=5000, required=False, label=_("privacy notice (English)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["parent"].queryset = campaigns_for_user(request.user)

    def validate_slug(self, value: str) -> str:
        value = value.lower()
        if value in RESERVED_SLUGS:
            raise serializers.ValidationError(_("This short link is reserved; choose another."))
        return value

    def validate_positions(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError(_("Choose at least one post to recruit for."))
        chosen = [item["position"].pk for item in value]
        if len(set(chosen)) != len(chosen):
            raise serializers.ValidationError(_("Each post can be chosen once."))
        return value

    def validate(self, attrs):
        if attrs["closes_at"] <= attrs["opens_at"]:
            raise serializers.ValidationError({"closes_at": _("The closing time must be after the opening time.")})
        return attrs


class CampaignUpdateInputSerializer(CampaignWindowMixin, serializers.Serializer):
    """Every field is optional: only what is sent changes. A new notice text starts a new notice version,
    so the words earlier applicants agreed to stay on record."""

    title_hi = _text(_("title (Hindi)"), 200, required=False)
    title_en = _text(_("title (English)"), 200, allow_blank=True, required=False)
    opens_at = serializers.DateTimeField(required=False, label=_("applications open"))
    closes_at = serializers.DateTimeField(required=False, label=_("applications close"))
    notice_hi = serializers.CharField(max_length=5000, required=False, label=_("privacy notice (Hindi)"))
    notice_en = serializers.CharField(max_length=5000, required=False, label=_("privacy notice (English)"))

    def validate(self, attrs):
        campaign: Campaign = self.context["campaign"]
        opens = attrs.get("opens_at", campaign.opens_at)
        closes = attrs.get("closes_at", campaign.closes_at)
        if closes <= opens:
            raise serializers.ValidationError({"closes_at": _("The closing time must be after the opening time.")})
        return attrs


# ---------------------------------------------------------------- applications


class SocialAccountItemSerializer(serializers.Serializer):
    platform = serializers.CharField()
    handle = serializers.CharField()
    followers = serializers.IntegerField(allow_null=True)


class ApplicationListOutputSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        applications = list(data.all() if hasattr(data, "all") else data)
        self.context["hidden_scores"] = _hidden_scores(self.context, applications)
        return super().to_representation(applications)


def _hidden_scores(context, applications) -> set[int]:
    request = context.get("request")
    if request is None or not applications:
        return set()
    return hidden_score_ids(request.user, [a.pk for a in applications])


class ApplicationOutputSerializer(serializers.ModelSerializer):
    """An application as the review queue shows it. ``mobile``, ``email`` and ``age`` are masked unless the
    caller has ``view_personal`` where the applicant lives; ``score`` is null for a panel member who has not
    scored the applicant yet. Pass ``context={"request": request}``."""

    applied_for = CampaignPositionOutputSerializer()
    home_unit = UnitBriefSerializer()
    mobile = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    age = serializers.CharField(help_text=_("The age, or its decade (30–39) where personal data is masked."))
    social_accounts = SocialAccountItemSerializer(many=True)
    appointment = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "campaign",
            "reference",
            "status",
            "applied_for",
            "home_unit",
            "name_hi",
            "name_en",
            "mobile",
            "email",
            "age",
            "gender",
            "occupation",
            "education",
            "languages",
            "social_accounts",
            "followers_total",
            "statement",
            "writing_sample",
            "score",
            "score_disagreement",
            "decision_reason",
            "appointment",
            "letter_number",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = ApplicationListOutputSerializer

    def to_representation(self, instance: Application):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        if not can(user, VIEW, instance.home_unit):  # a panel member: no contact, as on the page
            data["mobile"] = data["email"] = None
            data["age"] = age_band(instance.age)
        elif not may_view_personal(user, instance):
            data["mobile"], data["email"] = mask_mobile(instance.mobile), mask_email(instance.email)
            data["age"] = age_band(instance.age)
        else:
            data["age"] = str(instance.age)
        data["social_accounts"] = [
            {
                "platform": str(a.get("platform", "")),
                "handle": str(a.get("handle", "")),
                "followers": a.get("followers"),
            }
            for a in instance.social_accounts or []
            if isinstance(a, dict)
        ]
        hidden = self.context.get("hidden_scores")
        if hidden is None:
            hidden = _hidden_scores(self.context, [instance])
        if instance.pk in hidden:
            data["score"], data["score_disagreement"] = None, False
        return data


class ScreenInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("shortlist", _("Shortlist for interview")), ("reject", _("Reject"))], label=_("action")
    )
    reason = serializers.CharField(
        max_length=REASON_MAX, allow_blank=True, default="", validators=[validate_plain_text], label=_("reason")
    )


class DecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("select", _("Select and appoint")), ("waitlist", _("Wait-list")), ("reject", _("Reject"))],
        label=_("decision"),
    )
    reason = serializers.CharField(
        max_length=REASON_MAX, allow_blank=True, default="", validators=[validate_plain_text], label=_("reason")
    )


# ---------------------------------------------------------------- interviews and scores


class PanelOutputSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Panel
        fields = ["id", "name", "members"]
        read_only_fields = fields


class InterviewDayOutputSerializer(serializers.ModelSerializer):
    panels = PanelOutputSerializer(many=True)

    class Meta:
        model = InterviewDay
        fields = ["id", "campaign", "date", "venue", "starts", "ends", "slot_minutes", "panels"]
        read_only_fields = fields


class ApplicationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = ["id", "reference", "name_hi", "name_en", "status"]
        read_only_fields = fields


class InterviewSlotOutputSerializer(serializers.ModelSerializer):
    day = serializers.IntegerField(source="panel.day_id", read_only=True)
    panel = serializers.CharField(source="panel.name", read_only=True)
    application = ApplicationBriefSerializer()
    scoring_opens_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = InterviewSlot
        fields = ["id", "day", "panel", "starts_at", "status", "scoring_opens_at", "application"]
        read_only_fields = fields


class ScoreSheetOutputSerializer(serializers.ModelSerializer):
    application = ApplicationBriefSerializer()
    scores = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("The score of each criterion, by the criterion's id.")
    )

    class Meta:
        model = ScoreSheet
        fields = ["id", "application", "member", "scores", "weighted", "submitted_at"]
        read_only_fields = fields


def now_context(request) -> dict:
    return {"request": request, "now": timezone.now()}
