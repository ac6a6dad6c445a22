"""Input and output serializers of the fact-check desk's API: shapes only; the rules (the workflow's steps,
who may work on a claim, a published fact-check being final) are ``desk``'s, ``answering``'s and
``actions``'. Output serializers read objects the views fetched with ``select_related`` and
``prefetch_related``, so they never query per row.

A tipster's mobile number is masked as on the desk's tip list (``98•••••210``) for everyone; a Telegram
chat id is never shown.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sangathan.access.permissions import VIEW
from sangathan.core.validators import validate_plain_text
from sangathan.factcheck.answering import public_url
from sangathan.factcheck.desk import TRANSITIONS, sla_of
from sangathan.factcheck.models import (
    LINK_MAX,
    REBUTTAL_MAX,
    REBUTTAL_X_MAX,
    TEXT_MAX,
    TIP_TEXT_MAX,
    Claim,
    ClaimLink,
    ReportSource,
    SeenOn,
    Status,
    Tip,
    Verdict,
)
from sangathan.org.api.serializers import PositionBriefSerializer, UnitBriefSerializer
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Unit

X_POST_MAX = 280  # as the desk's form: X counts the post when it is sent
MATCH_LIMIT_MAX = 20


def _text(label, max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, allow_blank=True, validators=[validate_plain_text], label=label, **kwargs
    )


# ---------------------------------------------------------------- output


class ClaimBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Claim
        fields = ["id", "external_id", "status", "verdict"]
        read_only_fields = fields


class ClusterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tip_count = serializers.IntegerField(help_text=_("How many times this rumour was reported."))
    district_count = serializers.IntegerField(help_text=_("In how many districts."))


class ReporterOutputSerializer(serializers.Serializer):
    """The office-bearer who reported the rumour from a personal link: the unit and the post, and for the
    daily report link (one appointment) the person, their mobile masked as the tipster's. The cascade's
    link names a message at a unit, not a person: ``position`` and ``person`` are null for it."""

    unit = UnitBriefSerializer(allow_null=True)
    position = PositionBriefSerializer(allow_null=True)
    name_hi = serializers.CharField(allow_blank=True)
    name_en = serializers.CharField(allow_blank=True)
    mobile = serializers.CharField(allow_blank=True, help_text=_("The office-bearer's mobile number, masked."))


def reporter_of(tip: Tip) -> dict | None:
    """The reporting office-bearer of a tip from a personal link, from the rows the view joined (no query);
    None for any other tip, or once the delivery of a cascade link is gone."""
    if tip.reported_from == ReportSource.REPORT and tip.reported_appointment is not None:
        appointment = tip.reported_appointment
        person = appointment.person
        return {
            "unit": appointment.unit,
            "position": appointment.position,
            "name_hi": person.name_hi,
            "name_en": person.name_en,
            "mobile": mask_mobile(person.mobile),
        }
    if tip.reported_from == ReportSource.CASCADE and tip.reported_delivery is not None:
        return {"unit": tip.reported_delivery.unit, "position": None, "name_hi": "", "name_en": "", "mobile": ""}
    return None


class TipOutputSerializer(serializers.Serializer):
    """A ``selectors.TipRow``: the tip, its masked mobile and the matched claim when the reader may see it."""

    id = serializers.IntegerField(source="tip.pk")
    reference = serializers.CharField(source="tip.reference")
    channel = serializers.CharField(source="tip.channel")
    text = serializers.CharField(source="tip.text")
    link = serializers.CharField(source="tip.link")
    language = serializers.CharField(source="tip.language")
    forwarded = serializers.BooleanField(source="tip.forwarded")
    mobile = serializers.CharField(source="masked_mobile", help_text=_("The tipster's mobile number, masked."))
    unit = UnitBriefSerializer(source="tip.unit", allow_null=True)
    reported_by = serializers.IntegerField(source="tip.reported_by_id", allow_null=True)
    seen_on = serializers.ChoiceField(
        source="tip.seen_on",
        choices=SeenOn.choices,
        allow_blank=True,
        help_text=_("Where the office-bearer saw the rumour (empty: not reported from a personal link)."),
    )
    reported_from = serializers.ChoiceField(
        source="tip.reported_from",
        choices=ReportSource.choices,
        allow_blank=True,
        help_text=_("Which personal link it was reported from: the cascade's message or the daily report."),
    )
    reporter = serializers.SerializerMethodField(help_text=_("The office-bearer who reported it, or null."))
    tier = serializers.CharField(source="tip.tier")
    score = serializers.FloatField(source="tip.score")
    claim = ClaimBriefSerializer(allow_null=True, help_text=_("The matched claim, when you may see it."))
    claim_text = serializers.CharField(help_text=_("The matched claim's text in your language."))
    cluster = ClusterOutputSerializer(source="tip.cluster")
    answered_at = serializers.DateTimeField(source="tip.answered_at", allow_null=True)
    created_at = serializers.DateTimeField(source="tip.created_at")

    @extend_schema_field(ReporterOutputSerializer(allow_null=True))
    def get_reporter(self, row) -> dict | None:
        reporter = reporter_of(row.tip)
        return ReporterOutputSerializer(reporter).data if reporter is not None else None


class ClaimTextOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    text = serializers.CharField()


class ClaimLinkOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimLink
        fields = ["id", "kind", "url", "title"]
        read_only_fields = fields


class SlaOutputSerializer(serializers.Serializer):
    state = serializers.CharField(help_text=_("ok, soon, overdue or none (published)."))
    due = serializers.DateTimeField(allow_null=True)


class ClaimOutputSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    verdict_label = serializers.CharField(source="get_verdict_display", read_only=True)
    next_steps = serializers.SerializerMethodField(help_text=_("The statuses the claim may move to."))
    texts = ClaimTextOutputSerializer(many=True)
    links = ClaimLinkOutputSerializer(many=True, help_text=_("Evidence, and where the rumour appeared."))
    cluster = serializers.SerializerMethodField(help_text=_("How often the rumour came (null: no tips yet)."))
    sla = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField(help_text=_("The public fact-check page, once published."))

    class Meta:
        model = Claim
        fields = [
            "id",
            "external_id",
            "unit",
            "status",
            "status_label",
            "verdict",
            "verdict_label",
            "next_steps",
            "published_at",
            "status_since",
            "sla",
            "assigned_to",
            "escalated_at",
            "escalated_to",
            "texts",
            "rebuttal_hi",
            "rebuttal_en",
            "rebuttal_whatsapp",
            "rebuttal_x",
            "rebuttal_facebook",
            "rebuttal_message",
            "answered_at",
            "links",
            "cluster",
            "review_url",
            "review_author",
            "rating_text",
            "claimant",
            "public_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Status.choices)))
    def get_next_steps(self, claim: Claim) -> list[str]:
        return list(TRANSITIONS.get(claim.status, ()))

    @extend_schema_field(ClusterOutputSerializer(allow_null=True))
    def get_cluster(self, claim: Claim) -> dict | None:
        cluster = getattr(claim, "cluster", None)  # the reverse one-to-one: select_related by the views
        return ClusterOutputSerializer(cluster).data if cluster is not None else None

    @extend_schema_field(SlaOutputSerializer)
    def get_sla(self, claim: Claim) -> dict:
        sla = sla_of(claim, now=self.context.get("now"))
        return {"state": sla.state, "due": serializers.DateTimeField().to_representation(sla.due) if sla.due else None}

    @extend_schema_field(serializers.URLField(allow_blank=True))
    def get_public_url(self, claim: Claim) -> str:
        return public_url(claim, self.context.get("language", "hi")) if claim.is_published else ""


class CandidateOutputSerializer(serializers.Serializer):
    claim = ClaimBriefSerializer()
    text = serializers.CharField(help_text=_("The claim's text in your language."))
    score = serializers.FloatField(help_text=_("0 to 1."))
    tier = serializers.CharField(help_text=_("auto (the desk would link it), suggest or none; only the first is auto."))


class MatchOutputSerializer(serializers.Serializer):
    tier = serializers.CharField(help_text=_("The best claim's tier, as a tip with this text would get."))
    candidates = CandidateOutputSerializer(many=True, help_text=_("Best first; only claims you may see."))


class AnswerOutputSerializer(serializers.Serializer):
    claim = ClaimOutputSerializer()
    message = serializers.IntegerField(allow_null=True, help_text=_("The cascade message carrying the rebuttal."))
    message_status = serializers.CharField()
    tipsters = serializers.IntegerField(help_text=_("Tipsters answered by this call."))


# ---------------------------------------------------------------- input


class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit where the caller may do ``action``; any other id is answered like one that does not exist."""

    def __init__(self, *, action: str = VIEW, **kwargs):
        self.action = action
        super().__init__(queryset=Unit.objects.none(), **kwargs)

    def get_queryset(self):
        return Unit.objects.restrict(self.context["request"].user, self.action).select_related("level")


