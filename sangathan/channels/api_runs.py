"""The daily run's job for official accounts: queue one task per channel with working API access, on the
reports queue (``channels.tasks.fetch_channel_numbers``). Each task is idempotent (the day's row is updated,
never duplicated) and a channel waiting after a rate limit is skipped until its wait is over; a run missed or
cut short resumes from the last day stored (``ChannelCredential.fetched_through``)."""

import datetime
import logging

from sangathan.channels import selectors, tasks

logger = logging.getLogger(__name__)


def numbers_fetch_daily(*, today: datetime.date) -> str:
    channel_ids = list(selectors.channels_to_fetch())
    failed = 0
    for channel_id in channel_ids:
        try:  # with a worker this only queues; in the embedded mode it runs here, one failure stops no other
            tasks.fetch_channel_numbers.delay(channel_id, today.isoformat())
        except Exception:
            logger.exception("Reading the numbers of channel %s failed", channel_id)
            failed += 1
    if failed:
        raise RuntimeError(f"{failed} of {len(channel_ids)} channels' numbers could not be read")
    return f"{len(channel_ids)} official accounts queued"
