"""An official account's page (followers as bars, day-by-day numbers, source, last update), its API access set
and removed on the page (the token never shown back), the needs-attention mark, and the selector behind the
control room's "lost over 10% of followers in a week" rule."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.channels.links import ChannelError
from sangathan.channels.models import ChannelCredential, ChannelSnapshot, Platform
from sangathan.channels.platforms import DayNumbers
from sangathan.channels.selectors import follower_bars, follower_drops
from sangathan.channels.services import channel_register, credential_set, snapshots_record
from sangathan.core.daily import jobs
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def record(channel, *pairs, source=ChannelSnapshot.Source.API):
    snapshots_record(channel=channel, days=[DayNumbers(day=d, followers=f) for d, f in pairs], source=source)


@pytest.fixture
def account(tree):
    return channel_register(unit=tree.jaipur, platform=Platform.X, name="BJP Jaipur", link="@bjp4jaipur")


def test_page_shows_bars_numbers_source_and_last_update(client, cast, account, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # the page's day is the test's day, even at midnight
    today = timezone.localdate()
    record(account, *[(today - datetime.timedelta(days=n), 1000 + 10 * (5 - n)) for n in range(5, -1, -1)])
    with translation.override("en"):
        page = log_in(client, cast.viewer).get(reverse("channels:numbers", args=[account.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<rect ") == 6 and "1,050" in html and "platform API" in html and "Last updated" in html
    assert "API access" in html and 'name="token"' not in html  # a viewer sees the status, not the form


def test_manager_sets_api_access_and_the_token_is_never_shown_back(client, cast, account):
    client = log_in(client, cast.district_admin)
    url = reverse("channels:api_access", args=[account.pk])
    answer = client.post(url, {"account_id": "783214", "token": "AAAA-very-secret-bearer"})
    assert answer.status_code == 302
    credential = ChannelCredential.objects.get(channel=account)
    assert credential.account_id == "783214" and credential.set_by == cast.district_admin
    html = client.get(reverse("channels:numbers", args=[account.pk])).content.decode()
    assert "783214" in html and "AAAA-very-secret-bearer" not in html
    # a bad token changes nothing
    client.post(url, {"account_id": "783214", "token": "has spaces in it"})
    assert ChannelCredential.objects.get(channel=account).token_encrypted == credential.token_encrypted
    client.post(reverse("channels:api_access_remove", args=[account.pk]))
    assert not ChannelCredential.objects.exists()


def test_sibling_district_gets_404_and_changes_nothing(client, cast, account):
    credential_set(channel=account, account_id="1", token="T")
    before = bytes(ChannelCredential.objects.get().token_encrypted)
    client = log_in(client, cast.sibling_admin)
    assert client.get(reverse("channels:numbers", args=[account.pk])).status_code == 404
    assert (
        client.post(reverse("channels:api_access", args=[account.pk]), {"account_id": "9", "token": "X"}).status_code
        == 404
    )
    assert client.post(reverse("channels:api_access_remove", args=[account.pk])).status_code == 404
    assert bytes(ChannelCredential.objects.get().token_encrypted) == before


def test_needs_attention_shows_on_the_unit_page_and_the_account_page(client, cast, account, tree):
    credential_set(channel=account, account_id="1", token="T")
    ChannelCredential.objects.update(
        status=ChannelCredential.Status.ATTENTION, last_error="X refused the token (HTTP 401)."
    )
    with translation.override("hi"):
        client = log_in(client, cast.district_admin, language="hi")
        unit_page = client.get(reverse("channels:unit", args=[tree.jaipur.pk])).content.decode()
        account_page = client.get(reverse("channels:numbers", args=[account.pk])).content.decode()
    assert "एपीआई एक्सेस पर ध्यान देने की ज़रूरत है" in unit_page
    assert "HTTP 401" in account_page and 'name="token"' in account_page


def test_whatsapp_group_cannot_have_api_access(tree):
    group = channel_register(
        unit=tree.booth1, platform=Platform.WHATSAPP_GROUP, name="G", link="chat.whatsapp.com/AbCdEf1234567890GhIjK1"
    )
    with pytest.raises(ChannelError):
        credential_set(channel=group, account_id="1", token="T")


def test_bars_are_scaled_to_show_a_change():
    class S:
        def __init__(self, day, followers):
            self.day, self.followers = day, followers

    bars = follower_bars([S(TODAY, 1000), S(TODAY, None), S(TODAY, 900)])
    assert [b.followers for b in bars] == [1000, 900] and bars[0].percent == 100 and bars[1].percent < 30
    assert follower_bars([]) == []


# ---------------------------------------------------------------- lost over 10% in a week


def test_follower_drops_over_ten_percent_in_a_week(tree, cast, account):
    steady = channel_register(unit=tree.ajmer, platform=Platform.X, name="BJP Ajmer", link="@bjp4ajmer")
    week_ago = TODAY - datetime.timedelta(days=7)
    record(account, (week_ago, 1000), (TODAY - datetime.timedelta(days=3), 950), (TODAY, 899))  # 10.1% lost
    record(steady, (week_ago, 1000), (TODAY - datetime.timedelta(days=1), 900))  # exactly 10%: not over
    [drop] = follower_drops(today=TODAY)
    assert (drop.channel_id, drop.before, drop.after, drop.percent_lost) == (account.pk, 1000, 899, 10.1)
    assert drop.unit_id == tree.jaipur.pk
    # scoped: the sibling district sees none of Jaipur's accounts
    assert follower_drops(today=TODAY, user=cast.sibling_admin) == []
    assert [d.channel_id for d in follower_drops(today=TODAY, user=cast.district_admin)] == [account.pk]
    assert follower_drops(today=TODAY, unit=tree.ajmer) == []


def test_follower_drops_needs_both_ends_of_the_week(account):
    record(account, (TODAY - datetime.timedelta(days=4), 1000), (TODAY, 100))  # nothing at the week's start
    assert follower_drops(today=TODAY) == []
    record(account, (TODAY - datetime.timedelta(days=6), 1000))  # the window's second day counts as its start
    assert [d.before for d in follower_drops(today=TODAY)] == [1000]


# ---------------------------------------------------------------- API and the daily run


def test_api_lists_an_accounts_days_newest_first_in_scope(client, cast, account):
    record(account, (TODAY - datetime.timedelta(days=2), 10), (TODAY - datetime.timedelta(days=1), 12))
    url = reverse("channels_api:channel-snapshots", args=[account.pk])
    answer = log_in(client, cast.viewer).get(url, {"since": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert answer.status_code == 200
    rows = answer.json()["results"] if "results" in answer.json() else answer.json()
    assert [(r["day"], r["followers"], r["source"]) for r in rows] == [
        ((TODAY - datetime.timedelta(days=1)).isoformat(), 12, "api")
    ]
    assert log_in(client, cast.sibling_admin).get(url).status_code == 404


def test_the_daily_run_includes_official_accounts():
    assert "channels-official-numbers" in [job.name for job in jobs()]


# ---------------------------------------------------------------- an export file uploaded on the page


def test_manager_uploads_an_export_file_and_bad_rows_are_listed(client, cast, account):
    data = Path(__file__).parent / "data"
    client = log_in(client, cast.district_admin)
    url = reverse("channels:numbers_import", args=[account.pk])
    bad = SimpleUploadedFile("x.csv", (data / "x_account_overview_bad.csv").read_bytes(), content_type="text/csv")
    with translation.override("en"):
        page = client.post(url, {"file": bad})
    assert page.status_code == 200 and "row 3 [Impressions]" in page.content.decode()
    assert not ChannelSnapshot.objects.exists()
    good = SimpleUploadedFile("x.csv", (data / "x_account_overview.csv").read_bytes(), content_type="text/csv")
    assert client.post(url, {"file": good, "followers": "20000"}).status_code == 302
    assert ChannelSnapshot.objects.filter(channel=account).count() == 3
    assert ChannelSnapshot.objects.get(day="2026-12-02").followers == 20000
    # a sibling district: 404, nothing written
    again = SimpleUploadedFile("x.csv", (data / "x_account_overview.csv").read_bytes().replace(b"58210", b"1"))
    assert log_in(client, cast.sibling_admin).post(url, {"file": again}).status_code == 404
    assert ChannelSnapshot.objects.get(day="2026-12-02").impressions == 58210
