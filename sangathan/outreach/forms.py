"""Forms of the staff pages. Validation that matters lives in the services; these shape the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.org.models import Level, Unit
from sangathan.outreach.choices import EDITABLE_FIELDS
from sangathan.outreach.models import Message

DEEPEST_SENDER_LEVEL = "block"


class MessageForm(forms.ModelForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Send to the area of"))
    target_level = forms.ModelChoiceField(queryset=Level.objects.none(), label=_("Down to"))
    image = forms.FileField(label=_("Picture (JPEG, PNG or WebP, at most 5 MB)"), required=False)
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    class Meta:
        model = Message
        fields = EDITABLE_FIELDS
        widgets = {
            "body_hi": forms.Textarea(attrs={"rows": 4, "lang": "hi"}),
            "body_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "text_whatsapp": forms.Textarea(attrs={"rows": 3}),
            "text_x": forms.Textarea(attrs={"rows": 2, "data-x-limit": "280"}),
            "text_facebook": forms.Textarea(attrs={"rows": 2}),
            "text_telegram": forms.Textarea(attrs={"rows": 2}),
        }

    field_order = ["unit", "target_level", "title", "priority"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        deepest = Level.objects.filter(code=DEEPEST_SENDER_LEVEL).values_list("order", flat=True).first() or 99
        self.fields["unit"].queryset = (
            Unit.objects.restrict(user, "send_messages").filter(level__order__lt=deepest).select_related("level")
        )
        self.fields["unit"].label_from_instance = lambda u: f"{u.level.name}: {u.display_name}"
        self.fields["target_level"].queryset = Level.objects.exclude(code="national")
        if self.instance.pk:
            self.initial.setdefault("unit", self.instance.unit_id)
            self.initial.setdefault("target_level", self.instance.target_level_id)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class RuleForm(forms.Form):
    four_eyes = forms.BooleanField(label=_("A second person must approve every message"), required=False)


_WINDOW_INPUT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
}


class TrendDriveForm(forms.Form):
    """A trend drive: the hashtag and window first, then the message in Hindi (English optional), then the
    posts per unit at each level. The rules (hashtag, window, levels) are ``services.trend_drive_create``'s."""

    hashtag = forms.CharField(label=_("Hashtag"), max_length=80, widget=forms.TextInput(attrs={"lang": "hi"}))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Send to the area of"))
    target_level = forms.ModelChoiceField(queryset=Level.objects.none(), label=_("Down to"))
    starts_at = forms.DateTimeField(label=_("Starts at"), **_WINDOW_INPUT)  # type: ignore[arg-type]
    ends_at = forms.DateTimeField(label=_("Ends at"), **_WINDOW_INPUT)  # type: ignore[arg-type]
    title = forms.CharField(label=_("Title"), max_length=150)
    body_hi = forms.CharField(
        label=_("Message (Hindi)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4, "lang": "hi"})
    )
    body_en = forms.CharField(
        label=_("Message (English)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        deepest = Level.objects.filter(code=DEEPEST_SENDER_LEVEL).values_list("order", flat=True).first() or 99
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.restrict(user, "send_messages").filter(level__order__lt=deepest).select_related("level")
        )
        self.fields["unit"].label_from_instance = lambda u: f"{u.level.name}: {u.display_name}"  # type: ignore[attr-defined]
        levels = list(Level.objects.exclude(code="national").filter(state__isnull=True).order_by("order"))
        self.fields["target_level"].queryset = Level.objects.filter(pk__in=[lv.pk for lv in levels])  # type: ignore[attr-defined]
        self.target_names = []
        for level in levels:
            name = f"target_{level.code}"
            self.fields[name] = forms.IntegerField(
                label=_("Posts per unit: %(level)s") % {"level": level.name},
                required=False,
                min_value=0,
                max_value=100,
            )
            self.target_names.append((name, level.code))

    def targets(self) -> dict[str, int | None]:
        return {code: self.cleaned_data.get(name) for name, code in self.target_names}

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "target_level": data["target_level"],
            "hashtag": data["hashtag"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "title": data["title"],
            "body_hi": data["body_hi"],
            "body_en": data["body_en"],
            "targets": self.targets(),
        }
