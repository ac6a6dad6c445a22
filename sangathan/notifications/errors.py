"""Errors the notification services raise. They are ``ValidationError``s with translated messages, like
the org app's, so a form or the API can show them."""

from django.core.exceptions import ValidationError


class NotificationError(ValidationError):
    """A message could not be queued (unknown channel, bad recipient, bad template name); nothing was written."""
