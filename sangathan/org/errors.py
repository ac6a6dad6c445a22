"""Errors the org services raise. They are ``ValidationError``s with translated messages, so forms
show them on the page and the API answers 400 with them."""

from django.core.exceptions import ValidationError


class OrgError(ValidationError):
    """A rule of the organisation structure refused a change; nothing was written."""
