"""The set-up page's form: shapes only; ``site.services`` holds the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.site import services


class SetupForm(forms.Form):
    name_hi = forms.CharField(label=_("Organisation's name (Hindi)"), max_length=150, required=False)
    name_en = forms.CharField(label=_("Organisation's name (English)"), max_length=150, required=False)
    national_hi = forms.CharField(label=_("National unit (Hindi)"), max_length=150, required=False, initial="भारत")
    national_en = forms.CharField(label=_("National unit (English)"), max_length=150, required=False, initial="India")
    states = forms.CharField(
        label=_("States you work in"),
        help_text=_("One per line: Hindi name | English name | short code, e.g. राजस्थान | Rajasthan | RJ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    chain = forms.CharField(
        label=_("Levels, top first"),
        help_text=_(
            "One per line: code | Hindi name | English name. Remove the levels you do not have; add your own "
            "(a new level gets an in-charge post)."
        ),
        widget=forms.Textarea(attrs={"rows": 11}),
        max_length=5000,
    )
    admin_username = forms.CharField(
        label=_("First state admin: username"),
        help_text=_("The admin runs the first state in the list."),
        max_length=150,
    )
    admin_password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    admin_password2 = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain"].initial = "\n".join(
            f"{line.code} | {line.name_hi} | {line.name_en}" for line in services.default_chain()
        )
        for field in self.fields.values():
            field.error_messages["required"] = _("This field is required.")

    def clean_states(self):
        try:
            return services.parse_states(self.cleaned_data["states"])
        except services.SetupError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_chain(self):
        try:
            return services.parse_chain(self.cleaned_data["chain"])
        except services.SetupError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        data = super().clean()
        if data.get("admin_password1") and data.get("admin_password1") != data.get("admin_password2"):
            self.add_error("admin_password2", _("The two passwords are not the same."))
        return data
