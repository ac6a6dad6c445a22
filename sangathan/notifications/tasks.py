"""Celery tasks of the notifications app: thin wrappers that take ids and call a service. Both are safe
to run twice: a message is claimed before it is sent, so a repeated task finds nothing to do."""

import logging

from celery import shared_task

from sangathan.notifications import services  # the services queue these tasks: by module, either loads first

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def deliver_message(message_id: int) -> None:
    services.message_deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def deliver_messages(message_ids: list[int]) -> None:
    """Many messages, one after the other (each claimed on its own, so a repeated task sends none twice)."""
    for message_id in message_ids:
        try:
            services.message_deliver(message_id=message_id)
        except Exception:  # one message's trouble does not hold back the rest; the sweep retries it
            logger.exception("Delivery of outbox message %s failed; the sweep will try it again.", message_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Run every minute or so (Celery beat, or ``sangathan deliver-outbox --loop 60``)."""
    return services.outbox_sweep()
