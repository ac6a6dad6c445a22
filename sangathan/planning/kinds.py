"""The kinds of milestone a plan can hold: planning's own three and those higher apps register.

``appointed``, ``trained`` and ``channels`` are planning's (``models.Kind``) and have columns of their own in
``UnitProgress``. An app above planning (membership's "members" target) adds a kind here from its
``AppConfig.ready`` with its label and its *measure*: an SQL condition on ``u`` (the unit row in the progress
refresh's statements) that is true when the unit meets the milestone, read from that app's counters (never
a per-unit count of its rows). The refresh evaluates it once per (plan, level) over every unit at once
(``progress``), keeps the units that meet it in ``UnitKindMet`` and rolls them up into ``KindCounter``, so the
plan's pages, the snapshot, the late list and the digest read registered kinds like the built-in ones.

The database lists the codes it accepts (``DATABASE_KINDS``, the check constraint ``milestone_kind_known``):
a registered code must be listed there too (the system check ``planning.E001`` says so at start-up), and
adding one is a planning migration. The code becomes a column alias in the refresh's SQL, so it is a short
lower-case word (``CODE``).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core import checks
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CODE = re.compile(r"^[a-z][a-z_]{0,11}$")  # Milestone.kind is 12 characters


class Kind(models.TextChoices):
    APPOINTED = "appointed", _("appointed")
    TRAINED = "trained", _("trained")
    CHANNELS = "channels", _("channels registered")


KIND_ORDER: dict[str, int] = {Kind.APPOINTED: 0, Kind.TRAINED: 1, Kind.CHANNELS: 2}

# The codes the database accepts in ``Milestone.kind`` and ``PlanSnapshot.kind`` (the check constraint
# ``milestone_kind_known``): planning's own and those registered from above. Only the code is written here:
# planning does not import the app that measures it (membership registers "members" from its ``ready``).
DATABASE_KINDS = (*KIND_ORDER, "members")


@dataclass(frozen=True)
class MilestoneKind:
    """A kind of milestone added by a higher app.

    ``condition(milestone)`` returns ``(sql, params)``: SQL on ``u`` (a row of ``org_unit``) true when the
    unit meets ``milestone``; set-based, from counters. ``colour``/``dash`` draw its line on the chart.
    """

    code: str
    label: str | Promise
    condition: Callable[..., tuple[str, list]]
    colour: str = "#6a3d9a"
    dash: str = "2 3"


_registered: dict[str, MilestoneKind] = {}


def register(kind: MilestoneKind) -> MilestoneKind:
    """Add ``kind`` (registering the same code again replaces it: ``ready`` may run twice in tests)."""
    if not CODE.match(kind.code) or kind.code in KIND_ORDER:
        raise ValueError(f"A milestone kind needs a new short lower-case code, not {kind.code!r}.")
    _registered[kind.code] = kind
    return kind


def registered() -> list[MilestoneKind]:
    """The registered kinds, in the order they were registered."""
    return list(_registered.values())


def get(code: str) -> MilestoneKind | None:
    return _registered.get(code)


def is_builtin(code: str) -> bool:
    return code in KIND_ORDER


def label(code: str) -> str | Promise:
    """What the pages call a kind (its code when nothing knows it: a kind whose app was removed)."""
    if code in KIND_ORDER:
        return Kind(code).label
    kind = _registered.get(code)
    return kind.label if kind is not None else code


def order(code: str) -> int:
    """Where a kind sorts: the built-in ones first, then the registered ones as registered."""
    if code in KIND_ORDER:
        return KIND_ORDER[code]
    codes = list(_registered)
    return len(KIND_ORDER) + (codes.index(code) if code in codes else len(codes))


def choices() -> list[tuple[str, str | Promise]]:
    """Every kind with its label (``Milestone.kind``'s choices: a callable, so registering needs no migration)."""
    return [*Kind.choices, *((kind.code, kind.label) for kind in _registered.values())]


def addable() -> list[tuple[str, str | Promise]]:
    """The kinds a plan's page can add a deadline of: appointed, trained and every registered kind (channels
    need platforms, which the template sets)."""
    return [
        (Kind.APPOINTED.value, Kind.APPOINTED.label),
        (Kind.TRAINED.value, Kind.TRAINED.label),
        *((kind.code, kind.label) for kind in _registered.values()),
    ]


@checks.register()
def check_registered_kinds_are_in_the_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"Milestone kind {code!r} is registered but not in planning's DATABASE_KINDS.",
            hint="Add it to DATABASE_KINDS and make a planning migration for the constraint milestone_kind_known.",
            id="planning.E001",
        )
        for code in _registered
        if code not in DATABASE_KINDS
    ]
