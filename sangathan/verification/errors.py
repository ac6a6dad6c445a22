"""Errors of the mobile-ownership service: translated ``ValidationError``s with a code."""

from sangathan.org.errors import OrgError


class VerificationError(OrgError):
    """The code was not accepted, or no code can be sent now; nothing was proven."""
