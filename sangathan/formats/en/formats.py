# English pages use the same Indian digit grouping and dates as Hindi ones.
from sangathan.formats.hi.formats import *  # noqa: F403
