"""Shared model helpers."""

from django.db import models
from django.utils.translation import get_language


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def bilingual(hindi: str, english: str) -> str:
    """The name to show in the active language, falling back to the other one."""
    if (get_language() or "hi").startswith("hi"):
        return hindi or english
    return english or hindi
