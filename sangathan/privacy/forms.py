"""Forms of the privacy pages: what a data principal (or an admin on their behalf) asks for."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sangathan.privacy import subjects
from sangathan.privacy.models import DataRequest
from sangathan.privacy.services import DETAILS_MAX, NOTE_MAX


class CorrectionForm(forms.Form):
    ticket = forms.CharField(widget=forms.HiddenInput, max_length=500)
    details = forms.CharField(
        label=_("What is wrong, and what should it be?"),
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write what is wrong and what it should be."),
            "max_length": _("Please write at most %(limit_value)d characters."),
        },
    )


class ErasureForm(forms.Form):
    ticket = forms.CharField(widget=forms.HiddenInput, max_length=500)
    confirm = forms.BooleanField(
        label=_("I understand: my application will be withdrawn and my data erased. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class TicketForm(forms.Form):
    ticket = forms.CharField(widget=forms.HiddenInput, max_length=500)


class StaffRequestForm(forms.Form):
    # Whose data: an applicant or an office-bearer (privacy's own), or a person kept by a higher app
    # (``privacy.subjects``: a member), found by mobile number in the user's scope.
    who = forms.ChoiceField(
        label=_("Whose data"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose whose data it is.")},
    )
    subject = forms.CharField(
        label=_("Reference number or mobile number"),
        max_length=40,
        help_text=_("The applicant's reference number (e.g. RJ-2026-ABCD) or the person's mobile number."),
        error_messages={"required": _("Enter a reference number or a mobile number.")},
    )
    kind = forms.ChoiceField(
        label=_("Request"),
        choices=DataRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the person is asking for."),
            "invalid_choice": _("Choose what the person is asking for."),
        },
    )
    details = forms.CharField(
        label=_("What should be corrected"),
        max_length=DETAILS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Please write at most %(limit_value)d characters.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [("", _("An applicant or an office-bearer"))] + [
            (kind.code, capfirst(kind.label)) for kind in subjects.registered()
        ]
        self.fields["who"].initial = ""


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("done", _("done")), ("refused", _("refused"))],
        error_messages={"required": _("Choose done or refused."), "invalid_choice": _("Choose done or refused.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        error_messages={"max_length": _("Please write at most %(limit_value)d characters.")},
    )
