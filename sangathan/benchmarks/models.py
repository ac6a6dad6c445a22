"""The baseline of the HTTP benchmarks: the least a Django form POST can do."""

from django.db import models


class BaselineEntry(models.Model):
    """One row per baseline POST: what "a minimal ModelForm POST + INSERT" writes."""

    name = models.CharField(max_length=120)
    mobile = models.CharField(max_length=16)
    text = models.TextField(max_length=2000)
