"""Errors the outreach services raise: ``ValidationError``s with translated messages, shown on forms."""

from django.core.exceptions import ValidationError


class OutreachError(ValidationError):
    """A rule of the message cascade refused a change; nothing was written."""
