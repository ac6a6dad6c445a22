"""Counting: the youth (18–35) and women among the verified, kept in the counters by every kind of write and
equal to a naive count; the rebuild; the target per booth from the coverage counters; the day rows behind
the growth chart; the unit page's bars and chart, read from the counter rows only."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sangathan.membership import charts, counters, selectors, services
from sangathan.membership.models import MemberCounter, MemberDay
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


def all_units(tree):
    return [tree.india, tree.rajasthan, tree.jaipur, tree.ajmer, tree.amer, tree.booth1, tree.booth2, tree.ajmer_booth]


def assert_counters_true(tree):
    for unit in all_units(tree):
        row = counts_for_unit(unit)
        assert (row.verified, row.pending) == counters.naive_counts(unit), unit
        assert (row.youth, row.women) == counters.naive_shares(unit), unit


def test_youth_and_women_follow_every_kind_of_write_and_equal_a_naive_count(tree, cast, referral):
    young_woman = join(tree.booth1, age=22, gender="female", verify=True)
    join(tree.booth2, age=35, gender="male", verify=True)  # 35 is still youth
    join(tree.ajmer_booth, age=36, gender="female", verify=True)  # 36 is not
    join(tree.booth1, age=18, gender="female")  # pending: counts nowhere yet
    paper = services.member_enter(
        unit=tree.booth2, by=cast.district_admin, name="Kamla Devi", mobile=next_mobile(), age=30, gender="female"
    )
    assert_counters_true(tree)
    india = counts_for_unit(tree.india)
    assert (india.verified, india.youth, india.women) == (3, 2, 2)

    services.member_revoke(member=young_woman, via="not_me")
    assert_counters_true(tree)
    services.paper_members_promote(at=timezone.now() + datetime.timedelta(days=8))
    assert_counters_true(tree)
    india = counts_for_unit(tree.india)
    assert (india.verified, india.youth, india.women) == (3, 2, 2)
    assert counts_for_unit(tree.booth2).women == 1 and paper.gender == "female"


def test_a_held_sign_up_counts_its_share_only_once_cleared(tree, cast):
    member = join(tree.booth1, age=25, gender="female")
    member.flagged = True
    member.save(update_fields=["flagged"])
    member = services.member_verify(member=member)
    assert member.status == "held" and counts_for_unit(tree.india).women == 0
    services.member_review(member=member, decision="clear", by=cast.district_admin)
    assert (counts_for_unit(tree.india).youth, counts_for_unit(tree.india).women) == (1, 1)
    assert_counters_true(tree)


def test_the_rebuild_puts_back_youth_and_women(tree):
    join(tree.booth1, age=20, gender="female", verify=True)
    join(tree.ajmer_booth, age=50, gender="female", verify=True)
    before = {r.unit_id: (r.verified, r.pending, r.youth, r.women) for r in MemberCounter.objects.all()}
    MemberCounter.objects.update(youth=77, women=0)
    counters.rebuild()
    assert {r.unit_id: (r.verified, r.pending, r.youth, r.women) for r in MemberCounter.objects.all()} == before


def test_the_target_is_booths_times_the_setting(tree):
    for _ in range(3):
        join(tree.booth1, verify=True)
    with override_settings(MEMBERSHIP_TARGET_PER_BOOTH=2):
        booth, block, district = counts_for_unit(tree.booth1), counts_for_unit(tree.amer), counts_for_unit(tree.jaipur)
        assert (booth.booths, booth.target, booth.target_percent) == (1, 2, 150.0)
        assert (block.booths, block.target, block.target_percent) == (2, 4, 75.0)
        assert district.per_booth == 1.5
        assert charts.tone(booth.target_percent) == "good" and charts.width(booth.target_percent) == 100.0
        assert charts.tone(block.target_percent) == "fair"
        assert charts.tone(counts_for_unit(tree.ajmer).target_percent) == "poor"


def test_the_day_rows_record_who_started_and_stopped_counting(tree):
    today = timezone.localdate()
    first = join(tree.booth1, verify=True)
    join(tree.booth2, verify=True)
    services.member_revoke(member=first, via="admin", reason="a test", at=timezone.now() + datetime.timedelta(days=1))
    day = MemberDay.objects.get(unit=tree.india, day=today)
    assert (day.gained, day.lost) == (2, 0)
    tomorrow = MemberDay.objects.get(unit=tree.jaipur, day=today + datetime.timedelta(days=1))
    assert (tomorrow.gained, tomorrow.lost) == (0, 1)
    assert not MemberDay.objects.filter(unit=tree.ajmer).exists()
    series = selectors.growth(tree.india, days=30, today=today + datetime.timedelta(days=1))
    assert len(series) == 30 and [d.net for d in series[-2:]] == [2, -1] and sum(d.net for d in series) == 1
    assert sum(d.net for d in series) == counts_for_unit(tree.india).verified


def test_the_unit_page_draws_bars_and_the_growth_chart_from_the_counter_rows(client, cast, tree):
    join(tree.booth1, age=22, gender="female", verify=True)
    join(tree.booth1, age=60, gender="male", verify=True)
    MemberCounter.objects.filter(unit=tree.jaipur).update(youth=1, women=1)  # the page reads the rows
    log_in(client, cast.district_admin)
    with override_settings(MEMBERSHIP_TARGET_PER_BOOTH=4):  # 2 booths: target 8, 2 verified = 25%
        html = client.get(reverse("membership:unit", args=[tree.jaipur.pk])).content.decode()
    assert "25.0%" in html and 'class="fill poor" style="width: 25.0%"' in html
    assert 'id="target-bar"' in html and 'id="youth-bar"' in html and 'id="women-bar"' in html
    assert "<svg" in html and html.count("<rect") == 1  # one day with members gained, none lost
    assert 'style="width: 50.0%"' in html  # youth and women: 1 of 2, from the counter row


def test_the_country_page_reads_counters_in_a_fixed_number_of_queries(
    client, cast, tree, django_assert_max_num_queries
):
    for _ in range(3):
        join(tree.booth1, verify=True)
    client = log_in(client, cast.state_admin)
    url = reverse("membership:unit", args=[tree.rajasthan.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
