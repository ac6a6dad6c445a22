"""Forms for the org pages. They check input shape; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.core.validators import validate_plain_text
from sangathan.org.errors import OrgError
from sangathan.org.models import Position
from sangathan.org.phones import form_mobile, normalise_mobile


class AppointForm(forms.Form):
    position = forms.ModelChoiceField(queryset=Position.objects.none(), label=_("Post"))
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=25, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    name_hi = forms.CharField(label=_("Name (Hindi)"), max_length=120, required=False, validators=[validate_plain_text])
    name_en = forms.CharField(
        label=_("Name (English)"), max_length=120, required=False, validators=[validate_plain_text]
    )
    start_date = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=60, required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = Position.objects.filter(level_id=unit.level_id)
        self.fields["position"].label_from_instance = lambda p: p.title

    def clean_mobile(self):
        return form_mobile(self.cleaned_data["mobile"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class DissolveForm(ReasonForm):
    include_subtree = forms.BooleanField(label=_("Also dissolve every committee below this unit"), required=False)


class ReconstituteRowForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=25, required=False)
    name_hi = forms.CharField(label=_("Name (Hindi)"), max_length=120, required=False, validators=[validate_plain_text])
    name_en = forms.CharField(
        label=_("Name (English)"), max_length=120, required=False, validators=[validate_plain_text]
    )

    def clean_mobile(self):
        raw = self.cleaned_data.get("mobile", "")
        if not raw.strip():
            return ""
        try:
            return normalise_mobile(raw)
        except OrgError as error:
            raise forms.ValidationError(error.messages) from None
