"""Model fields the apps declare alike."""

from django.conf import settings
from django.db import models


def actor_field(**kwargs) -> models.ForeignKey:
    """Who did something: a user, kept as NULL when the account goes, optional in forms, with no reverse
    accessor on the user (``related_name="+"``). ``kwargs`` go to the ForeignKey (a verbose name)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", **kwargs
    )
