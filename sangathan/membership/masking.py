"""How a member's personal fields are stored in the audit trail: EPIC numbers as RJX•••••67, mobile
numbers and ages as ``org.masking.mask_value`` does for everyone else (the audit registry's callable)."""

import re

from sangathan.org.masking import DOT, mask_value

EPIC_RE = re.compile(r"\b[A-Z]{3}[0-9]{7}\b")


def mask_epic(epic: str) -> str:
    """RJX1234567 → RJX•••••67: tells two cards apart, not enough to use one."""
    return f"{epic[:3]}{DOT * 5}{epic[-2:]}" if epic else ""


def mask_member_value(text: str) -> str:
    return mask_value(EPIC_RE.sub(lambda m: mask_epic(m.group(0)), text))
