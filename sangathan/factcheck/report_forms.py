"""The form behind "report a rumour" on an office-bearer's personal links (``reported``): the message or a link,
where it was seen, a screenshot; the text and link fields come from the tipline's factory
(``forms.message_fields``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.factcheck.forms import ImagesField, message_fields
from sangathan.factcheck.reported import SeenOn

# What an office-bearer pastes from a forward: a long WhatsApp forward is 2–3 thousand characters. The
# public tipline takes more (a whole article); here more is refused, not cut, so nobody is surprised.
REPORT_TEXT_MAX = 4000


class RumourReportForm(forms.Form):
    text, link = message_fields(
        text_label=_("The rumour: paste the message"),
        text_max=REPORT_TEXT_MAX,
        link_label=_("Or its link"),
        rows=5,
    )
    seen_on = forms.ChoiceField(
        label=_("Where did you see it?"),
        choices=SeenOn.choices,
        initial=SeenOn.WHATSAPP,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say where you saw it."), "invalid_choice": _("Say where you saw it.")},
    )
    images = ImagesField(label=_("A screenshot (optional)"), required=False)

    def clean_text(self) -> str:
        """Without control characters (an escape sequence pasted from a terminal, a stray NUL): line breaks
        and tabs stay."""
        return "".join(ch for ch in self.cleaned_data["text"] if ch in "\n\t" or (ch >= " " and ch != "\x7f"))

    def clean(self):
        data = super().clean() or {}
        if not self.errors and not (data.get("text") or data.get("link") or data.get("images")):
            raise forms.ValidationError(_("Paste the message, its link or a screenshot: the form is empty."))
        return data
