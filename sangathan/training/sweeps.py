"""The training app's sweep (issue 17): invitations whose message was never queued because the task that
queues a camp's invitations died with its worker. Beat runs it every minute (``tasks.sweep_invitations``)."""

import datetime

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from sangathan.core.leases import requeue_once
from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import PERSON_ADDRESS
from sangathan.training.models import Camp, Invitation

SWEPT_FOR = datetime.timedelta(days=1)  # older invitations are not looked at again


def camps_with_unsent_invitations() -> list[int]:
    """Scheduled camps with an invitation, made more than the idle time and less than a day ago, whose
    message (on the first default channel, to a person reachable there) is not in the outbox."""
    now = timezone.now()
    channel = settings.NOTIFY_DEFAULT_CHANNELS[0] if settings.NOTIFY_DEFAULT_CHANNELS else "console"
    invitations = Invitation.objects.filter(
        camp__status=Camp.Status.SCHEDULED,
        invited_at__lt=now - datetime.timedelta(seconds=settings.SANGATHAN_IDLE_SECONDS),
        invited_at__gt=now - SWEPT_FOR,
    )
    if field := PERSON_ADDRESS.get(channel):
        invitations = invitations.exclude(**{f"person__{field}": ""}).exclude(**{f"person__{field}__isnull": True})
    key = Concat(Value("training:invite:"), Cast("pk", CharField()), Value(f":{channel}"))
    unsent = invitations.annotate(key=key).exclude(
        Exists(OutboxMessage.objects.filter(idempotency_key=OuterRef("key")))
    )
    return sorted(set(unsent.values_list("camp_id", flat=True)))


def invitations_sweep(queue) -> int:
    """Queue ``queue(camp_id)`` (the camp's invitation task) for each such camp, once per idle period."""
    camp_ids = [pk for pk in camps_with_unsent_invitations() if requeue_once(f"camp-invitations:{pk}")]
    for camp_id in camp_ids:
        queue(camp_id)
    return len(camp_ids)
