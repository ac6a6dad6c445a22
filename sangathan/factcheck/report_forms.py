"""The form behind "report a rumour" on an office-bearer's personal links (``reported``): the message or a link,
where it was seen, a screenshot; checked like the public tipline's (``forms``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.factcheck.forms import ImagesField
from sangathan.factcheck.models import LINK_MAX
from sangathan.factcheck.reported import SeenOn

# What an office-bearer pastes from a forward: a long WhatsApp forward is 2–3 thousand characters. The
# public tipline takes more (a whole article); here more is refused, not cut, so nobody is surprised.
REPORT_TEXT_MAX = 4000


class RumourReportForm(forms.Form):
    text = forms.CharField(
        label=_("The rumour: paste the message"),
        required=False,
        max_length=REPORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("Paste the message here")}),
        error_messages={
            "max_length": _("This can be at most %(limit_value)d characters long (it has %(show_value)d)."),
            "null_characters_not_allowed": _("Remove the invisible control characters from this text."),
        },
    )
    link = forms.URLField(
        label=_("Or its link"),
        required=False,
        max_length=LINK_MAX,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, e.g. https://example.com/page.")},
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
