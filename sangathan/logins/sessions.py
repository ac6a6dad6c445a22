"""The session engine (``SESSION_ENGINE = "sangathan.logins.sessions"``): Django's database sessions, each row
with the id of the user signed in, so ``sessions_end(user_id=...)`` finds them without decoding every row."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore

from sangathan.logins.models import LoginSession


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        return LoginSession

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        try:
            user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            user_id = None
        obj.user_id = user_id
        return obj


def sessions_end(*, user_ids) -> int:
    """Delete every session of these users: their next click finds them signed out. Returns how many."""
    deleted, _by_model = LoginSession.objects.filter(user_id__in=list(user_ids)).delete()
    return deleted
