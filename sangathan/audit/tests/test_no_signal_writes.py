"""Writes happen in services, called explicitly: no receiver of ours listens to model signals (only
django-auditlog's, registered in ``sangathan.audit.registry``, and the libraries' own)."""

import re
import weakref
from pathlib import Path

from django.db.models import signals

import sangathan

MODEL_SIGNALS = ("pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed")
ROOT = Path(sangathan.__file__).parent
# (A connection's own connect, ``super().connect()`` in an HTTP connection class, is no signal.)
CONNECTING = re.compile(
    r"@receiver\b|(?<!sqlite3)(?<!psycopg)(?<!super\(\))\.connect\(|django\.db\.models\.signals|from django\.db\.models import .*\bsignals\b"
)
# Receivers of ours that write no model, each with why it listens:
ALLOWED = {
    "access/middleware.py": "the sign-in clock keeps the new session's times",
    "access/apps.py": "connects the sign-in clock",
    "ops/signals.py": "Celery's task signals: metrics counters and the time a beat task last ran, in the cache",
    "ops/apps.py": "connects those",
    "core/requestid.py": "forgets the request id when the request has finished",
}


def _receiver_modules(signal) -> set[str]:
    modules = set()
    for entry in signal.receivers:
        target = entry[1]
        if isinstance(target, weakref.ReferenceType):
            target = target()
        modules.add(getattr(target, "__module__", "") or "")
    return modules


def test_no_model_signal_receiver_of_ours():
    for name in MODEL_SIGNALS:
        ours = {m for m in _receiver_modules(getattr(signals, name)) if m.startswith("sangathan")}
        assert not ours, f"{name} has receivers in {ours}: call a service instead"


def test_no_code_outside_tests_connects_to_signals():
    found = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if CONNECTING.search(code):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
