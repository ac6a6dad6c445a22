"""Validators shared by every entry point: models (so ModelForms and ModelSerializers get them), plain
forms and serializers, services, and the spreadsheet imports. One rule each, written once."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Names, skills, polling stations... are plain text. Anything that starts a tag as an HTML parser reads
# one ("<b", "</", "<!", "<?", "<svg/onload=...") is refused, closed or not: no real name holds "<"
# right before a letter, while "A < B" or "3<4" stay allowed (to HTML they are text). The pages escape
# their output anyway; this keeps what the documentation promises (plain text), and what exports and
# messages pass on to other programs, clean.
MARKUP_RE = re.compile(r"<[A-Za-z!?/]")
MARKUP_MESSAGE = _("Write plain text, without HTML tags.")


def has_markup(value) -> bool:
    return bool(value) and MARKUP_RE.search(str(value)) is not None


def validate_plain_text(value) -> None:
    """Text without anything that looks like an HTML tag."""
    if has_markup(value):
        raise ValidationError(MARKUP_MESSAGE, code="markup")


@deconstructible
class PlainTextItems:
    """Each item of a list (a JSONField of texts, e.g. skills) is plain text."""

    def __call__(self, value) -> None:
        for item in value or []:
            validate_plain_text(item)

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainTextItems)

    def __hash__(self) -> int:
        return hash(PlainTextItems)


validate_plain_text_items = PlainTextItems()
