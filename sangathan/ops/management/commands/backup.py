"""``sangathan backup --out DIR``: the database (pg_dump -Fc on PostgreSQL, SQLite's online backup API in the
embedded mode), MEDIA_ROOT as a tar, and a manifest of every table's row count (sangathan/ops/backup.py;
docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sangathan.ops.backup import BackupError, backup, media_root


class Command(BaseCommand):
    help = "Back up the database and the media files into a new directory, with a manifest of row counts."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="a new (or empty) directory")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument("--no-media", action="store_true", help="leave MEDIA_ROOT out")

    def handle(self, *args, out, database, no_media, **options):
        media = None if no_media else media_root()
        try:
            result = backup(out, alias=database, media=media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        rows = sum(manifest["tables"].values())
        media_note = (
            "media not on this machine's disk (left to the storage's own copies)"
            if media is None and not no_media
            else f"{manifest['media_files'] or 0} media files"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows) of the {manifest['vendor']} database "
                f"and {media_note} into {out}"
            )
        )
