"""The suite's own tools (sangathan/testing.py): what a missing service does, and which tests get which marker."""

from pathlib import Path

import pytest

from sangathan import testing

ROOT = Path(testing.__file__).resolve().parent.parent


def test_a_missing_service_skips_locally_and_says_how_to_get_it(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Redis is missing: run `make test` \(it starts it\)"):
        testing.require("Redis", present=False, make_test="starts it")


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_a_missing_service_fails_on_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="Chromium is missing.*none may be skipped"):
        testing.require("Chromium", present=False, make_test="installs it")


def test_a_service_that_is_there_changes_nothing(monkeypatch):
    monkeypatch.setenv("CI", "true")
    testing.require("Redis", present=True, make_test="starts it")


class Item:
    """What the marking hook reads of a collected test."""

    def __init__(self, path: str, *fixturenames: str):
        self.path = ROOT / path
        self.fixturenames = fixturenames
        self.markers: list[str] = []

    def add_marker(self, marker) -> None:
        self.markers.append(marker.name)


def test_browser_and_worker_tests_are_marked_wherever_they_are():
    browser = Item("tests/e2e/test_csp.py", "live_server", "phone")
    worker = Item("sangathan/notifications/tests/test_worker.py", "celery_redis_worker", "redis_broker")
    subprocess_worker = Item("sangathan/outreach/tests/test_worker.py", "redis_broker")
    plain = Item("sangathan/org/tests/test_services.py", "tree")
    elsewhere = Item("tests/security/test_scope_matrix.py", "world")
    testing.pytest_collection_modifyitems(None, [browser, worker, subprocess_worker, plain, elsewhere])
    assert browser.markers == ["e2e"]
    assert worker.markers == subprocess_worker.markers == ["worker"]
    assert plain.markers == elsewhere.markers == []
