"""The membership counters when a unit moves (``org.hooks``: ``unit_moving`` / ``unit_moved``, in
``org.services.unit_move``'s transaction): a unit's counter row holds its whole subtree, so the same numbers
come off every old ancestor before the move and go onto every new ancestor after it. The unit's own row and
its subtree's rows are unchanged (their members did not move). The day rows (the growth chart) are a log
of what happened where, and are left as they were."""

from sangathan.membership import counters
from sangathan.membership.models import MemberCounter
from sangathan.org.models import Unit


def _shift(unit: Unit, sign: int) -> None:
    row = MemberCounter.objects.filter(unit_id=unit.pk).first()
    if row is None:
        return
    delta = {name: sign * getattr(row, name) for name in counters.FIELDS}
    if not any(delta.values()):
        return
    ancestors = unit.ancestor_paths(include_self=False)
    if ancestors:
        counters.upsert_chain(MemberCounter, ancestors, delta)


def unit_moving(*, unit: Unit) -> None:
    """Before the move: the subtree's members off the old ancestors."""
    _shift(unit, -1)


def unit_moved(*, unit: Unit) -> None:
    """After the move: the subtree's members onto the new ancestors."""
    _shift(unit, +1)
