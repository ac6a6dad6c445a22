from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from sangathan.org import coverage, representation
from sangathan.org.models import Unit


class Command(BaseCommand):
    help = "Recount the coverage counters from the appointments (all, or below one unit), set-based."

    def add_arguments(self, parser):
        parser.add_argument("--unit", type=int, help="Only this unit's subtree (a unit id).")

    def handle(self, *args, **options):
        root = Unit.objects.filter(pk=options["unit"]).first() if options.get("unit") else None
        with transaction.atomic(), tqdm(total=1, unit=" depth", desc="recount") as bar:
            if root is not None:
                coverage.lock_chain(root)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            coverage.rebuild(root, progress=progress)
            representation.recount(root)
        self.stdout.write(self.style.SUCCESS("Coverage counters recounted."))
