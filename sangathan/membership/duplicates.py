"""Likely duplicates: two members with the same name at the same booth, told apart only by a relative's
name where both forms give one. They are put on a queue (``DuplicateCase``) when the later one is written
(one index look-up on (unit, folded name)); a reviewer merges them or keeps both, and either is audited.

Names are compared folded (``name_key``): Unicode NFKC, case-folded, dots, commas and hyphens as spaces,
runs of spaces as one, the Devanagari nukta dropped and chandrabindu read as anusvara, so "Ram  Kumar" and
"ram kumar." are one name. Initials are not expanded and Hindi and English spellings of one name are not
matched: a wrong merge takes a real member off, so the queue asks rather than guesses. The decisions are
in ``membership.merging``.
"""

import datetime
import unicodedata

from django.utils import timezone

from sangathan.membership.models import DuplicateCase, Member

NUKTA = "\u093c"
CHANDRABINDU, ANUSVARA = "\u0901", "\u0902"
SEPARATORS = str.maketrans({".": " ", ",": " ", "-": " ", "'": "", "’": ""})


def name_key(name: str) -> str:
    """``name`` folded for comparison."""
    text = unicodedata.normalize("NFKC", name or "").casefold().translate(SEPARATORS)
    text = text.replace(NUKTA, "").replace(CHANDRABINDU, ANUSVARA)
    return " ".join(text.split())


def _same_relative(a: str, b: str) -> bool:
    """Relatives' names tell two people apart only if both forms give one."""
    return not a or not b or name_key(a) == name_key(b)


def detect(member: Member, *, at: datetime.datetime | None = None) -> list[DuplicateCase]:
    """Queue ``member`` against the members with its folded name at its unit (not revoked). Call in the
    writer's transaction, after the row is saved with its ``name_key``."""
    if not member.name_key:
        return []
    others = (
        Member.objects.filter(unit_id=member.unit_id, name_key=member.name_key)
        .exclude(pk=member.pk)
        .exclude(status=Member.Status.REVOKED)
        .values_list("pk", "relative_name")
    )
    found = [pk for pk, relative in others if _same_relative(member.relative_name, relative)]
    if not found:
        return []
    cases = [
        DuplicateCase(member=member, other_id=pk, unit_id=member.unit_id, created_at=at or timezone.now())
        for pk in found
    ]
    return DuplicateCase.objects.bulk_create(cases, ignore_conflicts=True)
