from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.audit.models import AuditEntry


class LogFilterForm(forms.Form):
    """The log page's filters; every field optional, bad values answer a message, not a 500."""

    actor = forms.CharField(label=_("User"), max_length=150, required=False)
    model = forms.ChoiceField(label=_("Kind of record"), choices=(), required=False)
    action = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("", "—"), *AuditEntry.Action.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    obj = forms.CharField(label=_("Record (name or number)"), max_length=100, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, content_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [
            ("", "—"),
            *[(str(ct.pk), str(ct.model_class()._meta.verbose_name)) for ct in content_types],
        ]
        self.content_types = {str(ct.pk): ct for ct in content_types}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "actor": (data.get("actor") or "").strip(),
            "content_type": self.content_types.get(data.get("model") or ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "obj": (data.get("obj") or "").strip(),
            "action": data.get("action"),
        }
