"""Background work of the fact-check desk: thin wrappers around the services, safe to run twice."""

from celery import shared_task

from sangathan.factcheck import (
    images,  # noqa: F401 - registers its tasks (analyse_tip_images, hash_claim_file)
    media,  # registers fetch_tip_media
)
from sangathan.factcheck.desk import claims_escalate


@shared_task(name="sangathan.factcheck.tasks.escalate_overdue")
def escalate_overdue() -> int:
    """Claims past their SLA escalated to the state control room (each once: ``desk.claims_escalate``)."""
    return claims_escalate()


@shared_task(name="sangathan.factcheck.tasks.sweep_tip_media", ignore_result=True)
def sweep_tip_media() -> int:
    """Every minute (beat): queue again the WhatsApp/Telegram pictures whose download was lost (``media``)."""
    return media.tip_media_sweep()
