"""``sangathan controlroom-report --unit CODE --day YYYY-MM-DD [--weekly] --out DIR``: make a unit's daily (or
weekly) control-room report, archive it like the scheduled one, and write its PDF and XLSX into DIR."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sangathan.controlroom import reports
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import StateReport
from sangathan.org.cli import unit_from_argument


class Command(BaseCommand):
    help = "Make a unit's daily or weekly control-room report and write its PDF and XLSX into a directory."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="The unit's short code (e.g. RJ) or id.")
        parser.add_argument("--day", required=True, help="The day (YYYY-MM-DD); for --weekly, the week's last day.")
        parser.add_argument("--weekly", action="store_true", help="The weekly report of the seven days ending --day.")
        parser.add_argument("--out", required=True, help="The directory to write the two files into.")

    def handle(self, *args, unit, day, weekly, out, **options):
        try:
            when = datetime.date.fromisoformat(day)
        except ValueError:
            raise CommandError(_("--day must be a date like 2026-06-01.")) from None
        directory = Path(out)
        if directory.exists() and not directory.is_dir():
            raise CommandError(_("%(path)s is not a directory.") % {"path": out})
        found = unit_from_argument(unit)
        kind = StateReport.Kind.WEEKLY if weekly else StateReport.Kind.DAILY
        try:
            report = reports.report_make(unit=found, kind=kind, day=when)
        except ControlRoomError as error:
            raise CommandError(" ".join(error.messages)) from None
        directory.mkdir(parents=True, exist_ok=True)
        stem = reports.file_stem(report)
        for field, suffix in ((report.pdf, "pdf"), (report.xlsx, "xlsx")):
            target = directory / f"{stem}.{suffix}"
            with field.open("rb") as source:
                target.write_bytes(source.read())
            self.stdout.write(str(target))
