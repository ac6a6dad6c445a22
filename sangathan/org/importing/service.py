"""The service: ``import_units`` (check the file, match it against the tree, write all rows or none) and
``root_from_file`` (which state a file is about, for the upload page)."""

import contextlib
import logging
import time

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sangathan.core.importing import name_key
from sangathan.core.spreadsheets import SpreadsheetError, cell_text, header_key, read_table
from sangathan.org import coverage
from sangathan.org.importing.columns import HEADERS, NAME, unit_names
from sangathan.org.importing.report import ImportReport
from sangathan.org.importing.resolver import Resolver
from sangathan.org.importing.rows import Progress, parse, unit_import_limits
from sangathan.org.importing.writer import write_units
from sangathan.org.models import Level, Unit

logger = logging.getLogger("sangathan.org.importing")


def import_units(*, file, root: Unit, by=None, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Add the units a CSV/XLSX file describes under ``root``: all rows or none.

    ``file`` is a path or a file object (an upload). With ``dry_run`` nothing is written and the
    report says what would happen. ``progress(stage, done, total)`` is called now and then.
    """
    started = time.monotonic()
    levels = {level.code: level for level in Level.objects.all()}
    report = ImportReport(root=root, dry_run=dry_run, level_objects={level.id: level for level in levels.values()})
    try:
        rows = parse(file=file, root=root, levels=levels, report=report, progress=progress)
    except SpreadsheetError as problem:
        report.add_error(problem.row, "", str(problem))
        rows = None
    if rows is None:  # the file or its header is unusable: the rows cannot be checked
        report.seconds = time.monotonic() - started
        return report
    try:
        with contextlib.nullcontext() if dry_run else transaction.atomic():
            if not dry_run:
                # Structural writes under the root are serialised (a no-op on SQLite, whose IMMEDIATE
                # transaction already holds the database's write lock).
                root = Unit.objects.select_for_update(of=("self",)).select_related("level").get(pk=root.pk)
                report.root = root
            resolver = Resolver(root=root, levels=levels, report=report)
            resolver.load()
            for done, (row_no, steps) in enumerate(rows, start=1):
                resolver.resolve(row_no, steps)
                if progress and (done % 2000 == 0 or done == len(rows)):
                    progress("check", done, len(rows))
            if report.errors_total or dry_run or not resolver.new:
                report.errors.sort(key=lambda error: error.row or 0)
                report.seconds = time.monotonic() - started
                return report
            write_units(resolver, progress)
            coverage.rebuild(root, progress=(lambda i, n: progress("count", i, n)) if progress else None)
            report.imported = True
    except IntegrityError:
        report.new.clear()
        report.imported = False
        report.add_error(
            None, "", _("The unit tree changed while the file was being imported. Nothing was imported; try again.")
        )
    report.seconds = time.monotonic() - started
    if report.imported:
        logger.info(
            "unit import under %s by %s: %d new units from %d rows in %.1f s",
            root.pk,
            getattr(by, "pk", None),
            report.new_total,
            report.rows_total,
            report.seconds,
        )
    return report


def root_from_file(*, file) -> Unit | None:
    """The state a file is about, when its state column names exactly one existing state; else None."""
    try:
        table = read_table(file, unit_import_limits())
        header, raw_rows = table.header, table.rows
    except SpreadsheetError:
        return None
    index = next((i for i, text in enumerate(header) if HEADERS.get(header_key(text)) == ("state", NAME)), None)
    if index is None:
        return None
    values = set()
    with contextlib.suppress(SpreadsheetError):
        for _row_no, cells in raw_rows:
            if index < len(cells) and cell_text(cells[index]):
                values.add(name_key(cell_text(cells[index])))
            if len(values) > 1:
                return None
    if len(values) != 1:
        return None
    value = values.pop()
    matches = [
        unit for unit in Unit.objects.filter(level__code="state").select_related("level") if value in unit_names(unit)
    ]
    return matches[0] if len(matches) == 1 else None
