"""``sangathan factcheck-load FILE``: load fact-checked claims from a CSV file (``id,lang,text``).

The contract (issue 14; acceptance checks use it): UTF-8 with or without a byte-order mark; rows sharing
an ``id`` are one claim in several languages; loading the same file again changes nothing and reports
"0 new"; a bad row (missing id or text, unknown language, the same (id, language) twice, an over-long
text, bytes that are not UTF-8) is reported on stderr by its row number and nothing is loaded (exit
status 1). ``sangathan/factcheck/loading.py`` has the rules.
"""

import hashlib

from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from sangathan.factcheck.loading import read_claims
from sangathan.factcheck.management.csvfile import CsvFileCommand
from sangathan.factcheck.services import claims_load

MAX_ERRORS_SHOWN = 1000


class Command(CsvFileCommand):
    help = (
        "Load fact-checked claims from a CSV file with the header id,lang,text (lang: hi, en or hi-Latn). "
        "All rows or none: a file with any bad row changes nothing and exits with status 1."
    )

    file_help = "CSV file, UTF-8, header id,lang,text."

    def handle_file(self, path, content, options):
        rows, errors = read_claims(content)
        if errors:
            self.refuse(
                errors,
                nothing_done=_("%(count)d problem(s) in the file; nothing was loaded."),
                most_shown=MAX_ERRORS_SHOWN,
            )
        try:
            result = claims_load(rows=rows, file_name=str(path), digest=hashlib.sha256(content).hexdigest(), by=None)
        except IntegrityError as error:  # another load of the same claims at the same moment
            raise CommandError(
                _("The claims changed while loading (%(error)s); nothing was loaded. Run it again.") % {"error": error}
            ) from error
        self.stdout.write(
            _(
                "%(file)s: %(rows)d rows; %(new)d new claims, %(texts)d new texts, %(changed)d texts changed, "
                "%(same)d already present."
            )
            % {
                "file": path.name,
                "rows": len(rows),
                "new": result.claims_new,
                "texts": result.texts_new,
                "changed": result.texts_changed,
                "same": result.texts_unchanged,
            }
        )
        if not result.changed:
            self.stdout.write(_("0 new: everything in the file is already loaded."))
