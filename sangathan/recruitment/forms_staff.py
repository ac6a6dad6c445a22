"""Forms of the staff pages. They check the shape of the input; the rules live in the services."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sangathan.access.models import RoleAssignment
from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.scope import scope_paths, top_units
from sangathan.org.models import Person, SocialAccount, Unit
from sangathan.org.paths import subtree_q
from sangathan.recruitment.access import RESERVED_SLUGS
from sangathan.recruitment.models import Application, Campaign, CampaignPosition, Rubric
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
REASON_MAX = 500


def _unit_label(unit: Unit) -> str:
    return f"{unit.level.name} · {unit.display_name}"


class CampaignForm(forms.Form):
    """A campaign, or a sub-campaign of ``parent`` for a unit inside the parent's area."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    title_hi = forms.CharField(label=_("Title (Hindi)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    slug = forms.SlugField(
        label=_("Short link"),
        max_length=40,
        help_text=_("Letters, digits and hyphens; the form's address will be /a/<short link>/."),
    )
    opens_at = forms.DateTimeField(
        label=_("Applications open (India time)"),
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    closes_at = forms.DateTimeField(
        label=_("Applications close (India time)"),
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    rubric = forms.ModelChoiceField(queryset=Rubric.objects.all(), label=_("Rubric"))
    reference_prefix = forms.RegexField(
        label=_("Reference prefix"),
        max_length=12,
        regex=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        help_text=_("E.g. RJ-2026; letters, digits and hyphens."),
        error_messages={"invalid": _("Use letters, digits and hyphens only.")},
    )
    notice_hi = forms.CharField(label=_("Privacy notice (Hindi)"), widget=forms.Textarea(attrs={"rows": 5}))
    notice_en = forms.CharField(label=_("Privacy notice (English)"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user, parent: Campaign | None = None, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        # Where the user may appoint: their own units and one level below (a state admin: the state and its
        # districts), limited to the parent's area for a sub-campaign.
        tops = top_units(user)
        allowed = Unit.objects.restrict(user, APPOINT)
        paths = [u.path for u in tops]
        choices = allowed.filter(subtree_q(paths), depth__lte=max((u.depth for u in tops), default=0) + 1)
        if unit is not None:
            choices = allowed.filter(pk=unit.pk) | choices
        if parent is not None:
            choices = choices.filter(subtree_q([parent.scope_unit.path]))
        self.fields["unit"].queryset = choices.select_related("level").order_by("path")
        self.fields["unit"].label_from_instance = _unit_label
        self.fields["rubric"].label_from_instance = str
        if not self.is_bound:
            self.initial.setdefault("notice_hi", parent.notice_hi if parent else DEFAULT_NOTICE_HI)
            self.initial.setdefault("notice_en", parent.notice_en if parent else DEFAULT_NOTICE_EN)
            if parent is not None:
                self.initial.setdefault("opens_at", parent.opens_at)
                self.initial.setdefault("closes_at", parent.closes_at)
                self.initial.setdefault("rubric", parent.rubric_id)
            else:
                self.initial.setdefault("rubric", Rubric.objects.order_by("pk").values_list("pk", flat=True).first())
            if unit is not None:
                self.initial.setdefault("unit", unit.pk)
            else:
                first = self.fields["unit"].queryset.first()
                if first is not None:
                    self.initial.setdefault("unit", first.pk)

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short link is reserved; choose another."))
        if Campaign.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This short link is already taken."))
        return slug

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return cleaned


class PostTargetForm(forms.Form):
    """One post the campaign may recruit for: tick it, and give a target if there is one."""

    include = forms.BooleanField(label=_("Recruit"), required=False)
    target = forms.IntegerField(label=_("Target"), required=False, min_value=1, max_value=1_000_000)


def post_forms(data, positions, *, initial_targets: dict | None = None):
    """A ``PostTargetForm`` per position, prefixed by the position id."""
    initial_targets = initial_targets or {}
    result = []
    for position in positions:
        initial = {}
        if position.pk in initial_targets:
            initial = {"include": True, "target": initial_targets[position.pk]}
        result.append((position, PostTargetForm(data, prefix=f"p{position.pk}", initial=initial)))
    return result


SORT_CHOICES = [("newest", _("Newest first")), ("score", _("Highest score")), ("followers", _("Most followers"))]


class QueueFilterForm(forms.Form):
    """The review queue's filters (GET). Invalid values are dropped with a message, never a 500."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Area"))
    post = forms.ModelChoiceField(queryset=CampaignPosition.objects.none(), required=False, label=_("Post"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    min_score = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, max_digits=5, label=_("Score at least")
    )
    platform = forms.ChoiceField(required=False, label=_("Platform"))
    min_followers = forms.IntegerField(required=False, min_value=0, max_value=10**9, label=_("Followers at least"))
    gender = forms.ChoiceField(required=False, label=_("Gender"))
    age_band = forms.ChoiceField(required=False, label=_("Age band"))
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label=_("Sort"))

    def __init__(self, *args, units, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: ("— " * max(u.depth - 3, 0)) + _unit_label(u)
        self.fields["unit"].empty_label = _("All areas")
        self.fields["post"].queryset = campaign.positions.select_related("position__level")
        self.fields["post"].label_from_instance = lambda p: p.position.title
        self.fields["post"].empty_label = _("All posts")
        self.fields["status"].choices = [("", _("All statuses")), *Application.Status.choices]
        self.fields["platform"].choices = [("", _("Any platform")), *SocialAccount.Platform.choices]
        self.fields["gender"].choices = [("", _("Any gender")), *Application.Gender.choices]
        self.fields["age_band"].choices = [("", _("Any age")), *Person.AgeBand.choices]

    def filters(self) -> dict:
        """The valid filters; invalid ones are left out (and shown as errors on the form)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "unit": data.get("unit"),
            "post": data.get("post"),
            "status": data.get("status") or "",
            "min_score": data.get("min_score"),
            "platform": data.get("platform") or "",
            "min_followers": data.get("min_followers"),
            "gender": data.get("gender") or "",
            "age_band": data.get("age_band") or "",
            "sort": data.get("sort") or "newest",
        }


class _ChoiceWithReasonForm(forms.Form):
    """A choice (``choice_field``) and a reason that becomes required when the choice is "reject"."""

    choice_field = "action"
    reason = forms.CharField(
        label=_("Reason (needed to reject)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(self.choice_field) == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for rejecting."))
        return cleaned


class ScreenForm(_ChoiceWithReasonForm):
    action = forms.ChoiceField(choices=[("shortlist", _("Shortlist")), ("reject", _("Reject"))])
    field_order = ["action", "reason"]

    @property
    def shortlist(self) -> bool:
        return self.cleaned_data["action"] == "shortlist"


class BulkScreenForm(ScreenForm):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].error_messages["required"] = _("Tick at least one application.")

    def clean_ids(self):
        # Any integers; which of them the user may act on is decided by the scoped queryset.
        return self.cleaned_data["ids"]

    def full_clean(self):
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        valid = [value for value in raw if str(value).isdecimal() and len(str(value)) < 12]
        self.fields["ids"].choices = [(value, value) for value in valid]
        super().full_clean()


DECISIONS = [("select", _("Select and appoint")), ("waitlist", _("Wait-list")), ("reject", _("Reject"))]


class DecideForm(_ChoiceWithReasonForm):
    choice_field = "decision"
    decision = forms.ChoiceField(choices=DECISIONS, label=_("Decision"))
    field_order = ["decision", "reason"]


class InterviewDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    venue = forms.CharField(label=_("Venue"), max_length=200)
    starts = forms.TimeField(
        label=_("From"), initial=datetime.time(11, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Until"), initial=datetime.time(17, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    slot_minutes = forms.IntegerField(label=_("Minutes per interview"), initial=15, min_value=5, max_value=240)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("The day must end after it starts."))
        return cleaned


def panel_member_candidates(user):
    """Active users who may sit on a panel this user forms: those holding a role in the user's area.

    The members field looks names up only among these, so it never tells whether a user name exists
    elsewhere: an unknown name and a name outside the area get the same answer."""
    users = get_user_model().objects.filter(is_active=True)
    paths = scope_paths(user, VIEW)
    if paths is None:
        return users
    if not paths:
        return users.none()
    return users.filter(pk__in=RoleAssignment.objects.filter(subtree_q(paths, "unit__path")).values("user_id"))


class PanelForm(forms.Form):
    name = forms.CharField(label=_("Panel name"), max_length=80)
    members = forms.CharField(
        label=_("Members (user names, separated by commas)"),
        max_length=1000,
        help_text=_("Each member signs in with their own account to score."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_members(self):
        names = [n.strip() for n in self.cleaned_data["members"].replace("\n", ",").split(",") if n.strip()]
        if not names:
            raise forms.ValidationError(_("Give at least one member."))
        if len(names) > 20:
            raise forms.ValidationError(_("A panel can have at most 20 members."))
        users = list(panel_member_candidates(self.user).filter(username__in=names))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(
                _("Nobody with a role in your area has the user name: %(names)s") % {"names": ", ".join(missing)},
                code="unknown_users",
            )
        return users


class SlotMoveForm(forms.Form):
    panel = forms.TypedChoiceField(coerce=int, label=_("Panel"))
    starts_at = forms.ChoiceField(label=_("Time"))

    def __init__(self, *args, day, times, **kwargs):
        super().__init__(*args, **kwargs)
        self.times = {t.strftime("%H:%M"): t for t in times}
        self.panels = {panel.pk: panel for panel in day.panels.all()}
        self.fields["panel"].choices = [(pk, panel.name) for pk, panel in self.panels.items()]
        self.fields["starts_at"].choices = [(key, key) for key in self.times]

    def clean(self):
        cleaned = super().clean()
        if "panel" in cleaned:
            cleaned["panel"] = self.panels[cleaned["panel"]]
        if "starts_at" in cleaned:
            cleaned["starts_at"] = self.times[cleaned["starts_at"]]
        return cleaned


class ScoreForm(forms.Form):
    """One whole number per criterion of the rubric, 1..scale_max."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (×{criterion.weight})",
                coerce=int,
                choices=[(n, n) for n in range(1, criterion.scale_max + 1)],
                widget=forms.RadioSelect(attrs={"class": "score-choice"}),
                error_messages={
                    "required": _("Give a score for this criterion."),
                    "invalid_choice": _("Choose a score from 1 to %(max)d.") % {"max": criterion.scale_max},
                },
            )

    def scores(self) -> dict[int, int]:
        return {criterion.pk: self.cleaned_data[f"c{criterion.pk}"] for criterion in self.criteria}
