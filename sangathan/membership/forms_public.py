"""The join form and the code form of the public join page (no login).

They check the shape of what people type (name, mobile, EPIC, age, gender, booth) and that the chosen
booth lies under the link's unit; ``services.member_join`` does the writing. The text fields, the number
keypad and the token's shape are recruitment's (``recruitment.forms_public``), so both public forms
refuse the same bad input with the same messages.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.membership.models import EPIC_PATTERN, NAME_MAX
from sangathan.membership.services import min_age
from sangathan.org.models import Level, Unit
from sangathan.org.phones import ascii_digits, form_mobile
from sangathan.org.selectors import units_by_name_or_number
from sangathan.recruitment.forms_public import (
    GENDER_CHOICES,
    NameField,
    NumberText,
    PlainTextField,
    StatusCodeForm,
    _text_errors,
    form_token,
    mobile_field,
    unit_id,
)

BOOTH_LEVEL = "booth"
PLACE_MATCHES = 20
OLDEST = 120


def booth_level() -> Level | None:
    return Level.objects.filter(code=BOOTH_LEVEL).first()


def booth_matches(root: Unit, *, query: str, limit: int = PLACE_MATCHES) -> list[Unit]:
    """Booths under ``root`` by Hindi or English name or number; one more than ``limit`` so the page can
    say there are more. Index-backed: the (level, path) range."""
    level = booth_level()
    if level is None:
        return []
    return units_by_name_or_number(Unit.objects.subtree(root).filter(level=level), query, limit=limit)


def age_field(*, required: str) -> forms.CharField:
    """A member's age or year of birth (``JoinForm.clean_age`` reads it), with the form's own "required"."""
    return forms.CharField(
        label=_("Age, or year of birth"),
        max_length=4,
        widget=NumberText(attrs={"maxlength": 4}),
        error_messages=_text_errors(required=required),
    )


def epic_field() -> forms.CharField:
    """The optional voter ID (``JoinForm.clean_epic`` checks its format)."""
    return forms.CharField(
        label=_("Voter ID (EPIC) number (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autocomplete": "off",
                "placeholder": "ABC1234567",
            }
        ),
        error_messages=_text_errors(),
    )


def gender_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Gender (optional)"),
        required=False,
        choices=GENDER_CHOICES,
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )


class JoinForm(forms.Form):
    """Everything ``services.member_join`` needs. ``root`` is the link's unit: a booth is the member's
    unit; above a booth the person may pick their booth under it (or join at the unit itself)."""

    token = forms.Field(widget=forms.HiddenInput(attrs={"autocomplete": "off"}), required=False)
    name = NameField(
        label=_("Your name"),
        script="either",
        required=True,
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        error_messages=_text_errors(required=_("Enter your name.")),
    )
    mobile = mobile_field()
    age = age_field(required=_("Enter your age."))
    epic = epic_field()
    gender = gender_field()
    booth = forms.Field(required=False, widget=forms.HiddenInput)
    booth_q = PlainTextField(label=_("Your booth"), max_length=100)
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree that my details are used as it says."),
        error_messages={"required": _("Tick this box to agree; without it we cannot record your membership.")},
    )

    def __init__(self, data=None, *, root: Unit, **kwargs):
        super().__init__(data, **kwargs)
        self.root = root
        self.picks_booth = root.level.code != BOOTH_LEVEL
        self.unit: Unit = root
        self.picked: Unit | None = None

    def clean_token(self):
        return form_token(self.cleaned_data["token"])

    def clean_mobile(self):
        return form_mobile(self.cleaned_data["mobile"])

    def clean_age(self):
        raw = ascii_digits(self.cleaned_data["age"].strip()) if self.cleaned_data["age"].strip().isdecimal() else ""
        if not raw:
            raise forms.ValidationError(_("Enter your age in years as a number, e.g. 27, or your year of birth."))
        number = int(raw)
        this_year = timezone.localdate().year
        if len(raw) == 4:  # a year of birth: the age it gives this year (a birthday still to come aside)
            if not this_year - OLDEST <= number <= this_year:
                raise forms.ValidationError(_("Enter a year of birth like 1990."))
            number = this_year - number
        if number > OLDEST:
            raise forms.ValidationError(_("Enter an age of at most %(n)d.") % {"n": OLDEST})
        if number < min_age():
            raise forms.ValidationError(
                _("Members must be at least %(age)d years old.") % {"age": min_age()}, code="under_age"
            )
        return number

    def clean_epic(self):
        epic = "".join(self.cleaned_data["epic"].split()).upper()
        if not epic:
            return ""
        if not re.fullmatch(EPIC_PATTERN, epic):
            raise forms.ValidationError(
                _("A voter ID (EPIC) number has 3 letters and 7 digits, e.g. ABC1234567. Check it, or leave it empty.")
            )
        return epic

    def clean(self):
        data = super().clean()
        if self.picks_booth:
            raw = (data.get("booth") or "").strip() if isinstance(data.get("booth"), str) else ""
            if raw:
                pk = unit_id(raw)
                booth = Unit.objects.filter(pk=pk, level__code=BOOTH_LEVEL).first() if pk else None
                if booth is None or not booth.is_within(self.root):
                    self.add_error("booth_q", _("Type your booth and choose it from the list, or leave it empty."))
                else:
                    self.picked = self.unit = booth
            elif data.get("booth_q"):
                self.add_error("booth_q", _("Type your booth and choose it from the list, or leave it empty."))
        return data

    def booth_label(self) -> str:
        if self.picked is not None:
            return self.picked.display_name
        return self["booth_q"].value() or ""


class CodeForm(StatusCodeForm):
    """The 6-digit code from the SMS (Devanagari digits accepted, as on the status page)."""
