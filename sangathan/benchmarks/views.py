"""Served only by the benchmark's server (``sangathan.benchmarks.settings``)."""

from django import forms
from django.http import HttpResponse
from django.utils import timezone

from sangathan.benchmarks.models import BaselineEntry
from sangathan.outreach.models import Delivery


class BaselineForm(forms.ModelForm):
    class Meta:
        model = BaselineEntry
        fields = ["name", "mobile", "text"]


def baseline(request):
    """A minimal ModelForm POST + INSERT, behind the same middleware (sessions, CSRF, locale) as the site."""
    form = BaselineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return HttpResponse("ok", status=201)
    return HttpResponse("bad", status=400)


def ack_baseline(request, pk: int):
    """The acknowledgement benchmark's baseline: the same one-row UPDATE of a delivery, nothing else."""
    if request.method != "POST":
        return HttpResponse("bad", status=405)
    Delivery.objects.filter(pk=pk, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())
    return HttpResponse("ok")
