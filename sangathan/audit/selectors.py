"""Reads of the audit trail, always within the reader's scope."""

import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from sangathan.audit.access import READ_AUDIT
from sangathan.audit.models import AuditEntry
from sangathan.audit.registry import MODELS


def audited_content_types() -> list[ContentType]:
    """The content types of the audited models, for the log page's filter."""
    models = []
    for label in MODELS:
        try:
            models.append(apps.get_model(label))
        except LookupError:
            continue
    types = ContentType.objects.get_for_models(*models).values()
    return sorted(types, key=_verbose_name)


def _verbose_name(content_type: ContentType) -> str:
    model = content_type.model_class()  # None only for a model no longer installed: not one of these
    return str(model._meta.verbose_name) if model is not None else content_type.model


def entries_for_user(
    user,
    *,
    actor: str = "",
    content_type: ContentType | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    obj: str = "",
    action: int | None = None,
) -> QuerySet[AuditEntry]:
    """The entries ``user`` may read (their admin scope), newest first, filtered as the log page asks."""
    entries = AuditEntry.objects.restrict(user, READ_AUDIT).select_related("actor", "content_type")
    if actor:
        entries = entries.filter(actor__username__iexact=actor)
    if content_type is not None:
        entries = entries.filter(content_type=content_type)
    if date_from is not None:
        entries = entries.filter(timestamp__gte=_day_start(date_from))
    if date_to is not None:
        entries = entries.filter(timestamp__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if obj:
        condition = Q(object_repr__icontains=obj)
        if obj.isdigit():
            condition |= Q(object_id=int(obj))
        entries = entries.filter(condition)
    if action is not None:
        entries = entries.filter(action=action)
    return entries.order_by("-timestamp", "-id")


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def history_for_object(user, content_type: ContentType, pk: str) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.restrict(user, READ_AUDIT)
        .filter(content_type=content_type, object_pk=str(pk))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )
