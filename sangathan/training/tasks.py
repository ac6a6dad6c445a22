"""Celery tasks of the training app: thin, take ids, safe to run twice (the outbox keys make sure). A camp's
invitation task lost with its worker is queued again by ``sweep_invitations`` (beat, every minute)."""

import datetime

from celery import shared_task

from sangathan.training import (
    services,  # the services queue these tasks: by module, either loads first
    sweeps,
)
from sangathan.training.models import Camp, Invitation


@shared_task(acks_late=True)
def send_invitations(camp_id: int) -> int:
    """Queue the invitation message of every invitee of a camp; an invitee already messaged is skipped
    by the outbox's idempotency key."""
    sent = 0
    invitations = Invitation.objects.filter(camp_id=camp_id, camp__status="scheduled").select_related(
        "person", "camp__programme", "camp__host_unit"
    )
    for invitation in invitations.iterator(chunk_size=500):
        services.invitation_notify(invitation=invitation)
        sent += 1
    return sent


@shared_task(acks_late=True)
def send_reminders(camp_id: int, day: str) -> int:
    """Remind a camp's invitees who have not checked in (at most once per invitation and day)."""
    camp = Camp.objects.filter(pk=camp_id).first()
    if camp is None:
        return 0
    try:
        return services.invitations_remind(camp=camp, on=datetime.date.fromisoformat(day))
    except services.TrainingError:  # cancelled or over since the job looked
        return 0


@shared_task(ignore_result=True)
def sweep_invitations() -> int:
    """Every minute (beat): queue again the invitations of camps whose invitation task died with its worker."""
    return sweeps.invitations_sweep(send_invitations.delay)
