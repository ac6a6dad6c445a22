"""Input and output serializers of the membership API: shapes only, no business logic.

Input serializers check the shape of a request; the rules of the drive are the services' (one member per
mobile and EPIC, the minimum age, a reason to revoke, which member a merge keeps). A paper member's fields
are checked by the paper-entry screen's own form (``forms_staff.PaperForm``), so the API refuses the same
input with the same words. Output serializers read objects the views fetched with ``select_related`` and
``prefetch_related``, so they never query per row.

Personal data of members follows the web's rule (``sangathan.access.personal``): the mobile number, voter
ID and age in full for callers with ``view_personal`` at the member's unit, masked (+91 98•••••345,
RJX•••••67, an age band) for everyone else; the duplicate queue shows both members masked, as its page does.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sangathan.access.personal import may_view_personal
from sangathan.core.validators import validate_plain_text
from sangathan.membership import fraud
from sangathan.membership.forms_staff import SHEET_MAX_BYTES, PaperForm
from sangathan.membership.masking import mask_epic
from sangathan.membership.merging import KEEP_BOTH, KEEP_MEMBER, KEEP_OTHER
from sangathan.membership.models import NAME_MAX, DuplicateCase, Member, MemberImport, ReferralCode
from sangathan.membership.services import CLEAR, REVOKE
from sangathan.org.api.serializers import LevelOutputSerializer, ScopedPrimaryKeyRelatedField, UnitBriefSerializer
from sangathan.org.masking import age_band, mask_mobile
from sangathan.org.models import Unit

GROWTH_DAYS_MAX = 366

# ---------------------------------------------------------------- members


class FraudSignalOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    explanation = serializers.CharField(help_text=_("What the review page says about the signal, with its numbers."))
    created_at = serializers.DateTimeField()


class MemberOutputSerializer(serializers.ModelSerializer):
    """A member as the unit page lists them. ``mobile``, ``epic`` and ``age`` are masked unless the caller has
    ``view_personal`` at the member's unit. Pass ``context={"request": request}``."""

    unit = UnitBriefSerializer()
    mobile = serializers.CharField(help_text=_("+91… in full, or masked (+91 98•••••345)."))
    epic = serializers.CharField(help_text=_("The voter ID in full, or masked (RJX•••••67); empty when not given."))
    age = serializers.CharField(
        help_text=_("The age when joining, or its decade (30–39) where personal data is masked.")
    )
    counts = serializers.BooleanField(help_text=_("Verified or active: only these members count anywhere."))
    referred_by = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    signals = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "unit",
            "name",
            "relative_name",
            "mobile",
            "epic",
            "age",
            "gender",
            "status",
            "counts",
            "flagged",
            "signals",
            "source",
            "referred_by",
            "joined_at",
            "verified_at",
            "revoked_at",
            "revoked_via",
            "revoke_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(FraudSignalOutputSerializer(many=True))
    def get_signals(self, member: Member) -> list[dict]:
        """The fraud signals that hold the sign-up, explained (from the prefetched ``signals``)."""
        return [
            {"kind": signal.kind, "explanation": fraud.explain(signal), "created_at": signal.created_at}
            for signal in member.signals.all()
        ]

    def to_representation(self, instance: Member):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        if may_view_personal(user, instance):  # view_personal at the member's unit (no query)
            data["age"] = str(instance.age)
        else:
            data["mobile"], data["epic"] = mask_mobile(instance.mobile), mask_epic(instance.epic)
            data["age"] = age_band(instance.age)
        return data


def _required(message):
    return {"required": message, "blank": message, "null": message}


