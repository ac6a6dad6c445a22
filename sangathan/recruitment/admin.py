"""Admin for recruitment. Lists are scoped like the pages; applications are read-only here (screen, score
and decide on the staff pages, where every rule is checked); configuration is for superusers."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from sangathan.core.admin import PersonalDataAdmin, ReadOnlyMixin, ScopedAdmin, SuperuserEditsMixin, SuperuserOnlyAdmin
from sangathan.org.masking import age_band, mask_email, mask_mobile
from sangathan.recruitment.intake import submissions_drain
from sangathan.recruitment.models import (
    Application,
    ApplicationEvent,
    Campaign,
    CampaignPosition,
    Criterion,
    InterviewDay,
    Panel,
    Rubric,
    Submission,
)
from sangathan.recruitment.services import CAMPAIGN_CORRECTABLE, campaign_update


class ConfigurationAdmin(SuperuserEditsMixin, SuperuserOnlyAdmin):
    """Seen and changed by superusers only; nothing deleted (campaigns and scores refer to it)."""


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(ConfigurationAdmin):
    list_display = ("name_hi", "name_en")
    inlines = [CriterionInline]


class CampaignPositionInline(SuperuserEditsMixin, admin.TabularInline):
    model = CampaignPosition
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    """Created on the campaign page (through ``services.campaign_create``); superusers may correct the
    texts and the window here."""

    list_display = ("title_hi", "title_en", "slug", "scope_unit", "parent", "opens_at", "closes_at")
    list_select_related = ("scope_unit", "parent")
    search_fields = ("title_hi", "title_en", "slug")
    readonly_fields = ("scope_unit", "parent", "slug", "reference_prefix", "created_by", "created_at")
    fields = (
        "title_hi",
        "title_en",
        "slug",
        "scope_unit",
        "parent",
        "opens_at",
        "closes_at",
        "rubric",
        "reference_prefix",
        "notice_hi",
        "notice_en",
        "notice_version",
        "created_by",
        "created_at",
    )
    inlines = [CampaignPositionInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Through the service, which also records the notice's current version."""
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in CAMPAIGN_CORRECTABLE}
        campaign_update(campaign=obj, changes=changes, by=request.user)


class ApplicationEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ("kind", "note", "by", "at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, PersonalDataAdmin):
    """Read-only, and only the applicants whose home unit is in the user's scope."""

    personal_fields = {"mobile": mask_mobile, "email": mask_email, "age": age_band}

    list_display = ("reference", "name_hi", "name_en", "campaign", "applied_for", "home_unit", "status", "score")
    list_filter = ("status", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("campaign", "applied_for__position__level", "home_unit")
    search_fields = ("reference", "name_hi", "name_en", "mobile")
    inlines = [ApplicationEventInline]

    readonly_fields = [field.name for field in Application._meta.fields]


class PanelInline(admin.TabularInline):
    model = Panel
    extra = 0
    raw_id_fields = ("members",)


@admin.register(InterviewDay)
class InterviewDayAdmin(ConfigurationAdmin):
    list_display = ("date", "venue", "campaign", "starts", "ends", "slot_minutes")
    list_select_related = ("campaign",)
    inlines = [PanelInline]


@admin.register(Panel)
class PanelAdmin(ConfigurationAdmin):
    list_display = ("name", "day")
    list_select_related = ("day",)
    raw_id_fields = ("members",)


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, SuperuserOnlyAdmin):
    """The public form's intake, for superusers: forms still waiting for the worker, and any the database
    refused (kept with the reason). Read-only; "try again" puts refused ones back in the queue."""

    list_display = ("reference", "campaign", "mobile", "at", "processed_at", "problem")
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("campaign",)
    search_fields = ("reference", "mobile", "token")
    actions = ["try_again"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Submission._meta.fields]

    @admin.action(description=_("Try again to make applications of the selected forms"))
    def try_again(self, request, queryset):
        queryset.filter(processed_at__isnull=True).update(problem="")
        done = submissions_drain()
        left = queryset.filter(processed_at__isnull=True).exclude(problem="").count()
        self.message_user(
            request,
            _("%(done)d forms made into applications; %(left)d still refused.") % {"done": done, "left": left},
            messages.SUCCESS if not left else messages.WARNING,
        )
