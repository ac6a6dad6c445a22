"""Celery tasks of the message cascade: thin, take ids, safe to run twice (a chunk is claimed before it is
written, and notifications carry idempotency keys)."""

from celery import shared_task

from sangathan.outreach import services


@shared_task(acks_late=True, ignore_result=True)
def send_chunk(chunk_id: int) -> int:
    return services.chunk_process(chunk_id=chunk_id)


@shared_task(acks_late=True, ignore_result=True)
def remind_and_escalate() -> tuple[int, int]:
    """Every 15 minutes (Celery beat): reminders, escalations, and sends that stopped half-way."""
    services.outreach_sweep()
    return services.reminders_send()
