"""Training's raw SQL: the set-based rebuild of the trained-post counters (``training.counters``).

Raw for the reason of ``org/sql.py``: a rebuild is one ``GROUP BY SUBSTR(path, 1, n)`` per depth over a
whole subtree, no per-unit Python. Statements are built from this constant and our models' table names;
values always go as parameters. Runs on SQLite and PostgreSQL (``tests/test_counters.py``).
"""

from django.db import connection

from sangathan.org.models import Appointment, Unit
from sangathan.org.sql import subtree_condition
from sangathan.training.models import Completion, TrainedPostCounter

# Active posts of trained people at or below each ancestor at one depth (``{prefix}``: its path length).
TRAINED_COUNTERS_INSERT = """INSERT INTO {counters} (unit_id, trained)
                SELECT a.id, g.trained FROM (
                    SELECT SUBSTR(u.path, 1, {prefix}) AS anc, COUNT(*) AS trained
                    FROM {appointments} ap JOIN {units} u ON u.id = ap.unit_id
                    WHERE {where} AND u.depth >= {depth} AND ap.status = 'active'
                      AND EXISTS (SELECT 1 FROM {completions} c WHERE c.person_id = ap.person_id)
                    GROUP BY SUBSTR(u.path, 1, {prefix})
                ) g JOIN {units} a ON a.path = g.anc"""


def trained_counters_insert(*, path: str | None, depth: int) -> None:
    """The ``TrainedPostCounter`` rows of the units at ``depth`` in the subtree at ``path`` (the whole tree
    when None): the trained posts at and below each of them. Units with none get no row."""
    where, params = subtree_condition("u.path", path)
    statement = TRAINED_COUNTERS_INSERT.format(
        counters=TrainedPostCounter._meta.db_table,
        appointments=Appointment._meta.db_table,
        units=Unit._meta.db_table,
        completions=Completion._meta.db_table,
        where=where,
        depth=int(depth),
        prefix=int(depth) * Unit.steplen,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
