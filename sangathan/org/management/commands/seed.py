from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sangathan.org.seeding import SHAPES, seed


class Command(BaseCommand):
    help = "Build a realistic organisation tree: --scale demo | state (Rajasthan-sized) | national (≈1.06 M units)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SHAPES), default="state")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable trees.")

    def handle(self, *args, scale, **options):
        shape = SHAPES[scale]
        total = shape.states + sum(n for _code, n in shape.chain)
        with tqdm(total=total, unit=" units", desc=f"seed {scale}", disable=options["verbosity"] == 0) as bar:
            try:
                root = seed(scale, seed_value=options["seed"], progress=bar.update)
            except ValueError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Seeded {scale}: {root.name_en} ({total:,} units)."))
