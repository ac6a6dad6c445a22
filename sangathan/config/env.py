"""The one place that reads the environment. Every setting comes from here."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ---------------------------------------------------------------- the secret key

# Keys that were published (in this repository's history or its tests): links, tickets and certificates
# signed with them can be forged by anyone. Django's own placeholder keys start with "django-insecure-".
PUBLISHED_SECRET_KEYS = frozenset({"embedded-mode-insecure-key-change-me", "test-only-secret-key"})
SECRET_KEY_MIN_LENGTH = 50  # as Django's deployment check (security.W009)


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` may not sign anything in production, or None when it may."""
    if not key:
        return "SECRET_KEY must be set in production."
    if key in PUBLISHED_SECRET_KEYS or key.startswith("django-insecure-"):
        return "SECRET_KEY is a published default: anyone could forge links, tickets and certificates with it."
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < 5:
        return f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} random characters."
    return None


def embedded_secret_key(path: Path) -> str:
    """The embedded mode's key: made at random on the first run, kept in ``path`` (mode 0600) and read
    from there afterwards, so sessions and signed links outlive a restart.

    Several processes may start at once (gunicorn's workers): each writes its candidate to a file of its
    own and links it into place, which succeeds for one of them; the others read the winner's key.
    """
    if path.exists():
        key = path.read_text().strip()
        if secret_key_problem(key):
            raise ImproperlyConfigured(f"{path} holds no usable secret key; delete it to make a new one.")
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return key
    candidate = secrets.token_urlsafe(64)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(candidate + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # atomic, and never replaces a key another process made
    except FileExistsError:
        return embedded_secret_key(path)
    finally:
        temporary.unlink()
    return candidate
