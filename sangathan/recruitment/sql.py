"""Recruitment's raw SQL: the public form's intake in one statement. ``tests/test_sql.py`` runs it on the
test database (CI runs it on SQLite and on PostgreSQL).

Raw because this is the public form's hot path (docs/adr/0005-application-intake.md): one round trip
instead of a look-up and an insert. Built from this constant and the quoted table name; values always go
as parameters.
"""

from django.db import connection

from sangathan.recruitment.models import Submission

# The candidate reference unless somebody already has it (then nothing is inserted and the caller tries
# another), and whether the number sent a form to this campaign before.
SUBMISSION_INSERT = """
INSERT INTO {table} (token, campaign_id, mobile, reference, replaces_earlier, payload, language, at, problem)
SELECT %(token)s, %(campaign)s, %(mobile)s, %(candidate)s,
       EXISTS (SELECT 1 FROM {table} WHERE campaign_id = %(campaign)s AND mobile = %(mobile)s),
       %(payload)s, %(language)s, %(at)s, ''
WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE reference = %(candidate)s)
RETURNING id, reference, replaces_earlier
"""


def submission_insert(*, token: str, campaign_id: int, mobile: str, payload, language: str, at, candidates):
    """Insert a submission with the first reference of ``candidates`` (an iterable) nobody has yet; returns
    (id, reference, replaces_earlier), or None when every candidate was taken. IntegrityError when the
    token was used. ``payload`` and ``at`` as the model's fields prepare them for this database."""
    fields = {field.name: field for field in Submission._meta.concrete_fields}
    params = {
        "token": token,
        "campaign": campaign_id,
        "mobile": mobile,
        "payload": fields["payload"].get_db_prep_value(payload, connection),
        "language": language,
        "at": fields["at"].get_db_prep_value(at, connection),
    }
    sql = SUBMISSION_INSERT.format(table=connection.ops.quote_name(Submission._meta.db_table))
    with connection.cursor() as cursor:
        for candidate in candidates:
            cursor.execute(sql, {**params, "candidate": candidate})
            row = cursor.fetchone()
            if row is not None:
                return row
    return None
