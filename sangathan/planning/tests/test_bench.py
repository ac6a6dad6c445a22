"""The plan rows of ``sangathan bench`` at demo scale: they run, and the fast roll-up equals the naive one."""

import json
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_plan_rows_at_demo_scale(tmp_path):
    path = tmp_path / "bench.json"
    out, err = StringIO(), StringIO()
    call_command(
        "bench", scale="demo", repeat=3, only="plan,plan-state,plan-daily", json=str(path), stdout=out, stderr=err
    )
    text = out.getvalue()
    assert "plan dashboard roll-up, whole country" in text
    assert "plan dashboard roll-up, one state" in text
    assert "daily run over the demo tree" in text
    assert "≠" not in text
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["correct"] is True
    assert {row["name"] for row in report["rows"]} == {"plan", "plan-state", "plan-daily"}
