"""Forms for the org pages. They check input shape; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.core.validators import validate_plain_text
from sangathan.org.errors import OrgError
from sangathan.org.models import Level, Person, Position, Wing
from sangathan.org.phones import form_mobile, normalise_mobile
from sangathan.org.shaping import positions_for_unit


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
    wing = forms.ModelChoiceField(
        queryset=Wing.objects.all(),
        label=_("Wing or cell"),
        required=False,
        empty_label=_("none"),
        help_text=_("If the post belongs to a wing of the unit (IT cell, women, youth, minority)."),
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = positions_for_unit(unit)
        self.fields["position"].label_from_instance = lambda p: p.title
        self.fields["wing"].label_from_instance = lambda wing: wing.name

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


class StatePositionForm(forms.Form):
    """A post a state adds to the committees of one of its levels (``shaping.state_position_add``)."""

    level = forms.ModelChoiceField(queryset=Level.objects.none(), label=_("Level"))
    title_hi = forms.CharField(label=_("Title (Hindi)"), max_length=80)
    title_en = forms.CharField(label=_("Title (English)"), max_length=80)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100, initial=1)
    is_key = forms.BooleanField(
        label=_("Key post (counted in coverage; only for a level of the state's own)"), required=False
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels
        self.fields["level"].label_from_instance = lambda level: level.name


class StateLevelForm(forms.Form):
    """A level a state adds below one of its levels (``shaping.state_level_add``)."""

    after = forms.ModelChoiceField(queryset=Level.objects.none(), label=_("Comes below"))
    name_hi = forms.CharField(label=_("Name (Hindi)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["after"].queryset = levels
        self.fields["after"].label_from_instance = lambda level: level.name


class WingForm(forms.Form):
    wing = forms.ModelChoiceField(queryset=Wing.objects.all(), label=_("Wing"), required=False, empty_label=_("none"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wing"].label_from_instance = lambda wing: wing.name


class ProfileForm(forms.Form):
    """A person's gender and age band, with their consent (``representation.person_profile_set``)."""

    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Person.Gender.choices], required=False)
    age_band = forms.ChoiceField(label=_("Age band"), choices=[("", "—"), *Person.AgeBand.choices], required=False)
    consent = forms.BooleanField(
        label=_("The person agrees that their gender and age band are recorded, to count representation."),
        required=False,
    )
