"""``sangathan deliver-outbox [--loop SECONDS]``: deliver what is due in the outbox.

Once, for cron; or every SECONDS until stopped (Ctrl+C), for the embedded mode or a small server without
Celery beat. With a Redis broker the messages are queued to the workers; in the embedded mode (eager tasks)
they are sent right here.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _
from tqdm import tqdm

from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import outbox_sweep

PROGRESS_FROM = 20  # a progress bar only when at least this many messages are due


class Command(BaseCommand):
    help = (
        "Deliver the outbox: queue every message that is due (new, to be retried, or left half-sent by a "
        "worker that stopped). Runs once, or every --loop SECONDS until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="Sweep again every SECONDS seconds until stopped with Ctrl+C.",
        )

    def handle(self, *args, loop, verbosity, **options):
        if loop is not None and loop <= 0:
            raise CommandError(_("--loop needs a number of seconds greater than 0."))
        try:
            while True:
                queued = self._sweep(verbosity)
                if verbosity >= 2 or (verbosity >= 1 and (queued or loop is None)):
                    self._report(queued)
                if loop is None:
                    return
                time.sleep(loop)
        except KeyboardInterrupt:
            self.stdout.write(_("Stopped."))

    def _sweep(self, verbosity: int) -> int:
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None and total >= PROGRESS_FROM and verbosity >= 1:
                bar = tqdm(total=total, desc=_("Delivering messages"), unit=" messages", leave=False)
            if bar is not None:
                bar.total, bar.n = total, done
                bar.refresh()

        try:
            return outbox_sweep(progress=progress)
        finally:
            if bar is not None:
                bar.close()

    def _report(self, queued: int) -> None:
        counts = dict(
            OutboxMessage.objects.filter(
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD]
            )
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        self.stdout.write(
            _("Queued %(queued)d messages. Waiting: %(pending)d new, %(failed)d to retry; %(dead)d dead.")
            % {
                "queued": queued,
                "pending": counts.get(OutboxMessage.Status.PENDING, 0),
                "failed": counts.get(OutboxMessage.Status.FAILED, 0),
                "dead": counts.get(OutboxMessage.Status.DEAD, 0),
            }
        )
