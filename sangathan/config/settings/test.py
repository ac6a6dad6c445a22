"""Settings for the test suite: fast hashing, in-memory SQLite unless DATABASE_URL says otherwise."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from sangathan.config.settings.base import *  # noqa: E402,F403
from sangathan.config.settings.base import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests change campaigns and appointments and post the form straight after: no per-process copies.
RECRUITMENT_PUBLIC_CACHE_SECONDS = 0
CONTROLROOM_REPORT_LINK_CACHE_SECONDS = 0
# Two-factor sign-in is switched on by the tests about it (the others sign in with force_login).
REQUIRE_2FA = False
# Appointments give no logins and send no invitations but in the tests about them (sangathan/logins/tests,
# tests/e2e/test_invitations.py): the other tests count their own messages and queries.
LOGIN_INVITATIONS = False
# The look-up limit per user is off but for the tests about it (the cache outlives each test: see below).
MOBILE_LOOKUP_RATE_USER = None

from sangathan.config.settings.base import CACHES, REST_FRAMEWORK  # noqa: E402

if CACHES["default"]["BACKEND"] == "sangathan.core.cache.SQLiteCache":
    # Each test process (pytest-xdist runs two) keeps its counters in a file of its own, removed at its end.
    _cache_dir = tempfile.mkdtemp(prefix="sangathan-test-cache-")
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
    CACHES = {**CACHES, "default": {**CACHES["default"], "LOCATION": os.path.join(_cache_dir, "cache.sqlite3")}}

# The API's rate limits are off but for the tests about them (sangathan/apitokens/tests/test_throttling.py):
# the cache outlives each test, so the counts of a whole test process would add up.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"user_burst": None, "user_sustained": None, "anon": None},
}
