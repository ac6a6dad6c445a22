"""The membership rows of ``sangathan bench`` at demo scale: members seeded with the counters right, and the
country's count equal to the naive count. No assertions on timings."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sangathan.membership import counters
from sangathan.membership.models import Member
from sangathan.org.models import Unit


@pytest.mark.django_db
def test_the_membership_rows_seed_members_and_count_them_as_the_naive_count_does(tmp_path):
    path = tmp_path / "bench.json"
    call_command(
        "bench",
        scale="demo",
        repeat=3,
        members=500,
        only="membership-seed,membership-country",
        json=str(path),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    rows = {row["name"]: row for row in json.loads(path.read_text(encoding="utf-8"))["rows"]}
    assert set(rows) == {"membership-seed", "membership-country"}
    assert rows["membership-country"]["correct"] is True and len(rows["membership-country"]["samples"]) == 3
    assert rows["membership-seed"]["target"] == "n/a"  # the 10-minute target is for 10 million members
    assert Member.objects.count() == 500
    assert Member.objects.values("mobile").distinct().count() == 500
    root = Unit.objects.get(depth=1)
    verified, pending = counters.naive_counts(root)
    assert verified + pending == 500 and verified > pending > 0
    assert root.member_counter.verified == verified and root.member_counter.pending == pending
    for member in Member.objects.all()[:50]:
        member.full_clean()  # each generated row passes the model's own rules
