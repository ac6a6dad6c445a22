from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sangathan.apitokens.services import default_expiry_days, expiry_choices


def _days_label(days: int) -> str:
    return gettext("1 year") if days == 365 else gettext("%(count)s days") % {"count": days}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("What is it for? e.g. Booth report sheet")}),
        error_messages={"required": _("Give the token a name.")},
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose how long the token stays valid.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(days, _days_label(days)) for days in expiry_choices()]
        self.fields["days"].initial = default_expiry_days()
