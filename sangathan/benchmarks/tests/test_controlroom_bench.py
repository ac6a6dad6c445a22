"""The control room's report row of ``sangathan bench``: made on the demo tree, judged against its target."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sangathan.controlroom.models import StateReport


@pytest.mark.django_db
def test_the_report_row_makes_one_report_three_times(tmp_path):
    path = tmp_path / "bench.json"
    out = StringIO()
    call_command(
        "bench", scale="demo", repeat=1, only="controlroom-report", json=str(path), stdout=out, stderr=StringIO()
    )
    [row] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    assert row["name"] == "controlroom-report" and row["passed"] is True
    assert len(row["samples"]) == 3 and len(row["baseline_samples"]) == 3
    assert "daily report PDF+XLSX" in out.getvalue()
    assert StateReport.objects.filter(status=StateReport.Status.MADE).count() == 1  # made again, not thrice
