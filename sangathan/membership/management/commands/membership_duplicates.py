"""``sangathan membership-duplicates [--unit ID]``: queue the likely duplicates among existing members
(``membership.scan``), with a progress bar by rule. Safe to run again: it adds only pairs not yet queued."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sangathan.membership.scan import RULES, duplicates_scan
from sangathan.org.models import Unit


class Command(BaseCommand):
    help = "Find likely duplicates among existing members (all, or below one unit) and queue them for review."

    def add_arguments(self, parser):
        parser.add_argument("--unit", type=int, help="Only this unit's subtree (a unit id).")

    def handle(self, *args, **options):
        root = None
        if options.get("unit"):
            root = Unit.objects.filter(pk=options["unit"]).first()
            if root is None:
                raise CommandError(f"No unit with id {options['unit']}.")
        with tqdm(total=len(RULES), unit=" rule", desc="scan", file=self.stderr) as bar:

            def progress(done: int, total: int, rule: str) -> None:
                bar.set_postfix_str(rule)
                bar.n = done
                bar.refresh()

            result = duplicates_scan(root=root, progress=progress)
        for rule, n in result.created.items():
            self.stdout.write(f"{rule}: {n} new")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} likely duplicates queued; {result.known} already queued; "
                f"{result.skipped_groups} groups too big to be one person, skipped."
            )
        )
