"""Celery tasks of the message cascade: thin, take ids, safe to run twice (a chunk is claimed before it is
written, and notifications carry idempotency keys). Chunks go to the ``cascade`` queue, the sweep and the
reminders to ``default`` (sangathan/config/queues.py)."""

from celery import shared_task

from sangathan.outreach import services


@shared_task(acks_late=True, ignore_result=True)
def send_chunk(chunk_id: int) -> int:
    return services.chunk_process(chunk_id=chunk_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_sends() -> int:
    """Every minute (beat): queue again the chunks of sends that stopped, finish sends whose chunks are all
    done, fold answers nobody has read into the roll-ups."""
    return services.outreach_sweep()


@shared_task(acks_late=True, ignore_result=True)
def remind_and_escalate() -> tuple[int, int]:
    """Every 15 minutes (beat): reminders to silent units and escalations of urgent messages."""
    return services.reminders_send()
