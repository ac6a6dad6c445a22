from django.core.exceptions import ValidationError


class PrivacyError(ValidationError):
    """A request that cannot be carried out, with a message for the user (translated)."""
