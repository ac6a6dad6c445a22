"""What the fact-check desk's CSV commands share: one file named on the command line, read as bytes
(``loading.py`` decodes it, byte-order mark or not), its bad rows reported on stderr by row number and
nothing done, and output in English whatever LANGUAGE_CODE says (issue 14: programs read it)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


class CsvFileCommand(BaseCommand):
    file_help = ""  # the FILE argument's help

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)

    def handle(self, *args, file, **options):
        # The output is a contract read by programs (issue 14): always in English, whatever LANGUAGE_CODE says.
        with translation.override("en"):
            path = Path(file)
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": file})
            self.handle_file(path, path.read_bytes(), options)

    def handle_file(self, path: Path, content: bytes, options) -> None:
        raise NotImplementedError

    def refuse(self, errors: list, *, nothing_done: str, most_shown: int | None = None) -> None:
        """Report each bad row on stderr (the first ``most_shown`` of them, then how many more) and stop with
        exit status 1; ``nothing_done`` is the last line, with ``%(count)d`` for the number of problems."""
        shown = errors if most_shown is None else errors[:most_shown]
        for error in shown:
            self.stderr.write(str(error))
        if len(errors) > len(shown):
            self.stderr.write(_("… and %(n)d more problems.") % {"n": len(errors) - len(shown)})
        raise CommandError(nothing_done % {"count": len(errors)}, returncode=1)
