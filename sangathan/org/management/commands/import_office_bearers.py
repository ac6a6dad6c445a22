"""``sangathan import-office-bearers FILE [--root <unit id or code>] [--dry-run]``: appoint office-bearers from a
CSV or XLSX file, through the same service as the web import (``org.officebearers_import``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from sangathan.org.cli import unit_from_argument
from sangathan.org.models import Unit
from sangathan.org.officebearers_import import import_office_bearers


class Command(BaseCommand):
    help = (
        "Appoint office-bearers from a CSV or Excel file (unit id or code, post, name, mobile; optionally gender, "
        "age, start date, social handles). All rows or none: a file with any bad row changes nothing and exits "
        "with status 1. A row whose person already holds the post is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or .xlsx file; see sangathan/org/officebearers_import.py.")
        parser.add_argument("--root", help="Id or short code of the unit every row must lie in. Default: the top unit.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, root, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        unit = unit_from_argument(root) if root else Unit.get_root_nodes().first()
        if unit is None:
            raise CommandError(_("There are no units yet. Import the unit tree first."))
        stages = {"read": _("Reading the file"), "check": _("Checking rows"), "write": _("Appointing")}
        with tqdm(total=0, disable=options["verbosity"] == 0, leave=False, unit=" rows") as bar:

            def progress(stage: str, done: int, total: int) -> None:
                bar.set_description(stages.get(stage, stage), refresh=False)
                bar.total, bar.n = total or None, done
                bar.refresh()

            report = import_office_bearers(file=path, root=unit, by=None, dry_run=dry_run, progress=progress)
        for error in report.errors:
            where = _("row %(row)s") % {"row": error.row} if error.row else _("file")
            self.stderr.write(f"{where}: {error.column + ': ' if error.column else ''}{error.message}")
        if not report.ok:
            raise CommandError(
                _("%(count)d problem(s) in the file; nothing was imported.") % {"count": report.errors_total}
            )
        verb = _("would be appointed") if dry_run else _("appointed")
        self.stdout.write(
            _("%(rows)d rows: %(appointed)d %(verb)s (%(new)d new people), %(unchanged)d already held their post.")
            % {
                "rows": report.rows_total,
                "appointed": report.appointed,
                "verb": verb,
                "new": report.people_new,
                "unchanged": report.unchanged,
            }
        )
