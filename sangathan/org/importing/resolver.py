"""Matching every row against the tree: ``Resolver`` loads the root's subtree once into dictionaries,
finds each unit a row names (by official number, else by name in either language) and plans the new ones
with their treebeard paths (after each parent's last child). Nothing is written here (``writer``)."""

import contextlib
from dataclasses import dataclass
from typing import NoReturn

from django.utils.translation import gettext as _

from sangathan.core.importing import RowFailed, name_key
from sangathan.org.importing.columns import NAME_EN, NAME_HI, NUMBER_SCOPE, REQUIRED_LEVELS, unit_names
from sangathan.org.importing.report import ImportReport
from sangathan.org.importing.rows import Step, unit_label
from sangathan.org.models import Level, Unit
from sangathan.org.paths import subtree_q

AMBIGUOUS = 0  # a by-name entry shared by several units (unit ids start at 1, new units are negative)
MAX_STEP = len(Unit.alphabet) ** Unit.steplen - 1


@dataclass
class NewUnit:
    """A unit the file adds; ``ref`` (negative) stands for its id until the writer gives it one."""

    ref: int
    level: Level
    parent: int
    path: str
    number: int | None
    name_hi: str
    name_en: str
    station: str
    row: int
    numchild: int = 0


class Resolver:
    """Matches every row against the tree (loaded once) and plans the new units with their paths."""

    def __init__(self, *, root: Unit, levels: dict[str, Level], report: ImportReport):
        self.root = root
        self.report = report
        self.levels_by_id = {level.id: level for level in levels.values()}
        self.scope_of = {
            levels[child].id: levels[scope].id
            for child, scope in NUMBER_SCOPE.items()
            if child in levels and scope in levels
        }
        self.required = [levels[code] for code in REQUIRED_LEVELS if code in levels]
        self.path_of: dict[int, str] = {}
        self.info: dict[int, tuple[int, int | None, str, str]] = {}  # id -> (level id, number, name_hi, name_en)
        self.by_number: dict[tuple[int, int, int], int] = {}
        self.by_name: dict[tuple[int, int, str], int] = {}
        self.in_scope: dict[tuple[int, int, int], int] = {}
        self.last_child: dict[str, int] = {}
        self.mentions: dict[tuple[int, int, int], list] = {}
        self.new: list[NewUnit] = []
        self.new_by_ref: dict[int, NewUnit] = {}
        self.touched_parents: set[int] = set()
        self.existing_seen: set[int] = set()
        self.ancestors = list(
            Unit.objects.filter(path__in=root.ancestor_paths(include_self=True)).select_related("level")
        )
        self.ancestor_by_level = {unit.level_id: unit for unit in self.ancestors}

    # -- loading

    def load(self) -> None:
        root, step = self.root, Unit.steplen
        rows = (
            Unit.objects.filter(subtree_q([root.path]))
            .order_by()
            .values_list("id", "path", "parent_id", "level_id", "number", "name_hi", "name_en", "code")
        )
        scope_levels = set(self.scope_of.values())
        scope_paths: dict[str, int] = {a.path: a.id for a in self.ancestors if a.level_id in scope_levels}
        numbered: list[tuple[int, str, int, int]] = []
        for uid, path, parent_id, level_id, number, name_hi, name_en, code in rows:
            self.path_of[uid] = path
            self.info[uid] = (level_id, number, name_hi, name_en)
            if uid == root.pk:
                continue
            parent_path, position = path[:-step], Unit._str2int(path[-step:])
            if position > self.last_child.get(parent_path, 0):
                self.last_child[parent_path] = position
            if number is not None:
                self.by_number[(parent_id, level_id, number)] = uid
                if level_id in self.scope_of:
                    numbered.append((uid, path, level_id, number))
            for name in {name_hi, name_en, code}:
                if name:
                    self._register_name((parent_id, level_id, name_key(name)), uid)
            if level_id in scope_levels:
                scope_paths[path] = uid
        # Numbers in scope: the nearest unit of the scope level above each numbered unit.
        for uid, path, level_id, number in numbered:
            scope_id = self._scope_from_paths(path, scope_paths)
            if scope_id is not None:
                self.in_scope.setdefault((scope_id, level_id, number), uid)
        # A scope unit above the root (importing under a block of an AC): its numbers outside the root count too.
        for child_level_id, scope_level_id in self.scope_of.items():
            scope = self.ancestor_by_level.get(scope_level_id)
            if scope is None or scope.pk == root.pk or self.levels_by_id[child_level_id].order <= root.level.order:
                continue
            for uid, number in (
                Unit.objects.filter(subtree_q([scope.path]), level_id=child_level_id, number__isnull=False)
                .order_by()
                .values_list("id", "number")
            ):
                self.in_scope.setdefault((scope.pk, child_level_id, number), uid)

    @staticmethod
    def _scope_from_paths(path: str, scope_paths: dict[str, int]) -> int | None:
        for end in range(len(path) - Unit.steplen, 0, -Unit.steplen):
            found = scope_paths.get(path[:end])
            if found is not None:
                return found
        return None

    def _register_name(self, key: tuple[int, int, str], ref: int) -> None:
        current = self.by_name.get(key)
        self.by_name[key] = ref if current is None or current == ref else AMBIGUOUS

    # -- rows

    def resolve(self, row_no: int, steps: list[Step]) -> None:
        """Match one row; report its first problem (later levels of a bad row are not looked at)."""
        with contextlib.suppress(RowFailed):
            self._resolve_row(row_no, steps)

    def _fail(self, row_no: int, column: str, message: str) -> NoReturn:
        self.report.add_error(row_no, column, message)
        raise RowFailed

    def _resolve_row(self, row_no: int, steps: list[Step]) -> None:
        root = self.root
        below = []
        for step in steps:
            if step.level.order > root.level.order:
                below.append(step)
            else:
                self._check_ancestor(row_no, step)
        if not below:
            return
        given = {step.level.id for step in below}
        for required in self.required:
            if required.id in given or not root.level.order < required.order < below[-1].level.order:
                continue
            child = next(step for step in below if step.level.order > required.order)
            self._fail(
                row_no,
                child.column,
                _("%(unit)s needs its %(parent)s: fill in the %(parent)s column.")
                % {"unit": child.label, "parent": required.name},
            )
        chain = {unit.level_id: unit.pk for unit in self.ancestors}
        parent = root.pk
        for step in below:
            if step.number is not None:
                parent = self._resolve_numbered(row_no, step, parent, chain)
            else:
                parent = self._resolve_named(row_no, step, parent)
            chain[step.level.id] = parent

    def _check_ancestor(self, row_no: int, step: Step) -> None:
        """A column at or above the root's level must name the root or its ancestor."""
        root = self.root
        ancestor = self.ancestor_by_level.get(step.level.id)
        if ancestor is None:
            self._fail(
                row_no,
                step.column,
                _("A %(child)s cannot be placed under a %(parent)s.")
                % {"child": step.level.name, "parent": root.level.name}
                + " "
                + _("%(unit)s is not under any %(level)s; leave this column empty.")
                % {"unit": root.display_name, "level": step.level.name},
            )
        known = unit_names(ancestor)
        wrong = [n for n in step.names if name_key(n) not in known]
        if step.number is not None and step.number != ancestor.number:
            wrong.insert(0, str(step.number))
        if wrong:
            self._fail(
                row_no,
                step.column,
                _("“%(value)s” is not %(expected)s: this file is being imported under %(root)s.")
                % {"value": wrong[0], "expected": ancestor.display_name, "root": root.display_name},
            )

    def _label(self, ref: int) -> str:
        if ref < 0:
            node = self.new_by_ref[ref]
            return unit_label(node.level, node.number, node.name_hi, node.name_en)
        level_id, number, name_hi, name_en = self._info(ref)
        return unit_label(self.levels_by_id[level_id], number, name_hi, name_en)

    def _info(self, ref: int) -> tuple[int, int | None, str, str]:
        if ref not in self.info:  # a unit above the root, or outside it in the same scope: rare, on errors only
            self.info[ref] = Unit.objects.filter(pk=ref).values_list("level_id", "number", "name_hi", "name_en").get()
        return self.info[ref]

    def _number_of(self, ref: int) -> int | None:
        return self.new_by_ref[ref].number if ref < 0 else self._info(ref)[1]

    def _parent_of(self, ref: int) -> int:
        if ref < 0:
            return self.new_by_ref[ref].parent
        return Unit.objects.filter(pk=ref).values_list("parent_id", flat=True).get()

    def _by_names(self, row_no: int, step: Step, parent: int, *, strict: bool = True) -> int | None:
        """The unit under ``parent`` with one of the step's names; None if none. With ``strict``, a name
        shared by several units or two names pointing at two units is an error; otherwise just no match."""
        refs = set()
        for name in step.names:
            found = self.by_name.get((parent, step.level.id, name_key(name)))
            if found == AMBIGUOUS:
                if not strict:
                    return None
                self._fail(
                    row_no,
                    step.column,
                    _("There are several %(level)s units called “%(name)s” here; give the number.")
                    % {"level": step.level.name, "name": name},
                )
            if found is not None:
                refs.add(found)
        if len(refs) > 1:
            if not strict:
                return None
            self._fail(
                row_no,
                step.column,
                _("“%(hi)s” and “%(en)s” are two different units here.") % {"hi": step.name_hi, "en": step.name_en},
            )
        return refs.pop() if refs else None

    def _resolve_named(self, row_no: int, step: Step, parent: int) -> int:
        ref = self._by_names(row_no, step, parent)
        if ref is None:
            return self._create(row_no, step, parent)
        if ref > 0:
            self._note_existing(row_no, step, ref)
            return ref
        node = self.new_by_ref[ref]
        clash = name_clash(node.name_hi, step.name_hi) or name_clash(node.name_en, step.name_en)
        if clash:
            self._fail(
                row_no,
                step.column,
                _("%(unit)s is called “%(first)s” in row %(row)d but “%(here)s” here.")
                % {"unit": step.level.name, "first": clash[0], "row": node.row, "here": clash[1]},
            )
        self._fill_names(step, node)
        return ref

    def _resolve_numbered(self, row_no: int, step: Step, parent: int, chain: dict[int, int]) -> int:
        level_id, number = step.level.id, step.number
        scope_level_id = self.scope_of.get(level_id)
        scope = chain.get(scope_level_id, parent) if scope_level_id else parent
        scope_key = (scope, level_id, number)
        unit_name = f"{step.level.name} {number}"
        first = self.mentions.get(scope_key)
        if first is None:
            self.mentions[scope_key] = [row_no, parent, step.name_hi, step.name_en]
        else:
            first_row, first_parent, first_hi, first_en = first
            if first_parent != parent:
                self._fail(
                    row_no,
                    step.column,
                    _("%(unit)s is placed under %(other)s in row %(row)d, and under %(here)s here.")
                    % {
                        "unit": unit_name,
                        "other": self._label(first_parent),
                        "row": first_row,
                        "here": self._label(parent),
                    },
                )
            clash = name_clash(first_hi, step.name_hi) or name_clash(first_en, step.name_en)
            if clash:
                self._fail(
                    row_no,
                    step.column,
                    _("%(unit)s is called “%(first)s” in row %(row)d but “%(here)s” here.")
                    % {"unit": unit_name, "first": clash[0], "row": first_row, "here": clash[1]},
                )
            first[2], first[3] = first_hi or step.name_hi, first_en or step.name_en

        ref = self.by_number.get((parent, level_id, number))
        if ref is not None:
            if ref > 0:
                self._note_existing(row_no, step, ref)
            else:
                self._fill_names(step, self.new_by_ref[ref])
            return ref
        other = self.in_scope.get(scope_key)
        if other is not None and other > 0:
            self._fail(
                row_no,
                step.column,
                _("%(unit)s already exists in %(scope)s, under %(parent)s. The number can be used only once there.")
                % {
                    "unit": self._label(other),
                    "scope": self._label(scope),
                    "parent": self._label(self._parent_of(other)),
                },
            )
        # The same unit without a number yet (an earlier row named it, or it was created by hand)?
        named = self._by_names(row_no, step, parent, strict=False)
        if named is not None and self._number_of(named) is None:
            if named < 0:
                node = self.new_by_ref[named]
                node.number = number
                self.by_number[(parent, level_id, number)] = named
                self._fill_names(step, node)
            else:
                self._note_existing(row_no, step, named)
                self.report.add_warning(
                    row_no,
                    step.column,
                    _("%(unit)s is already there without a number; the number %(number)d was not added.")
                    % {"unit": self._label(named), "number": number},
                )
            self.in_scope[scope_key] = named
            return named
        ref = self._create(row_no, step, parent)
        self.in_scope[scope_key] = ref
        return ref

    def _fill_names(self, step: Step, node: NewUnit) -> None:
        """A later row may give a new unit's name in the other language."""
        for slot in (NAME_HI, NAME_EN):
            value = getattr(step, slot)
            if value and not getattr(node, slot):
                setattr(node, slot, value)
                self._register_name((node.parent, node.level.id, name_key(value)), node.ref)

    def _note_existing(self, row_no: int, step: Step, ref: int) -> None:
        if ref not in self.existing_seen:
            self.existing_seen.add(ref)
            self.report.existing[step.level.id] += 1
        _level_id, _number, name_hi, name_en = self.info[ref]
        clash = name_clash(name_hi, step.name_hi) or name_clash(name_en, step.name_en)
        if clash:
            self.report.add_warning(
                row_no,
                step.column,
                _("%(unit)s is already there as “%(current)s”; its name was not changed to “%(file)s”.")
                % {"unit": step.level.name, "current": clash[0], "file": clash[1]},
            )

    def _create(self, row_no: int, step: Step, parent: int) -> int:
        if not step.names:
            self._fail(row_no, step.column, _("%(unit)s is new: give its name.") % {"unit": step.label})
        parent_path = self.path_of[parent] if parent > 0 else self.new_by_ref[parent].path
        position = self.last_child.get(parent_path, 0) + 1
        if position > MAX_STEP:
            self._fail(row_no, step.column, _("%(unit)s cannot hold more units.") % {"unit": self._label(parent)})
        self.last_child[parent_path] = position
        ref = -(len(self.new) + 1)
        node = NewUnit(
            ref=ref,
            level=step.level,
            parent=parent,
            path=parent_path + Unit._int2str(position).rjust(Unit.steplen, "0"),
            number=step.number,
            name_hi=step.name_hi,
            name_en=step.name_en,
            station=step.station,
            row=row_no,
        )
        self.new.append(node)
        self.new_by_ref[ref] = node
        if parent < 0:
            self.new_by_ref[parent].numchild += 1
        else:
            self.touched_parents.add(parent)
        if step.number is not None:
            self.by_number[(parent, step.level.id, step.number)] = ref
        for name in step.names:
            self._register_name((parent, step.level.id, name_key(name)), ref)
        self.report.new[step.level.id] += 1
        return ref


def name_clash(known: str, given: str) -> tuple[str, str] | None:
    if known and given and name_key(known) != name_key(given):
        return known, given
    return None
