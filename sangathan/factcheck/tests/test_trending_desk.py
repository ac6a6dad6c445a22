"""The desk's trending rumours: per rumour, its tips per day (or hour) over the last seven days as a server-drawn
bar chart, with the districts it came from; scoped (a sibling district sees only its own tips), in Hindi. And a
video sent to a webhook is shown on the tips page as "video, not analysed"."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.factcheck import clusters, matching, trending
from sangathan.factcheck.models import Tip, TipChannel, TipMedia
from sangathan.factcheck.services import TipMediaIn, tip_receive
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

BANKS = "कल से सारे बैंक सात दिन बंद रहेंगे, आज ही पैसे निकाल लें"
PETROL = "पेट्रोल पंप तीन दिन तक बंद रहेंगे, टंकी आज ही भरवा लें"
NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata"))


def tip_at(text, unit, ago: datetime.timedelta) -> Tip:
    tip, _new = tip_receive(channel=TipChannel.CASCADE, text=text, unit=unit)
    Tip.objects.filter(pk=tip.pk).update(created_at=NOW - ago)
    return tip


@pytest.fixture
def rumours(tree, checkers):
    matching.forget_index()
    clusters.forget_cluster_index()
    day, hour = datetime.timedelta(days=1), datetime.timedelta(hours=1)
    tip_at(BANKS, tree.booth1, 0 * hour)  # today
    tip_at(BANKS, tree.booth2, day)  # yesterday, twice
    tip_at(BANKS, tree.amer, day)
    tip_at(BANKS, tree.ajmer_booth, 3 * day)
    tip_at(BANKS, tree.booth1, 8 * day)  # before the window
    tip_at(PETROL, tree.ajmer_booth, 2 * hour)
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


def test_the_state_sees_each_rumour_per_day_with_its_districts(tree, checkers, rumours):
    with translation.override("hi"):
        trends = trending.trending_for_desk(user=checkers.control_room, now=NOW)
    banks, petrol = trends
    assert (banks.row.tips, banks.row.district_count, banks.row.text) == (4, 2, BANKS)
    assert sorted(banks.row.districts) == sorted(["अजमेर", "जयपुर"])
    assert [bar.count for bar in banks.bars] == [0, 0, 0, 1, 0, 2, 1]
    assert [bar.count for bar in petrol.bars] == [0, 0, 0, 0, 0, 0, 1] and petrol.row.district_count == 1
    assert banks.bars[-1].start.date() == NOW.date() and banks.top == 2
    assert banks.bars[5].height == trending.CHART_HEIGHT and banks.bars[0].height == 0


def test_a_district_sees_only_its_own_tips(checkers, rumours):
    trends = trending.trending_for_desk(user=checkers.ajmer, now=NOW)
    assert sorted((trend.row.text, trend.row.tips, trend.row.district_count) for trend in trends) == sorted(
        [(BANKS, 1, 1), (PETROL, 1, 1)]
    )
    jaipur = trending.trending_for_desk(user=checkers.jaipur, now=NOW)
    assert [(trend.row.text, trend.row.tips) for trend in jaipur] == [(BANKS, 3)]


def test_per_hour_the_last_seven_days_in_168_bars(checkers, rumours):
    banks = trending.trending_for_desk(user=checkers.control_room, by=trending.BY_HOUR, now=NOW)[0]
    assert len(banks.bars) == 7 * 24 and sum(bar.count for bar in banks.bars) == 4
    assert banks.bars[-1].count == 1 and banks.bars[-1].start.hour == NOW.hour


def test_the_geometry_scales_to_the_tallest_and_shows_a_single_tip():
    starts = [NOW - datetime.timedelta(days=n) for n in range(3)]
    bars, top = trending.bar_chart(starts, {starts[0]: 100, starts[1]: 1})
    assert top == 100 and bars[0].height == trending.CHART_HEIGHT and bars[1].height == 1.0 and bars[2].height == 0
    assert bars[0].y == 0 and bars[2].x > bars[1].x > bars[0].x


def test_the_page_in_hindi_draws_the_charts_for_the_reader_scope_only(client, checkers, rumours, monkeypatch):
    log_in(client, checkers.ajmer, language="hi")
    monkeypatch.setattr(timezone, "now", lambda: NOW)  # the page's window ends now: the tips are dated from NOW
    with translation.override("hi"):
        page = client.get(reverse("factcheck:trending"))
        hourly = client.get(reverse("factcheck:trending"), {"by": "hour"})
    text = page.content.decode()
    assert page.status_code == 200 and "चर्चित अफ़वाहें" in text and "प्रति दिन सूचनाएँ" in text
    assert text.count("<svg") == 2 and text.count("<rect") == 14 and PETROL in text
    assert "1 ज़िले में" in text
    assert hourly.status_code == 200 and hourly.content.decode().count("<rect") == 2 * 168


def test_a_video_is_marked_not_analysed_on_the_tips_page(client, checkers, tree, claims):
    tip, _new = tip_receive(
        channel=TipChannel.WHATSAPP,
        text="यह वीडियो देखो",
        unit=tree.booth1,
        media=[TipMediaIn(content_type="video/mp4", provider_media_id="1166846181421424")],
        provider_message_id="wamid.video",
    )
    assert TipMedia.objects.get(tip=tip).is_video
    log_in(client, checkers.jaipur, language="hi")
    with translation.override("hi"):
        text = client.get(reverse("factcheck:tips")).content.decode()
    assert "वीडियो, विश्लेषण नहीं हुआ" in text
