"""Forms of the channel pages. They check the shape of the input; the rules live in services and links."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.channels.models import Platform
from sangathan.org.errors import OrgError
from sangathan.org.models import Level
from sangathan.org.phones import normalise_mobile

_SEPARATORS = re.compile(r"[,;/|\n]+")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_mobiles(raw: str) -> list[str]:
    mobiles = []
    for part in _SEPARATORS.split(raw or ""):
        if part.strip():
            try:
                mobiles.append(normalise_mobile(part))
            except OrgError as error:
                raise forms.ValidationError(f"{part.strip()}: {error.messages[0]}") from None
    return list(dict.fromkeys(mobiles))


class ChannelForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("As it shows in the app."))
    link = forms.CharField(
        label=_("Invite link or handle"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "WhatsApp: chat.whatsapp.com/…; Telegram: t.me/…; Instagram, X, YouTube: @handle. None for a broadcast list."
        ),
    )
    owner_mobile = forms.CharField(
        label=_("Broadcast list: mobile it is run from"),
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    admin_mobiles = forms.CharField(
        label=_("Admins' mobile numbers"),
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Separate several numbers with commas."),
    )
    member_count = forms.IntegerField(label=_("Members"), required=False, min_value=0, max_value=10_000_000)
    created_on = forms.DateField(
        label=_("Date created"), required=False, widget=DATE_WIDGET, input_formats=["%Y-%m-%d"]
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["platform"]

    def clean_admin_mobiles(self):
        return parse_mobiles(self.cleaned_data.get("admin_mobiles", ""))


class VerifyForm(forms.Form):
    member_count = forms.IntegerField(label=_("Members today"), required=False, min_value=0, max_value=10_000_000)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it being removed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the group was deleted, or replaced by a new one."),
    )


class AreaFilterForm(forms.Form):
    level = forms.ModelChoiceField(
        label=_("Level"), queryset=Level.objects.all(), required=False, empty_label=_("All levels")
    )
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", _("All platforms")), *Platform.choices], required=False
    )
    q = forms.CharField(label=_("Name or link"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].label_from_instance = lambda level: level.name


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel (.xlsx) file"))


class CredentialForm(forms.Form):
    """An official account's API access. The token field is never filled in again (it is not shown back)."""

    account_id = forms.CharField(
        label=_("Account id on the platform"),
        max_length=100,
        help_text=_("X user id, Facebook Page id, Instagram account id, YouTube channel id or Telegram chat id."),
    )
    token = forms.CharField(
        label=_("Access token or key"),
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted; it is never shown again. To change it, paste a new one."),
    )


class ActivityUploadForm(forms.Form):
    """An export file of an official account's daily numbers (Meta Business Suite, X analytics, YouTube Studio)."""

    file = forms.FileField(label=_("Export file (CSV or .xlsx)"))
    followers = forms.IntegerField(
        label=_("Followers on the file's last day"),
        required=False,
        min_value=0,
        max_value=10_000_000_000,
        help_text=_("Only for X and YouTube files, which give each day's change: the earlier totals are worked back."),
    )
