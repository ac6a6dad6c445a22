"""Telling people: the message to the key office-bearers of many units at once, through the outbox."""

import itertools
import logging

from django.conf import settings

from sangathan.notifications.errors import NotificationError
from sangathan.notifications.services import messages_queue_bulk, person_address
from sangathan.org.models import Person
from sangathan.outreach.models import Message

logger = logging.getLogger("sangathan.outreach.services")


def message_context(message: Message) -> dict:
    return {
        "title": message.title,
        "urgent": message.priority == Message.Priority.URGENT,
        "call_to_action": message.call_to_action,
    }


NOTIFY_BATCH = 500  # messages per call of messages_queue_bulk: bounded IN lists and memory


def notify_bulk(*, template: str, context: dict, items: list[tuple[str, Person, dict]], language: str = "hi") -> int:
    """Put many messages in the outbox at once: (idempotency key prefix, person, per-person values) each,
    on every default channel the person can be reached on, through
    ``notifications.services.messages_queue_bulk`` in batches (one INSERT per batch; keys already in the
    outbox are skipped, so a re-run queues nothing twice; deliveries are queued after the commit). Returns
    how many rows were new."""
    channels = list(dict.fromkeys(settings.NOTIFY_DEFAULT_CHANNELS))
    messages = (
        {
            "channel": channel,
            "recipient": recipient,
            "person": person,
            "template": template,
            "context": {**context, **values},
            "language": language,
            "idempotency_key": f"{key}:{channel}"[:200],
        }
        for key, person, values in items
        for channel in channels
        if (recipient := person_address(person, channel))
    )
    new = 0
    while batch := list(itertools.islice(messages, NOTIFY_BATCH)):
        try:
            new += messages_queue_bulk(batch)
        except NotificationError:
            # One unusable address refuses the whole batch (before anything is written): queue the rest one
            # by one, so a bad mobile number does not hold back the notifications of a whole chunk.
            for item in batch:
                try:
                    new += messages_queue_bulk([item])
                except NotificationError as exc:
                    logger.warning("Outreach notification to %s not queued: %s", item["idempotency_key"], exc)
    return new
