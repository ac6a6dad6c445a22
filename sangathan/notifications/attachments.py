"""Files an email of the outbox carries, found when it is sent, never stored in the outbox.

An app whose messages need files registers, for its template, a function that returns them for a message
(``[(file name, bytes, MIME type)]``), e.g. the control room's reports (``controlroom.reports``), which find
the report from the message's idempotency key. The email channel attaches what it returns; other channels
send the text, which carries a link instead."""

from collections.abc import Callable

from sangathan.notifications.models import OutboxMessage

Attachment = tuple[str, bytes, str]
_PROVIDERS: dict[str, Callable[[OutboxMessage], list[Attachment]]] = {}


def register(template: str, provider: Callable[[OutboxMessage], list[Attachment]]) -> None:
    _PROVIDERS[template] = provider


def attachments_for(message: OutboxMessage) -> list[Attachment]:
    provider = _PROVIDERS.get(message.template)
    return provider(message) if provider else []
