"""The path helpers moved to ``sangathan.core.paths`` (the scope rules need them below ``org``); this
name stays for the modules that import them from here."""

from sangathan.core.paths import ALPHABET, STEPLEN, ancestor_prefixes, outermost_paths, path_upper_bound, subtree_q

__all__ = ["ALPHABET", "STEPLEN", "ancestor_prefixes", "outermost_paths", "path_upper_bound", "subtree_q"]
