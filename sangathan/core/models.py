"""Shared model helpers."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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


class Organisation(models.Model):
    """The organisation this installation serves, named in Hindi and English: one row, written by the first
    run (``sangathan setup`` or the set-up page) and read wherever the name is shown."""

    name_hi = models.CharField(_("name (Hindi)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)
