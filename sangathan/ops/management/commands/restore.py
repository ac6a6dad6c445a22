"""``sangathan restore DIR [--force]``: a backup made by ``sangathan backup`` into the configured database and
MEDIA_ROOT; refuses a database that has tables unless ``--force`` (sangathan/ops/backup.py;
docs/operations.md). Stop the web processes, the workers and beat first."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from sangathan.ops.backup import BackupError, media_root, restore


class Command(BaseCommand):
    help = "Restore a backup made by `sangathan backup` into the configured database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup's directory")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")
        parser.add_argument("--no-media", action="store_true", help="leave MEDIA_ROOT as it is")

    def handle(self, *args, source, database, force, no_media, **options):
        connections[database].close()  # nothing of this process holds the database while it is replaced
        try:
            result = restore(
                source,
                database=settings.DATABASES[database],
                media=None if no_media else media_root(),
                force=force,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if result.mismatches:
            lines = [
                f"  {table}: {expected} in the backup, {found} restored"
                for table, (expected, found) in sorted(result.mismatches.items())
            ]
            raise CommandError("The restored database does not match the manifest:\n" + "\n".join(lines))
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(manifest['tables'])} tables ({sum(manifest['tables'].values())} rows, every count "
                f"as in the manifest) and {manifest['media_files'] or 0} media files from {source}"
            )
        )
