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
    """Many messages: claimed in one statement, sent one after the other, written back together (a repeated
    task finds them claimed or sent and sends none twice)."""
    try:
        services.messages_deliver(message_ids=message_ids)
    except Exception:  # noqa: BLE001 - what was claimed stays "sending" and is released by the sweep
        logger.exception("Delivery of outbox messages %s failed; the sweep will try them again.", message_ids)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Run every minute or so (Celery beat, or ``sangathan deliver-outbox --loop 60``)."""
    return services.outbox_sweep()
