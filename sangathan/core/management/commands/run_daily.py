"""``sangathan run-daily``: the daily jobs that the apps registered (``sangathan.core.daily``: plan progress,
snapshots, escalation digests, reminders, retention, ...) in the embedded mode. In production Celery beat
runs the same through ``sangathan.planning.tasks.run_daily_jobs``."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from sangathan.core.daily import jobs, run_daily


class Command(BaseCommand):
    help = "Run the daily jobs: refresh plan progress, write the day's snapshot, send escalation digests."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD); default today.")
        parser.add_argument("--only", default="", help="Comma-separated job names (default all).")
        parser.add_argument("--list", action="store_true", help="List the registered jobs and stop.")

    def handle(self, *args, date=None, only="", list=False, **options):
        if list:
            for job in jobs():
                self.stdout.write(f"{job.order:>4}  {job.name}")
            return
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError("--date must look like 2026-06-01.") from None
        names = [name.strip() for name in only.split(",") if name.strip()]
        unknown = sorted(set(names) - {job.name for job in jobs()})
        if unknown:
            raise CommandError(f"Unknown jobs: {', '.join(unknown)}.")

        def log(outcome):
            if outcome.error:
                self.stdout.write(self.style.ERROR(f"✗ {outcome.name}: {outcome.error} ({outcome.seconds:.1f} s)"))
            else:
                self.stdout.write(f"✓ {outcome.name}: {outcome.result} ({outcome.seconds:.1f} s)")

        outcomes = run_daily(today=today, only=names or None, log=log)
        if any(o.error for o in outcomes):
            raise CommandError("Some daily jobs failed; see above.")
