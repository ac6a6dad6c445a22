"""``sangathan bench`` at demo scale: rows, JSON, the fast-equals-naive check. No assertions on timings."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sangathan.benchmarks import org
from sangathan.benchmarks.management.commands import bench
from sangathan.org import selectors


def run_bench(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("bench", scale="demo", repeat=3, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_demo_bench_prints_every_row_and_the_fast_rollup_equals_naive(tmp_path):
    path = tmp_path / "bench.json"
    out, err = run_bench(json=str(path))

    assert "Already in a test database" in err  # no second database inside the test run
    for label in (
        "seed demo tree",
        "coverage roll-up, whole country",
        "coverage roll-up, one state",
        "children of India",
    ):
        assert label in out
    assert "| what" in out and "baseline p50" in out and "ratio" in out
    assert "differs" not in out and "≠" not in out

    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["scale"] == "demo"
    assert report["correct"] is True
    names = [row["name"] for row in report["rows"]]
    assert names[: len(org.ROW_NAMES)] == list(org.ROW_NAMES)  # then the other apps' rows that run in-process
    assert all(row["correct"] is not False for row in report["rows"])
    rows = {row["name"]: row for row in report["rows"]}
    assert rows["seed"]["target"] == "n/a"  # the seeding target is for the national tree
    for name in ("country", "state", "children"):
        assert rows[name]["correct"] is True
        assert len(rows[name]["samples"]) == 3
        assert len(rows[name]["baseline_samples"]) == 3  # never more baseline calls than --repeat
    national_and_state = 2
    assert report["tree"]["units"] == national_and_state + sum(n for _code, n in org.SHAPES["demo"].chain)


@pytest.mark.django_db
def test_a_wrong_fast_answer_is_reported_and_fails_the_command(monkeypatch):
    real = selectors.naive_coverage

    def off_by_one(unit):
        return [(level, total + 1, filled) for level, total, filled in real(unit)]

    monkeypatch.setattr(selectors, "naive_coverage", off_by_one)
    out = StringIO()
    with pytest.raises(CommandError, match="differs"):
        call_command("bench", scale="demo", repeat=2, only="state", stdout=out, stderr=StringIO())
    assert "✗" in out.getvalue()
    assert "fast roll-up differs from the naive GROUP BY" in out.getvalue()


@pytest.mark.django_db
def test_only_limits_the_rows():
    out, _err = run_bench(only="country, children")
    assert "whole country" in out and "children of India" in out
    assert "one state" not in out and "seed demo tree" not in out


def test_unknown_rows_are_refused():
    with pytest.raises(CommandError, match="Unknown rows"):
        call_command("bench", scale="demo", only="seed,everything", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_the_test_database_is_recognised():
    assert bench.inside_test_database()


def test_throwaway_database_is_destroyed_even_on_error(monkeypatch):
    """Outside a test database the command creates one and always destroys it (faked here)."""
    calls = []
    settings_dict = connection.settings_dict
    real_name = settings_dict["NAME"]

    def create_test_db(**kwargs):
        calls.append(("create", kwargs["autoclobber"], kwargs["keepdb"], settings_dict["TEST"]["NAME"]))
        settings_dict["NAME"] = settings_dict["TEST"]["NAME"]
        return settings_dict["NAME"]

    def destroy_test_db(old_name, **kwargs):
        calls.append(("destroy", old_name))
        settings_dict["NAME"] = old_name

    monkeypatch.setattr(bench, "inside_test_database", lambda: False)
    monkeypatch.setattr(connection.creation, "create_test_db", create_test_db)
    monkeypatch.setattr(connection.creation, "destroy_test_db", destroy_test_db)
    test_name_before = settings_dict.get("TEST", {}).get("NAME")
    try:
        with pytest.raises(RuntimeError), bench.throwaway_database(verbosity=0, log=lambda message: None):
            raise RuntimeError("boom")
    finally:
        settings_dict["NAME"] = real_name
    assert [call[0] for call in calls] == ["create", "destroy"]
    assert calls[0][1:3] == (True, False)  # autoclobber, no keepdb
    assert calls[0][3] != real_name  # never the configured database
    assert calls[1] == ("destroy", real_name)
    assert settings_dict["TEST"].get("NAME") == test_name_before


def test_percentiles():
    samples = [float(n) for n in range(1, 101)]
    assert org.percentile(samples, 50) == pytest.approx(50.5)
    assert org.percentile(samples, 95) == pytest.approx(95.05)
    assert org.percentile([7.0], 95) == 7.0
