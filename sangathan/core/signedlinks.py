"""Signed, timestamped tokens for links that need no login (a recipient's message page, an office-bearer's
daily report): the token names one row by its id, ``salt`` keeps one kind of link from opening another,
and it expires after ``max_age``. Whether the row still exists and may still use the link (an appointment
still active, a delivery still there) is the caller's check, made on every use.

Django's ``signing`` (HMAC-SHA256 with ``SECRET_KEY``): a tampered token fails its signature; an old one
fails its timestamp.
"""

import datetime

from django.core import signing

BAD = "bad"
EXPIRED = "expired"


def token_for(value: int, *, salt: str) -> str:
    """A signed, timestamped token naming the row ``value``."""
    return signing.dumps(int(value), salt=salt, compress=False)


def value_from_token(token: str, *, salt: str, max_age: datetime.timedelta) -> tuple[int | None, str]:
    """(row id, "") for a good token; (None, ``EXPIRED``) or (None, ``BAD``) otherwise."""
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        return None, EXPIRED
    except signing.BadSignature:
        return None, BAD
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None, BAD
    return value, ""
