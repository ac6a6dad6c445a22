"""ops' reads."""

from django.db.models import Count

from sangathan.notifications.models import OutboxMessage

BACKLOG_STATUSES = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING, OutboxMessage.Status.FAILED)


def outbox_backlog() -> dict[str, int]:
    """Messages not yet delivered, by status (every status present, 0 when none). Reads the index on
    (status, next_attempt_at) for these statuses only: the delivered and dead rows, the bulk of the table,
    are not counted."""
    counts = dict.fromkeys((str(status) for status in BACKLOG_STATUSES), 0)
    rows = (
        OutboxMessage.objects.filter(status__in=BACKLOG_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    counts.update(dict(rows))
    return counts
