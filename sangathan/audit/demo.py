"""Demo: the demo state's writes are already in the trail (as "system": no one was signed in); this adds
what an admin's day looks like — one reveal of a person's number, by the state admin."""

from sangathan.audit.models import AuditEntry
from sangathan.audit.services import audit_reveal
from sangathan.org.models import Person, Unit
from sangathan.org.paths import subtree_q


def demo_audit(*, state: Unit, by, stdout=None) -> int:
    """Record one reveal by ``by`` of a person living in ``state``. Returns the number of entries in the
    state's trail. Safe to run twice (the reveal is recorded once)."""
    person = Person.objects.filter(subtree_q([state.path], "home_unit__path")).order_by("pk").first()
    already = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, actor=by).exists()
    if person is not None and not already:
        audit_reveal(obj=person, field="mobile", by=by)
    total = AuditEntry.objects.filter(subtree_q([state.path], "unit_path")).count()
    if stdout is not None:
        stdout.write(f"Audit trail: {total} entries in {state}; see /audit/ as an admin.")
    return total
