from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from sangathan.access.models import Role
from sangathan.logins.services import ASSIGNABLE_ROLES
from sangathan.org.phones import form_mobile


class ChoosePasswordForm(SetPasswordForm):
    """Django's own (its password rules, the two fields must match), in our words."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password1"].help_text = _("At least 10 characters; not only digits, not a common word.")
        self.fields["new_password2"].label = _("The same password again")
        self.error_messages = {**self.error_messages, "password_mismatch": _("The two passwords are not the same.")}
        for field in self.fields.values():
            field.error_messages["required"] = _("This field is required.")


ROLE_CHOICES = [("", _("no login"))] + [(value, label) for value, label in Role.choices if value in ASSIGNABLE_ROLES]


class LoginCreateForm(forms.Form):
    """A login for somebody in this unit's area who holds no post that brings one."""

    mobile = forms.CharField(
        label=_("Mobile number of the person"), max_length=25, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES[1:], initial=Role.VIEWER)

    def clean_mobile(self):
        return form_mobile(self.cleaned_data["mobile"])
