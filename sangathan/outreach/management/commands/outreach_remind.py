"""``sangathan outreach_remind``: reminders, escalations, and resuming stopped sends (what beat runs)."""

import time

from django.core.management.base import BaseCommand

from sangathan.outreach import services


class Command(BaseCommand):
    help = "Remind silent units, escalate urgent messages to the parent in-charge, resume stopped sends."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds (embedded mode).")

    def handle(self, *args, loop, **options):
        while True:
            resumed = services.outreach_sweep()
            reminded, escalated = services.reminders_send()
            self.stdout.write(f"{reminded} reminders, {escalated} escalations, {resumed} chunks queued again.")
            if not loop:
                return
            time.sleep(loop)
