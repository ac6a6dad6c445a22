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

from django.utils.translation import gettext as _
from tqdm import tqdm

from sangathan.factcheck import matching
from sangathan.factcheck.loading import read_tips
from sangathan.factcheck.management.csvfile import CsvFileCommand

CHUNK = 1000  # tips matched per call: the bar moves, the sparse products stay large enough to be fast


class Command(CsvFileCommand):
    help = (
        "Match the tips of a CSV file (header id,text) against the loaded claims; print one JSON object per tip "
        '({"id", "claim", "score", "tier"}) per line on stdout.'
    )

    file_help = "CSV file, UTF-8, header id,text (other columns are ignored)."

    def handle_file(self, path, content, options):
        tips, errors = read_tips(content)
        if errors:
            self.refuse(errors, nothing_done=_("%(count)d problem(s) in the file; nothing was matched."))
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
