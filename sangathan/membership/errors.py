"""Errors of the membership drive: translated ``ValidationError``s with a code."""

from sangathan.org.errors import OrgError


class MembershipError(OrgError):
    """A membership write was refused; nothing was changed."""
