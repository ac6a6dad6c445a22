"""The embedded mode's cache is shared by every web process (sangathan/core/cache.py): rate limits count the
requests of all gunicorn workers together, and no count is lost when two of them count at once.

With a per-process cache, `make demo`'s two workers let 34 of 45 forms from one address through a limit
of 20: each worker counted only its own.
"""

import multiprocessing
import sqlite3
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from sangathan.core.cache import SQLiteCache
from sangathan.core.ratelimits import over_limit

LIMIT = 50
PER_WORKER = 40


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _worker(refused) -> None:
    """One web process taking forms from one address; tells how many it refused."""
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    count = sum(
        over_limit(request, group="test.shared", setting="TEST_SHARED_RATE", default=f"{LIMIT}/h")
        for _ in range(PER_WORKER)
    )
    refused.put(count)


def test_two_processes_count_against_one_limit():
    """Two worker processes (forked, as gunicorn's are), 40 forms each from one address, a limit of 50: the
    limit holds for the two together (30 refused), and not a count is lost while both count at once."""
    context = multiprocessing.get_context("fork")
    refused = context.Queue()
    workers = [context.Process(target=_worker, args=(refused,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert refused.get(timeout=5) + refused.get(timeout=5) == 2 * PER_WORKER - LIMIT
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    assert over_limit(request, group="test.shared", setting="TEST_SHARED_RATE", default=f"{LIMIT}/h")


def test_two_connections_see_one_count_and_incr_keeps_the_window(tmp_path):
    path = tmp_path / "cache.sqlite3"
    first, second = SQLiteCache(path, {}), SQLiteCache(path, {})
    assert first.add("count", 1, 3600)
    assert not second.add("count", 1, 3600)  # the window has started: count on
    assert second.incr("count") == 2 and first.incr("count") == 3
    assert first.get("count") == second.get("count") == 3
    # Django's file and database caches set the default 300 s on every incr: an hourly window would end
    # five minutes after the last request. Here the window keeps its end.
    (expires,) = sqlite3.connect(path).execute("SELECT expires FROM cache").fetchone()
    assert expires > time.time() + 3500


def test_the_cache_api(tmp_path):
    shared = SQLiteCache(tmp_path / "cache.sqlite3", {})
    shared.set("object", {"ids": [1, 2]}, 60)
    assert shared.get("object") == {"ids": [1, 2]} and shared.has_key("object")
    assert shared.touch("object", 120) and not shared.touch("missing", 120)
    shared.set("half", 1.5)
    assert shared.incr("half") == 2.5 and shared.decr("half") == 1.5
    with pytest.raises(ValueError, match="missing"):
        shared.incr("missing")
    shared.set("gone", 1, -1)  # expired at once
    assert shared.get("gone", "default") == "default" and not shared.has_key("gone")
    assert shared.add("gone", 2, 60) and shared.get("gone") == 2  # an expired row is free to add
    assert shared.delete("object") and shared.get("object") is None
    shared.set_many({"a": 1, "b": b"\x00bytes"})
    assert shared.get_many(["a", "b", "c"]) == {"a": 1, "b": b"\x00bytes"}
    shared.clear()
    assert shared.get("a") is None


def test_the_oldest_entries_go_when_the_file_is_full(tmp_path, monkeypatch):
    monkeypatch.setattr("sangathan.core.cache.CULL_EVERY", 10)
    shared = SQLiteCache(tmp_path / "cache.sqlite3", {"OPTIONS": {"MAX_ENTRIES": 6, "CULL_FREQUENCY": 2}})
    for n in range(10):
        shared.set(f"k{n}", n, 1000 + n)  # the tenth write sweeps: 10 entries, over 6, half go
    assert [shared.get(f"k{n}") for n in range(10)] == [None] * 5 + [5, 6, 7, 8, 9]
