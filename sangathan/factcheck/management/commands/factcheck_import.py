"""``sangathan factcheck-import FILE``: import published fact-checks from an archive of schema.org
ClaimReviews: a JSON-LD document (or a web page holding ClaimReview JSON-LD), the Google Fact Check Tools
API's JSON (``claims[].claimReview[]``) or CSV (``url,claim_reviewed,language,rating,author,date_published``,
optionally ``claimant,appearance``).

Each review is known by its URL: importing the same file again adds nothing. A bad row (no URL, no text, a
bad date or link) is reported on stderr by its number and nothing is imported (exit status 1).
``sangathan/factcheck/claimreview.py`` reads the formats, ``importing.py`` stores them.
"""

from sangathan.factcheck.importing import claims_import
from sangathan.factcheck.management.csvfile import CsvFileCommand


class Command(CsvFileCommand):
    help = (
        "Import published fact-checks from ClaimReview JSON-LD, Google Fact Check Tools JSON or CSV. "
        "Idempotent by the review's URL; a file with any bad row imports nothing and exits with status 1."
    )

    file_help = "JSON-LD, HTML, Fact Check Tools JSON or CSV file (UTF-8)."

    def handle_file(self, path, content, options):
        result = claims_import(content=content, file_name=str(path), by=None)
        if result.errors:
            self.refuse(
                [f"row {number}: {message}" if number else message for number, message in result.errors],
                nothing_done="%(count)d problem(s) in the file; nothing was imported.",
            )
        self.stdout.write(
            f"{path.name}: {len(result.archive.rows)} reviews; {result.new} new, {result.known} already present."
        )
