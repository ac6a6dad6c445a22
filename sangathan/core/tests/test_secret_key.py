"""The secret key signs sessions, recipients' /m/ links, privacy tickets and certificate links. A published
key lets anyone forge them: the embedded mode makes its own on the first run (kept in var/, mode 0600),
and production refuses to start with a missing, short or published one."""

import multiprocessing
import runpy
import secrets
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from sangathan.config import env
from sangathan.config.env import PUBLISHED_SECRET_KEYS, embedded_secret_key

# runpy runs the settings module afresh although the test settings imported it already: it says so.
pytestmark = pytest.mark.filterwarnings("ignore:.*found in sys.modules:RuntimeWarning")


def embedded_settings(monkeypatch, base_dir) -> dict:
    """The embedded mode's settings as a fresh clone in ``base_dir`` would read them (no SECRET_KEY set)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(env, "BASE_DIR", base_dir)
    return runpy.run_module("sangathan.config.settings.base")


def test_the_embedded_mode_makes_a_key_on_the_first_run_and_keeps_it(monkeypatch, tmp_path):
    first = embedded_settings(monkeypatch, tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 50 and first not in PUBLISHED_SECRET_KEYS
    assert first != "embedded-mode-insecure-key-change-me"
    assert embedded_settings(monkeypatch, tmp_path)["SECRET_KEY"] == first  # a restart keeps sessions and links
    other_clone = tmp_path / "other"
    other_clone.mkdir()
    assert embedded_settings(monkeypatch, other_clone)["SECRET_KEY"] != first  # every installation its own


def test_a_key_from_the_environment_wins(monkeypatch, tmp_path):
    key = secrets.token_urlsafe(50)
    monkeypatch.setattr(env, "BASE_DIR", tmp_path)
    monkeypatch.setenv("SECRET_KEY", key)
    assert runpy.run_module("sangathan.config.settings.base")["SECRET_KEY"] == key
    assert not (tmp_path / "var" / "secret_key").exists()


def _make_key(path, keys) -> None:
    keys.put(embedded_secret_key(path))


def test_workers_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    context = multiprocessing.get_context("fork")
    keys = context.Queue()
    workers = [context.Process(target=_make_key, args=(path, keys)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    made = {keys.get(timeout=5) for _ in workers}
    assert made == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no candidate files left behind


def test_a_readable_key_file_is_closed_and_an_empty_one_refused(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text(secrets.token_urlsafe(50))
    path.chmod(0o644)
    embedded_secret_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("")
    with pytest.raises(ImproperlyConfigured, match="delete it"):
        embedded_secret_key(path)


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "must be set"),
        ("", "must be set"),
        ("embedded-mode-insecure-key-change-me", "published"),
        ("test-only-secret-key", "published"),
        ("django-insecure-" + "x1y2z3" * 10, "published"),
        ("a-short-key-of-thirty-characters", "at least 50"),
        ("ab" * 40, "at least 50"),  # long, but two characters
    ],
)
def test_production_refuses_a_missing_short_or_published_key(monkeypatch, key, problem):
    for name, value in {
        "DATABASE_URL": "postgres://sangathan@db:5432/sangathan",
        "ALLOWED_HOSTS": "sangathan.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }.items():
        monkeypatch.setenv(name, value)
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ImproperlyConfigured, match=problem):
        runpy.run_module("sangathan.config.settings.production")


def test_production_starts_with_a_strong_key(monkeypatch):
    for name, value in {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://sangathan@db:5432/sangathan",
        "ALLOWED_HOSTS": "sangathan.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }.items():
        monkeypatch.setenv(name, value)
    assert runpy.run_module("sangathan.config.settings.production")["DEBUG"] is False
