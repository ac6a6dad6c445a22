"""What a unit import found and did: ``ImportReport``, kept as a digest on the job between the worker and
the pages."""

from collections import Counter
from dataclasses import dataclass, field

from sangathan.core.importing import SheetReport
from sangathan.org.models import Level, Unit

MAX_ERRORS_LISTED = 500
MAX_WARNINGS_LISTED = 100


@dataclass
class LevelCount:
    level: Level
    new: int
    existing: int


@dataclass
class ImportReport(SheetReport):
    """What an import found and did. ``imported`` is True only when units were written."""

    max_errors = MAX_ERRORS_LISTED
    max_warnings = MAX_WARNINGS_LISTED

    root: Unit
    dry_run: bool
    new: Counter = field(default_factory=Counter)  # level id -> units the file adds
    existing: Counter = field(default_factory=Counter)  # level id -> units the file names that are already there
    level_objects: dict[int, Level] = field(default_factory=dict, repr=False)

    @property
    def new_total(self) -> int:
        return sum(self.new.values())

    @property
    def existing_total(self) -> int:
        return sum(self.existing.values())

    @property
    def levels(self) -> list[LevelCount]:
        """New and already-present units per level, top level first."""
        ids = [i for i in set(self.new) | set(self.existing) if i in self.level_objects]
        rows = [LevelCount(self.level_objects[i], self.new[i], self.existing[i]) for i in ids]
        return sorted(rows, key=lambda row: row.level.order)

    def summary(self) -> dict:
        """A JSON-safe digest (for the session between the import and the page showing it)."""
        return {
            "root": self.root.pk,
            "rows": self.rows_total,
            "levels": [[row.level.pk, row.new, row.existing] for row in self.levels],
            "seconds": round(self.seconds, 1),
        }

    def digest(self) -> dict:
        """Everything the preview shows, JSON-safe (kept on the job between the worker and the page)."""
        return {**self.summary(), **self.problems_digest()}

    @classmethod
    def from_digest(cls, *, root: Unit, data: dict, dry_run: bool = True) -> "ImportReport":
        report = cls(root=root, dry_run=dry_run, level_objects=Level.objects.in_bulk())
        report.load_digest(data)
        for level_id, new, existing in data.get("levels", []):
            report.new[level_id], report.existing[level_id] = new, existing
        return report