class PaperMemberInputSerializer(serializers.Serializer):
    """One paper membership form, typed in for a booth: the paper-entry screen's fields and rules."""

    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.select_related("level"), label=_("booth"))
    name = serializers.CharField(
        max_length=NAME_MAX * 2, label=_("Member's name"), error_messages=_required(_("Enter the member's name."))
    )
    relative_name = serializers.CharField(
        max_length=NAME_MAX * 2,
        allow_blank=True,
        default="",
        label=_("Father's, mother's or husband's name (optional)"),
    )
    mobile = serializers.CharField(max_length=40, label=_("mobile number"))
    age = serializers.IntegerField(
        label=_("age"),
        error_messages={"invalid": _("Enter your age in years as a number, e.g. 27, or your year of birth.")},
    )
    epic = serializers.CharField(max_length=20, allow_blank=True, default="", label=_("voter ID (EPIC)"))
    gender = serializers.ChoiceField(
        choices=Member.Gender.choices,
        allow_blank=True,
        default="",
        label=_("gender"),
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )

    def validate(self, attrs):
        """The paper-entry screen's form decides (same rules, same words); its cleaned values are kept."""
        fields = ("name", "relative_name", "mobile", "age", "epic", "gender")
        form = PaperForm({name: str(attrs.get(name, "")) for name in fields})
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return {"unit": attrs["unit"], **{name: form.cleaned_data[name] for name in fields}}


class MemberRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="", validators=[validate_plain_text], label=_("reason"))


class MemberReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(CLEAR, _("clear: the sign-up counts")), (REVOKE, _("revoke, with a reason"))],
        label=_("decision"),
        error_messages={"invalid_choice": _("Choose whether to clear or revoke this sign-up.")},
    )
    reason = serializers.CharField(allow_blank=True, default="", validators=[validate_plain_text], label=_("reason"))


# ---------------------------------------------------------------- likely duplicates


class DuplicateMemberOutputSerializer(serializers.ModelSerializer):
    """One of the two members of a case, masked as on the duplicates page."""

    mobile = serializers.SerializerMethodField()
    epic = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    # Plain strings here (the values of a member's ``status`` and ``source``): one enum per name in the schema.
    status = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name", "relative_name", "mobile", "epic", "age", "gender", "status", "source", "joined_at"]
        read_only_fields = fields

    def get_mobile(self, member: Member) -> str:
        return mask_mobile(member.mobile)

    def get_epic(self, member: Member) -> str:
        return mask_epic(member.epic)

    def get_age(self, member: Member) -> str:
        return age_band(member.age)


class DuplicateCaseOutputSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer()
    member = DuplicateMemberOutputSerializer(help_text=_("The later sign-up."))
    other = DuplicateMemberOutputSerializer(help_text=_("The earlier member with the same name."))
    kept = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = DuplicateCase
        fields = ["id", "unit", "status", "member", "other", "kept", "created_at", "decided_at"]
        read_only_fields = fields


class DuplicateDecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[
            (KEEP_MEMBER, _("merge, keeping the later sign-up")),
            (KEEP_OTHER, _("merge, keeping the earlier member")),
            (KEEP_BOTH, _("keep both")),
        ],
        label=_("decision"),
        error_messages={"invalid_choice": _("Choose which member to keep, or keep both.")},
    )


# ---------------------------------------------------------------- counts and leaderboards


class MemberDayOutputSerializer(serializers.Serializer):
    day = serializers.DateField()
    gained = serializers.IntegerField(help_text=_("Members who started counting that day."))
    lost = serializers.IntegerField(help_text=_("Members who stopped counting that day (revoked, lapsed)."))
    net = serializers.IntegerField()


class MemberCountsOutputSerializer(serializers.Serializer):
    """A unit's subtree from its counter row: verified members count, pending ones have not confirmed yet."""

    verified = serializers.IntegerField()
    pending = serializers.IntegerField()
    total = serializers.IntegerField()
    youth = serializers.IntegerField(help_text=_("Of the verified, aged 18–35 when joining."))
    women = serializers.IntegerField(help_text=_("Of the verified, women."))
    youth_percent = serializers.FloatField()
    women_percent = serializers.FloatField()
    booths = serializers.IntegerField()
    target = serializers.IntegerField(help_text=_("Booths times the target per booth."))
    target_percent = serializers.FloatField()
    per_booth = serializers.FloatField(help_text=_("Verified members per booth."))


class MemberUnitCountsOutputSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    counts = MemberCountsOutputSerializer()
    target_per_booth = serializers.IntegerField()
    growth = MemberDayOutputSerializer(
        many=True, help_text=_("The last days, oldest first, days without a change included.")
    )


class MemberChildCountsOutputSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    counts = MemberCountsOutputSerializer()


class MemberUnitRankOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    unit = UnitBriefSerializer()
    verified = serializers.IntegerField()
    booths = serializers.IntegerField()
    per_booth = serializers.FloatField()


class ReferrerOutputSerializer(serializers.ModelSerializer):
    """A referral link of a person or member: its holder as the leaderboard page names them (an office-bearer
    by name, a member by initials)."""

    holder = serializers.SerializerMethodField()
    unit = UnitBriefSerializer()

    class Meta:
        model = ReferralCode
        fields = ["code", "kind", "holder", "unit", "verified_count", "frozen"]
        read_only_fields = fields

    def get_holder(self, link: ReferralCode) -> str:
        if link.person is not None:
            return link.person.name
        return link.member.initials if link.member is not None else ""


class MemberLeaderboardOutputSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    level = LevelOutputSerializer(allow_null=True, help_text=_("The level ranked (null: no level below)."))
    levels = LevelOutputSerializer(many=True, help_text=_("The levels below the unit that can be ranked."))
    target_per_booth = serializers.IntegerField()
    units = MemberUnitRankOutputSerializer(many=True, help_text=_("Verified, unflagged members per booth, best first."))
    referrers = ReferrerOutputSerializer(many=True, help_text=_("Referral links by verified members, best first."))


# ---------------------------------------------------------------- sheet imports


class MemberImportInputSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.select_related("level"), label=_("unit"))
    file = serializers.FileField(
        label=_("Sheet (CSV or Excel .xlsx)"),
        error_messages={
            "required": _("Choose a file."),
            "invalid": _("Choose a file."),
            "no_name": _("Choose a file."),
            "empty": _("The file is empty."),
        },
    )

    def validate_file(self, upload):
        if upload.size > SHEET_MAX_BYTES:
            raise serializers.ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        return upload


class MemberImportProblemOutputSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=_("The row number as the spreadsheet shows it."))
    column = serializers.CharField()
    message = serializers.CharField()


class MemberImportOutputSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(source="root")
    rows = serializers.SerializerMethodField()
    entered = serializers.SerializerMethodField()
    already = serializers.SerializerMethodField(help_text=_("Rows already entered or members: skipped."))
    errors = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = MemberImport
        fields = [
            "id",
            "unit",
            "original_name",
            "status",
            "created_at",
            "finished_at",
            "rows",
            "entered",
            "already",
            "errors",
            "warnings",
        ]
        read_only_fields = fields

    def _number(self, job: MemberImport, key: str) -> int:
        value = (job.report or {}).get(key, 0)
        return value if isinstance(value, int) else 0

    def get_rows(self, job: MemberImport) -> int:
        return self._number(job, "rows")

    def get_entered(self, job: MemberImport) -> int:
        return self._number(job, "entered")

    def get_already(self, job: MemberImport) -> int:
        return self._number(job, "already")

    @staticmethod
    def _problems(job: MemberImport, key: str) -> list[dict]:
        return [
            {"row": row, "column": str(column), "message": str(message)}
            for row, column, message in (job.report or {}).get(key, [])
        ]

    @extend_schema_field(MemberImportProblemOutputSerializer(many=True))
    def get_errors(self, job: MemberImport) -> list[dict]:
        return self._problems(job, "errors")

    @extend_schema_field(MemberImportProblemOutputSerializer(many=True))
    def get_warnings(self, job: MemberImport) -> list[dict]:
        return self._problems(job, "warnings")
