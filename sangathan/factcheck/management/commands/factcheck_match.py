"""``sangathan factcheck-match FILE``: the best known claim for each tip of a CSV file (``id,text``).

The contract (issue 14; acceptance checks use it): other columns are ignored; one JSON object per tip,
one per line, on stdout and nothing else there::

    {"id": "<tip id>", "claim": "<id of the best claim or null>", "score": <0..1>, "tier": "auto" | "suggest" | "none"}

with the desk's matcher and thresholds (``sangathan.factcheck.matching``). ``claim`` names the nearest
claim whatever the tier (null only when no claim shares anything with the tip); ``tier`` says whether the
desk would link it by itself (auto), offer it (suggest) or neither. Progress goes to stderr, with a bar
when stderr is a terminal.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from sangathan.factcheck import matching
from sangathan.factcheck.loading import read_tips

CHUNK = 1000  # tips matched per call: the bar moves, the sparse products stay large enough to be fast


class Command(BaseCommand):
    help = (
        "Match the tips of a CSV file (header id,text) against the loaded claims; print one JSON object per tip "
        '({"id", "claim", "score", "tier"}) per line on stdout.'
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, header id,text (other columns are ignored).")

    def handle(self, *args, file, **options):
        # The output is a contract read by programs (issue 14): always in English, whatever LANGUAGE_CODE says.
        with translation.override("en"):
            self._handle(file, options)

    def _handle(self, file, options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        tips, errors = read_tips(path.read_bytes())
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)d problem(s) in the file; nothing was matched.") % {"count": len(errors)})
        quiet = options["verbosity"] == 0
        if not quiet:
            self.stderr.write(_("Reading the claims…"))
        index = matching.sync()
        if not quiet:
            self.stderr.write(
                _("%(claims)d claims (%(texts)d texts); matching %(tips)d tips.")
                % {"claims": index.claim_count, "texts": len(index), "tips": len(tips)}
            )
        with tqdm(total=len(tips), unit=" tips", file=sys.stderr, disable=quiet or not sys.stderr.isatty()) as bar:
            for start in range(0, len(tips), CHUNK):
                chunk = tips[start : start + CHUNK]
                for tip, match in zip(chunk, matching.match_many([tip.text for tip in chunk]), strict=True):
                    record = {"id": tip.tip_id, "claim": match.claim_id, "score": match.score, "tier": match.tier}
                    self.stdout.write(json.dumps(record, ensure_ascii=False))
                bar.update(len(chunk))
