"""Input and output serializers of the message cascade's API: shapes only; the rules (four eyes, the
X post's length, hashtags, links, expiry) are ``outreach.services``'. Output serializers read objects
the views fetched with ``select_related``, so they never query."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.org.api.serializers import LevelCodeField, LevelOutputSerializer, UnitBriefSerializer
from sangathan.org.models import Level, Unit
from sangathan.outreach.forms import DEEPEST_SENDER_LEVEL
from sangathan.outreach.models import Message


class VariantOutputSerializer(serializers.Serializer):
    platform = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()


class CountsOutputSerializer(serializers.Serializer):
    """Units the message reached, and how many opened it, acknowledged it, shared it, or could not share it."""

    total = serializers.IntegerField()
    opened = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    shared = serializers.IntegerField()
    cannot = serializers.IntegerField()
    silent = serializers.IntegerField()
    acknowledged_percent = serializers.IntegerField()
    shared_percent = serializers.IntegerField()


class MessageOutputSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer()
    target_level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    variants = serializers.SerializerMethodField()
    image = serializers.ImageField(read_only=True, use_url=True)
    counts = serializers.SerializerMethodField(help_text=_("Whole-message counts once it is sent (null before)."))

    class Meta:
        model = Message
        fields = [
            "id",
            "unit",
            "target_level",
            "title",
            "body_hi",
            "body_en",
            "text_whatsapp",
            "text_x",
            "text_facebook",
            "text_telegram",
            "hashtags",
            "call_to_action",
            "priority",
            "media_url",
            "image",
            "ack_within_hours",
            "expires_at",
            "status",
            "status_label",
            "variants",
            "created_by",
            "approved_by",
            "approved_at",
            "sent_by",
            "sent_at",
            "completed_at",
            "deliveries_total",
            "created_at",
            "updated_at",
            "counts",
        ]
        read_only_fields = fields

    @extend_schema_field(VariantOutputSerializer(many=True))
    def get_variants(self, message: Message) -> list[dict]:
        """The text for each platform that has one (the body for WhatsApp when none has)."""
        return [{"platform": code, "label": label, "text": text} for code, label, text in message.variants()]

    @extend_schema_field(CountsOutputSerializer(allow_null=True))
    def get_counts(self, message: Message) -> dict | None:
        counts = self.context.get("totals", {}).get(message.pk)
        return CountsOutputSerializer(counts).data if counts is not None else None


class SenderUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the caller may send messages to, above the deepest sending level (as in the web's form); any other
    id is answered like one that does not exist."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Unit.objects.none(), **kwargs)  # the real one is get_queryset: the caller's

    def get_queryset(self):
        deepest = Level.objects.filter(code=DEEPEST_SENDER_LEVEL).values_list("order", flat=True).first() or 99
        return Unit.objects.restrict(self.context["request"].user, SEND_MESSAGES).filter(level__order__lt=deepest)


def _text(label, max_length, **kwargs):
    return serializers.CharField(max_length=max_length, allow_blank=True, label=label, **kwargs)


class _MessageFieldsSerializer(serializers.Serializer):
    """The fields an author writes; ``required`` False on every field for an update (only what is sent changes)."""

    title = serializers.CharField(max_length=150, label=_("title"))
    body_hi = _text(_("message (Hindi)"), 4000, default="")
    body_en = _text(_("message (English)"), 4000, default="")
    text_whatsapp = _text(_("WhatsApp text"), 4000, default="")
    text_x = _text(_("X post"), 1000, default="")
    text_facebook = _text(_("Facebook / Instagram caption"), 4000, default="")
    text_telegram = _text(_("Telegram text"), 4000, default="")
    hashtags = _text(_("hashtags"), 300, default="")
    call_to_action = _text(_("call to action"), 200, default="")
    priority = serializers.ChoiceField(choices=Message.Priority.choices, default=Message.Priority.NORMAL)
    media_url = serializers.URLField(max_length=500, allow_blank=True, default="", label=_("link"))
    ack_within_hours = serializers.IntegerField(
        min_value=1, max_value=24 * 14, default=24, label=_("acknowledge within (hours)")
    )
    expires_at = serializers.DateTimeField(allow_null=True, default=None, label=_("expires at"))


class MessageCreateInputSerializer(_MessageFieldsSerializer):
    unit = SenderUnitField(label=_("send to the area of"))
    target_level = LevelCodeField(label=_("down to (a level code)"))


class MessageUpdateInputSerializer(_MessageFieldsSerializer):
    unit = SenderUnitField(required=False, label=_("send to the area of"))
    target_level = LevelCodeField(required=False, label=_("down to (a level code)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


# ---------------------------------------------------------------- tracking


class LevelCountsOutputSerializer(serializers.Serializer):
    level = LevelOutputSerializer()
    counts = CountsOutputSerializer()


class ChildTrackingOutputSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    counts = CountsOutputSerializer(allow_null=True, help_text=_("At the message's lowest level (null: none)."))
    status = serializers.CharField(allow_null=True, help_text=_("The unit's own answer, when it got the message."))


class TimesOutputSerializer(serializers.Serializer):
    ack_p50 = serializers.IntegerField(allow_null=True)
    ack_p90 = serializers.IntegerField(allow_null=True)
    share_p50 = serializers.IntegerField(allow_null=True)
    share_p90 = serializers.IntegerField(allow_null=True)


class TrackingOutputSerializer(serializers.Serializer):
    message = serializers.IntegerField()
    unit = UnitBriefSerializer()
    levels = LevelCountsOutputSerializer(many=True)
    children = ChildTrackingOutputSerializer(many=True)
    times = TimesOutputSerializer(help_text=_("Seconds to acknowledge and to share: median and 90th percentile."))


class ApprovalRuleInputSerializer(serializers.Serializer):
    four_eyes = serializers.BooleanField(label=_("a second person must approve"))


class ApprovalRuleOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    four_eyes = serializers.BooleanField(help_text=_("The rule that applies here (set here or above)."))


# ---------------------------------------------------------------- trend drives


class DriveLevelOutputSerializer(serializers.Serializer):
    level = LevelOutputSerializer()
    posts_per_unit = serializers.IntegerField()
    units = serializers.IntegerField(help_text=_("Units of the level the drive's message reached below the unit."))
    posts = serializers.IntegerField(help_text=_("Posts counted during the window, by the progress's definition."))
    target = serializers.IntegerField(help_text=_("units × posts per unit"))
    percent = serializers.IntegerField()


class DriveProgressOutputSerializer(serializers.Serializer):
    unit = UnitBriefSerializer(help_text=_("Where the drive is counted: below this unit."))
    counted_at = serializers.DateTimeField()
    counted_by = serializers.CharField(
        help_text=_(
            "Which count: “distinct_posts” (share proofs and daily reports' post links, each post once) or “share_proofs” (one proof a unit)."
        )
    )
    definition = serializers.CharField(help_text=_("What the numbers mean, in the caller's language."))
    posts = serializers.IntegerField()
    target = serializers.IntegerField()
    levels = DriveLevelOutputSerializer(many=True)


class DriveTargetOutputSerializer(serializers.Serializer):
    level = serializers.CharField(source="level.code")
    posts_per_unit = serializers.IntegerField()


class DriveOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hashtag = serializers.CharField()
    unit = UnitBriefSerializer()
    message = serializers.IntegerField(source="message_id")
    message_status = serializers.CharField(source="message.status")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    targets = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(help_text=_("The live count per level (detail only; null in lists)."))

    @extend_schema_field(DriveTargetOutputSerializer(many=True))
    def get_targets(self, drive) -> list[dict]:
        targets = self.context.get("targets", {}).get(drive.pk, [])
        return DriveTargetOutputSerializer(targets, many=True).data

    @extend_schema_field(DriveProgressOutputSerializer(allow_null=True))
    def get_progress(self, drive) -> dict | None:
        progress = self.context.get("progress")
        return DriveProgressOutputSerializer(progress).data if progress is not None else None


class DriveCreateInputSerializer(serializers.Serializer):
    unit = SenderUnitField(label=_("send to the area of"))
    target_level = LevelCodeField(label=_("down to (a level code)"))
    hashtag = serializers.CharField(max_length=80, label=_("hashtag"))
    starts_at = serializers.DateTimeField(label=_("starts at"))
    ends_at = serializers.DateTimeField(label=_("ends at"))
    targets = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        allow_empty=False,
        label=_("posts per unit by level code"),
        help_text=_('e.g. {"booth": 2, "block": 5}'),
    )
    title = serializers.CharField(max_length=150, label=_("title"))
    body_hi = _text(_("message (Hindi)"), 4000, default="")
    body_en = _text(_("message (English)"), 4000, default="")