class TipReportInputSerializer(serializers.Serializer):
    unit = ScopedUnitField(
        required=False, label=_("where you saw it (a unit of yours)"), help_text=_("Default: your own unit.")
    )
    text = _text(_("What did you receive?"), TIP_TEXT_MAX, default="")
    link = serializers.URLField(max_length=LINK_MAX, allow_blank=True, default="", label=_("link"))

    def validate(self, attrs):
        if not (attrs.get("text", "").strip() or attrs.get("link", "").strip()):
            raise serializers.ValidationError(_("Paste the message or a link: the report is empty."))
        return attrs


class TipLinkInputSerializer(serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.none(), label=_("claim"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        field = self.fields["claim"]
        assert isinstance(field, serializers.PrimaryKeyRelatedField)
        field.queryset = Claim.objects.restrict(request.user, VIEW) if request is not None else Claim.objects.none()


class ClaimCreateInputSerializer(serializers.Serializer):
    unit = ScopedUnitField(label=_("desk of"))
    text_hi = _text(_("the claim in Hindi"), TEXT_MAX, default="")
    text_en = _text(_("the claim in English"), TEXT_MAX, default="")

    def __init__(self, *args, desk_action: str = VIEW, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, ScopedUnitField)
        unit.action = desk_action

    def validate(self, attrs):
        if not (attrs["text_hi"].strip() or attrs["text_en"].strip()):
            raise serializers.ValidationError(_("Write the claim in Hindi or English."))
        return attrs


class ClaimUpdateInputSerializer(serializers.Serializer):
    """Only what is sent changes; an empty text leaves the claim's text as it was."""

    text_hi = _text(_("the claim in Hindi"), TEXT_MAX, required=False)
    text_en = _text(_("the claim in English"), TEXT_MAX, required=False)
    rebuttal_hi = _text(_("rebuttal (Hindi)"), REBUTTAL_MAX, required=False)
    rebuttal_en = _text(_("rebuttal (English)"), REBUTTAL_MAX, required=False)
    rebuttal_whatsapp = _text(_("WhatsApp text"), REBUTTAL_MAX, required=False)
    rebuttal_x = _text(_("X post"), min(REBUTTAL_X_MAX, X_POST_MAX), required=False)
    rebuttal_facebook = _text(_("Facebook post"), REBUTTAL_MAX, required=False)


class TransitionInputSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices, label=_("next status"))
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, required=False, default="", label=_("verdict"), help_text=_("Needed to give one.")
    )


class AssignInputSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=2_147_483_647, label=_("assigned to"), help_text=_("null: nobody")
    )


class MatchInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TIP_TEXT_MAX, label=_("text"))
    limit = serializers.IntegerField(min_value=1, max_value=MATCH_LIMIT_MAX, default=5, label=_("candidates"))
