"""Subtree filters on materialised paths that use a plain B-tree index on every database.

``path LIKE 'P%'`` needs a special index on PostgreSQL and a case-sensitive LIKE on SQLite;
a half-open range ``P <= path < next(P)`` uses the ordinary unique index on both. Paths are
made of fixed-width steps over [0-9A-Z] (treebeard's alphabet), whose order is the same under
every collation, so the range holds exactly the subtree.

They live in ``core`` so that the scope rules (``sangathan.access.scoping``) and the models of every
app can use them without importing ``org``.
"""

from collections.abc import Iterable

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4  # characters per level of ``org.Unit``'s path (its treebeard ``steplen``): a root's path is this long


def path_upper_bound(path: str) -> str | None:
    """The smallest path that sorts after every path starting with ``path``; None if unbounded."""
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        position = ALPHABET.index(chars[i])
        if position + 1 < len(ALPHABET):
            chars[i] = ALPHABET[position + 1]
            return "".join(chars[: i + 1])
    return None


def subtree_q(paths: Iterable[str], field: str = "path") -> Q:
    """A Q matching rows whose ``field`` lies in any of the subtrees rooted at ``paths``."""
    query = Q(pk__in=[])
    for path in outermost_paths(paths):
        upper = path_upper_bound(path)
        condition = Q(**{f"{field}__gte": path})
        if upper is not None:
            condition &= Q(**{f"{field}__lt": upper})
        query |= condition
    return query


def outermost_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the list: their subtree is already covered."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def ancestor_prefixes(paths: Iterable[str], steplen: int = STEPLEN) -> list[str]:
    """Every ancestor-or-self path of each path: the units a user inside those subtrees belongs under."""
    prefixes: set[str] = set()
    for path in paths:
        prefixes.update(path[:i] for i in range(steplen, len(path) + 1, steplen))
    return sorted(prefixes)
