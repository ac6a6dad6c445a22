"""Errors the planning services raise: ``ValidationError``s with translated messages, so forms show them."""

from django.core.exceptions import ValidationError


class PlanError(ValidationError):
    """A rule of the plan refused a change; nothing was written."""
