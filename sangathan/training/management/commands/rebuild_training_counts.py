from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sangathan.org.coverage import lock_chain
from sangathan.org.models import Unit
from sangathan.training import counters


class Command(BaseCommand):
    help = "Recount the trained posts per unit from the appointments and completions (all, or below one unit)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Only this unit's subtree (a unit code or id).")

    def handle(self, *args, **options):
        root = None
        if options.get("unit"):
            asked = str(options["unit"]).strip()
            root = Unit.objects.filter(code=asked).first() or (
                Unit.objects.filter(pk=int(asked)).first() if asked.isdigit() else None
            )
            if root is None:
                raise CommandError(f"No unit {asked!r}.")
        with transaction.atomic():
            if root is not None:
                lock_chain(root)
            counters.rebuild(root)
        self.stdout.write(self.style.SUCCESS("Trained posts recounted."))
