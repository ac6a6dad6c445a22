"""Errors the logins services raise: ``ValidationError``s with translated messages, shown on the page."""

from django.core.exceptions import ValidationError


class LoginError(ValidationError):
    """A rule of logins or invitations refused a change; nothing was written."""
