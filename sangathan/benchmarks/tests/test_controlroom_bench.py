"""The control room's report row of ``sangathan bench``: made on the demo tree, judged against its target."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sangathan.controlroom.models import ActivityReport, StateReport
from sangathan.org.models import Appointment, Unit


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


@pytest.mark.django_db
def test_the_rollup_and_wall_rows_count_one_report_per_booth_and_agree_with_the_naive_count(tmp_path):
    path = tmp_path / "bench.json"
    out = StringIO()
    call_command(
        "bench",
        scale="demo",
        repeat=3,
        only="controlroom-rollup,controlroom-wall",
        json=str(path),
        stdout=out,
        stderr=StringIO(),
    )
    rows = {row["name"]: row for row in json.loads(path.read_text(encoding="utf-8"))["rows"]}
    assert set(rows) == {"controlroom-rollup", "controlroom-wall"}
    assert rows["controlroom-rollup"]["correct"] is True and rows["controlroom-wall"]["correct"] is True
    assert len(rows["controlroom-rollup"]["samples"]) == 3 and len(rows["controlroom-wall"]["samples"]) == 3
    booths = Unit.objects.filter(depth=Unit.objects.order_by("-depth").values("depth")[:1])
    # Every booth now has a key office-bearer, and every key office-bearer reported once.
    assert not booths.exclude(
        pk__in=Appointment.objects.filter(position__is_key=True, status="active").values("unit_id")
    ).exists()
    assert ActivityReport.objects.count() == Appointment.objects.filter(position__is_key=True, status="active").count()
