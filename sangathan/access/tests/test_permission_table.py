"""docs/security.md's role × action table says what ``ROLE_ACTIONS`` enforces: a change to one without the
other fails here."""

import re
from pathlib import Path

from django.utils import translation

from sangathan.access.models import Role
from sangathan.access.permissions import ACTIONS, ROLE_ACTIONS

SECURITY_MD = Path(__file__).resolve().parents[3] / "docs" / "security.md"


def _table() -> tuple[list[str], dict[str, list[str]]]:
    lines = [line for line in SECURITY_MD.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = next(line for line in lines if line.startswith("| action \\ role"))
    roles = [cell.strip() for cell in header.strip("|").split("|")[1:]]
    rows = {}
    for line in lines:
        found = re.search(r"\(`([a-z_]+)`\)", line)
        if found:
            rows[found.group(1)] = [cell.strip() for cell in line.strip("|").split("|")[1:]]
    return roles, rows


def test_the_documented_matrix_is_the_enforced_one():
    roles, rows = _table()
    with translation.override("en"):
        labels = {str(Role(role).label): role for role in ROLE_ACTIONS}
    assert sorted(roles) == sorted(labels), "one column per role of ROLE_ACTIONS"
    assert sorted(rows) == sorted(ACTIONS), "one row per action"
    for action, cells in rows.items():
        for label, cell in zip(roles, cells, strict=True):
            granted = action in ROLE_ACTIONS[labels[label]]
            assert cell == ("✓" if granted else "—"), f"{action} for {label}: the table says {cell}"
