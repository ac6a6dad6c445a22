"""``sangathan import-units FILE [--root <unit id or code>] [--dry-run]``: add units from a CSV or XLSX file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from sangathan.org import firstrun
from sangathan.org.cli import unit_from_argument
from sangathan.org.importing import ImportReport, import_units, root_from_file
from sangathan.org.models import Unit


class Command(BaseCommand):
    help = (
        "Import units (districts, assembly constituencies, blocks, mandals, booths ...) from a CSV or Excel "
        "file under --root. All rows or none: a file with any bad row changes nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV (UTF-8) or .xlsx file; see sangathan/org/importing/__init__.py for the headers."
        )
        parser.add_argument(
            "--root",
            help="Id or short code (e.g. RJ) of the unit to import under. Default: the state the file names.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, root, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        if root is None and firstrun.is_fresh():
            # A fresh installation: the national unit and the file's state are made first, in the same
            # transaction as the import, so a refused file (or a dry run) leaves the database empty.
            with transaction.atomic():
                unit = firstrun.root_for_fresh_install(file=path)
                if unit is None:
                    raise CommandError(
                        _(
                            "This installation has no units yet and the file does not name one state. Add a "
                            "state column, or run `sangathan setup` first."
                        )
                    )
                self.stdout.write(
                    _("No units yet: made %(national)s and %(state)s.")
                    % {"national": unit.parent.display_name, "state": unit.display_name}
                )
                report = self._import(path, unit, dry_run, options)
                if dry_run or not report.ok:
                    transaction.set_rollback(True)
            self._finish(report)
            return
        unit = self._root(root, path)
        self._finish(self._import(path, unit, dry_run, options))

    def _import(self, path: Path, unit: Unit, dry_run: bool, options) -> ImportReport:
        stages = {
            "read": (_("Reading the file"), " rows"),
            "check": (_("Checking rows"), " rows"),
            "write": (_("Writing units"), " units"),
            "count": (_("Recounting coverage"), " levels"),
        }
        with tqdm(total=0, disable=options["verbosity"] == 0, leave=False) as bar:

            def progress(stage: str, done: int, total: int) -> None:
                label, unit_name = stages.get(stage, (stage, ""))
                bar.set_description(label, refresh=False)
                bar.unit, bar.total, bar.n = unit_name, total or None, done
                bar.refresh()

            return import_units(file=path, root=unit, by=None, dry_run=dry_run, progress=progress)

    def _finish(self, report: ImportReport) -> None:
        self._print(report)
        if not report.ok:
            raise CommandError(
                _("%(count)d problem(s) in the file; nothing was imported.") % {"count": report.errors_total}
            )

    def _root(self, value: str | None, path: Path) -> Unit:
        if value is None:
            found = root_from_file(file=path)
            if found is None:
                raise CommandError(
                    _("Could not tell from the file which state it is for. Give --root <unit id or code>.")
                )
            return found
        return unit_from_argument(value)

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(
            _("Import under %(root)s: %(rows)s rows, %(seconds).1f s.")
            % {"root": report.root.display_name, "rows": f"{report.rows_total:,}", "seconds": report.seconds}
        )
        if report.levels:
            headers = (_("Level"), _("New"), _("Already present"))
            rows = [(row.level.name, row.new, row.existing) for row in report.levels]
            rows.append((_("Total"), report.new_total, report.existing_total))
            width = max(len(str(name)) for name, _new, _existing in [headers, *rows])
            out.write(f"{headers[0]:<{width}}  {headers[1]:>8}  {headers[2]:>16}")
            for name, new, existing in rows:
                out.write(f"{name!s:<{width}}  {new:>8,}  {existing:>16,}")
        for warning in report.warnings:
            out.write(self.style.WARNING(self._line(warning)))
        if report.warnings_total > len(report.warnings):
            out.write(
                self.style.WARNING(_("… and %(n)d more notes.") % {"n": report.warnings_total - len(report.warnings)})
            )
        for error in report.errors:
            self.stderr.write(self._line(error))
        if report.errors_total > len(report.errors):
            self.stderr.write(_("… and %(n)d more problems.") % {"n": report.errors_total - len(report.errors)})
        if report.ok:
            if report.dry_run:
                out.write(self.style.SUCCESS(_("Dry run: the file is fine; nothing was written.")))
            elif report.imported:
                out.write(self.style.SUCCESS(_("Imported %(n)s new units.") % {"n": f"{report.new_total:,}"}))
            else:
                out.write(self.style.SUCCESS(_("Everything in the file is already present; nothing to import.")))

    @staticmethod
    def _line(item) -> str:
        row = _("row %(row)d") % {"row": item.row} if item.row else _("file")
        column = f" [{item.column}]" if item.column else ""
        return f"{row}{column}: {item.message}"
