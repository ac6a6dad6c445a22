"""Errors the recruitment services raise: translated ``ValidationError``s (see sangathan.org.errors)."""

from sangathan.org.errors import OrgError


class RecruitmentError(OrgError):
    """A recruitment rule refused the request; nothing was written."""
