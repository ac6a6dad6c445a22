"""Forms of the staff pages: one paper membership form typed in, and a sheet of them uploaded.

The paper form checks what the join page checks (the name, mobile, age and voter ID rules are the join
form's own methods), so a form typed in by an office-bearer is refused for the same reasons and in the
same words as one filled in by the person."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.membership.forms_public import JoinForm, age_field, epic_field, gender_field
from sangathan.membership.models import NAME_MAX
from sangathan.recruitment.forms_public import NameField, _text_errors, mobile_field

SHEET_MAX_BYTES = 5 * 1024 * 1024


class PaperForm(forms.Form):
    """One paper form: what ``services.member_enter`` needs besides the booth (the page's unit)."""

    name = NameField(
        label=_("Member's name"),
        script="either",
        required=True,
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words", "autofocus": True}),
        error_messages=_text_errors(required=_("Enter the member's name.")),
    )
    relative_name = NameField(
        label=_("Father's, mother's or husband's name (optional)"),
        script="either",
        required=False,
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
        error_messages=_text_errors(required=""),
    )
    mobile = mobile_field()
    age = age_field(required=_("Enter the member's age."))
    epic = epic_field()
    gender = gender_field()

    clean_mobile = JoinForm.clean_mobile
    clean_age = JoinForm.clean_age
    clean_epic = JoinForm.clean_epic


class SheetForm(forms.Form):
    """A CSV or Excel file of paper forms; only its size is checked here, the worker reads it."""

    file = forms.FileField(
        label=_("Sheet (CSV or Excel .xlsx)"),
        error_messages={
            "required": _("Choose a file."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a file."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > SHEET_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        return upload
