"""``sangathan import_channels FILE --root <unit id or code> [--user NAME] [--dry-run]``: register channels from a sheet."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sangathan.channels.importing import ImportReport, import_channels
from sangathan.org.cli import unit_from_argument


class Command(BaseCommand):
    help = (
        "Register or update units' WhatsApp groups, broadcast lists and other channels from a CSV or Excel file "
        "under --root. All rows or none: a file with any bad row changes nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or .xlsx file; see sangathan/channels/importing.py for headers.")
        parser.add_argument("--root", required=True, help="Id or short code (e.g. RJ) of the unit to import under.")
        parser.add_argument(
            "--user", help="Import as this user (their scope is checked and admins are looked up among their people)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, root, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        unit = unit_from_argument(root)
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("No user %(name)s.") % {"name": user})
        report = import_channels(file=path, root=unit, by=by, dry_run=dry_run)
        self._print(report)
        if not report.ok:
            raise CommandError(
                _("%(count)d problem(s) in the file; nothing was imported.") % {"count": report.errors_total}
            )

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(
            _("Channels under %(root)s: %(rows)d rows — %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "root": report.root.display_name,
                "rows": report.rows_total,
                "new": report.new_total,
                "updated": report.updated_total,
                "unchanged": report.unchanged_total,
            }
        )
        if report.dry_run and report.ok:
            out.write(_("Dry run: nothing was written."))
        for warning in report.warnings:
            out.write(f"  {_('row')} {warning.row or '-'}: {warning.message}")
        for error in report.errors:
            where = f"{_('row')} {error.row}" if error.row else _("file")
            column = f" [{error.column}]" if error.column else ""
            self.stderr.write(f"  {where}{column}: {error.message}")
        if report.errors_total > len(report.errors):
            self.stderr.write(_("… and %(count)d more.") % {"count": report.errors_total - len(report.errors)})
