"""The API adapters against a local fake of each platform, and the daily run that stores what they read:
totals, Meta's insights page after page, rate limits (429 with Retry-After, X's x-rate-limit-reset, Telegram's
retry_after, YouTube's quota, Meta's codes), errors (5xx, unreadable), expired or refused tokens."""

import datetime
import time

import pytest
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.channels import platforms as p
from sangathan.channels.api_runs import numbers_fetch_daily
from sangathan.channels.models import ChannelCredential, ChannelSnapshot, Platform
from sangathan.channels.platforms.base import wait_seconds
from sangathan.channels.services import channel_numbers_fetch, channel_register, credential_set

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def fetch(platform, *, account="42", token="tok", since=None, today=TODAY):  # noqa: S107 (a fake's token)
    return p.adapter_for(platform).fetch(account_id=account, token=token, since=since, today=today)


# ---------------------------------------------------------------- X


def test_x_reads_followers_and_posts_with_the_bearer_token(platforms):
    platforms.on(
        "/x/2/users/42", (200, {"data": {"id": "42", "public_metrics": {"followers_count": 12345, "tweet_count": 980}}})
    )
    [day] = fetch(Platform.X)
    assert (day.day, day.followers, day.posts_total) == (TODAY, 12345, 980)
    asked = platforms.asked_under("/x/")[0]
    assert asked.headers["authorization"] == "Bearer tok" and asked.query["user.fields"] == "public_metrics"


def test_x_rate_limit_waits_until_the_reset(platforms):
    reset = int(time.time()) + 600
    platforms.on("/x/2/users/42", (429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}))
    with pytest.raises(p.RateLimited) as caught:
        fetch(Platform.X)
    assert 590 <= caught.value.wait_seconds <= 600


@pytest.mark.parametrize("status", [401, 403])
def test_x_refused_token(platforms, status):
    platforms.on("/x/2/users/42", (status, {"title": "Unauthorized", "status": status}))
    with pytest.raises(p.CredentialRejected):
        fetch(Platform.X)


def test_x_unknown_account_and_server_error(platforms):
    platforms.on("/x/2/users/42", (200, {"errors": [{"title": "Not Found Error", "detail": "Could not find user"}]}))
    with pytest.raises(p.CredentialRejected):
        fetch(Platform.X)
    platforms.on("/x/2/users/42", (503, b"<html>over capacity</html>"))
    with pytest.raises(p.PlatformError) as caught:
        fetch(Platform.X)
    assert not isinstance(caught.value, p.CredentialRejected) and "503" in str(caught.value)


# ---------------------------------------------------------------- Meta


def _insight(name, values):
    return {
        "name": name,
        "period": "day",
        "values": [{"value": v, "end_time": f"{d}T08:00:00+0000"} for d, v in values],
    }


def test_meta_page_totals_and_insights_follow_paging_next(platforms):
    base = f"{platforms.url}/graph/v21.0"
    platforms.on("/graph/v21.0/555", (200, {"followers_count": 50210, "fan_count": 48000, "id": "555"}))
    page1 = {
        "data": [
            _insight("page_impressions", [("2026-12-02", 900), ("2026-12-03", 1000)]),
            _insight("page_impressions_unique", [("2026-12-02", 400), ("2026-12-03", 450)]),
        ],
        "paging": {"next": f"{base}/555/insights?page=2&access_token=tok"},
    }
    page2 = {
        "data": [_insight("page_impressions", [("2026-12-04", 1100), ("2026-12-07", 5)])],
        "paging": {"next": f"{base}/555/insights?page=3&access_token=tok"},
    }
    page3 = {
        "data": [_insight("page_impressions", [("2026-12-08", 7)])],
        "paging": {"next": f"{base}/555/insights?page=4"},
    }
    platforms.on("/graph/v21.0/555/insights", (200, page1), (200, page2), (200, page3))
    days = fetch(Platform.FACEBOOK_PAGE, account="555", since=datetime.date(2026, 12, 1))
    by_day = {d.day: d for d in days}
    # end_time closes the day before; today (incomplete) and later days are not taken from insights
    assert by_day[datetime.date(2026, 12, 1)].values() == {"impressions": 900, "reach": 400}
    assert by_day[datetime.date(2026, 12, 2)].values() == {"impressions": 1000, "reach": 450}
    assert by_day[datetime.date(2026, 12, 3)].values() == {"impressions": 1100}
    assert by_day[TODAY].values() == {"followers": 50210}
    pages = platforms.asked_under("/graph/v21.0/555/insights")
    assert len(pages) == 3  # the third page brought nothing new: no fourth asked
    assert pages[0].query["since"] == "2026-12-01" and pages[0].query["until"] == "2026-12-07"
    assert pages[0].query["metric"] == "page_impressions,page_impressions_unique"


def test_meta_next_link_on_another_host_is_not_followed(platforms):
    platforms.on("/graph/v21.0/555", (200, {"followers_count": 10}))
    platforms.on(
        "/graph/v21.0/555/insights",
        (
            200,
            {
                "data": [_insight("page_impressions", [("2026-12-03", 1)])],
                "paging": {"next": "https://evil.example/x?access_token=tok"},
            },
        ),
    )
    fetch(Platform.FACEBOOK_PAGE, account="555", since=datetime.date(2026, 12, 1))
    assert len(platforms.asked_under("/graph/v21.0/555/insights")) == 1


def test_instagram_followers_media_and_insights(platforms):
    platforms.on("/graph/v21.0/1784", (200, {"followers_count": 48501, "media_count": 1203}))
    platforms.on(
        "/graph/v21.0/1784/insights", (200, {"data": [_insight("reach", [("2026-12-06", 3000)])], "paging": {}})
    )
    days = fetch(Platform.INSTAGRAM, account="1784", since=datetime.date(2026, 12, 5))
    assert {d.day: d.values() for d in days} == {
        datetime.date(2026, 12, 5): {"reach": 3000},
        TODAY: {"followers": 48501, "posts_total": 1203},
    }


def test_meta_expired_token_and_rate_limit_codes(platforms):
    platforms.on(
        "/graph/v21.0/555",
        (
            400,
            {
                "error": {
                    "message": "Error validating access token: Session has expired",
                    "type": "OAuthException",
                    "code": 190,
                }
            },
        ),
    )
    with pytest.raises(p.CredentialRejected) as caught:
        fetch(Platform.FACEBOOK_PAGE, account="555", token="EAAB-secret")
    assert "expired" in str(caught.value) and "EAAB" not in str(caught.value)
    platforms.on("/graph/v21.0/555", (400, {"error": {"message": "Application request limit reached", "code": 4}}))
    with pytest.raises(p.RateLimited) as limited:
        fetch(Platform.FACEBOOK_PAGE, account="555")
    assert limited.value.wait_seconds == 3600


# ---------------------------------------------------------------- YouTube


def test_youtube_statistics(platforms):
    platforms.on(
        "/youtube/v3/channels",
        (
            200,
            {
                "items": [
                    {
                        "id": "UC1",
                        "statistics": {"subscriberCount": "98100", "videoCount": "812", "hiddenSubscriberCount": False},
                    }
                ]
            },
        ),
    )
    [day] = fetch(Platform.YOUTUBE, account="UC1", token="KEY")
    assert (day.followers, day.posts_total) == (98100, 812)
    asked = platforms.asked_under("/youtube/")[0]
    assert asked.query == {"part": "statistics", "id": "UC1", "key": "KEY"}


def test_youtube_quota_unknown_channel_and_bad_key(platforms):
    platforms.on(
        "/youtube/v3/channels",
        (403, {"error": {"code": 403, "message": "quota", "errors": [{"reason": "quotaExceeded"}]}}),
    )
    with pytest.raises(p.RateLimited):
        fetch(Platform.YOUTUBE)
    platforms.on("/youtube/v3/channels", (200, {"items": []}))
    with pytest.raises(p.CredentialRejected):
        fetch(Platform.YOUTUBE)
    platforms.on(
        "/youtube/v3/channels",
        (400, {"error": {"code": 400, "message": "API key not valid.", "errors": [{"reason": "badRequest"}]}}),
    )
    with pytest.raises(p.CredentialRejected):
        fetch(Platform.YOUTUBE)


# ---------------------------------------------------------------- Telegram


def test_telegram_member_count_and_its_errors(platforms):
    platforms.on("/telegram/botTOKEN/getChatMemberCount", (200, {"ok": True, "result": 2211}))
    [day] = fetch(Platform.TELEGRAM_CHANNEL, account="@bjp_rj", token="TOKEN")
    assert day.followers == 2211
    assert platforms.asked_under("/telegram/")[0].query == {"chat_id": "@bjp_rj"}
    platforms.on(
        "/telegram/botTOKEN/getChatMemberCount",
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
        ),
    )
    with pytest.raises(p.RateLimited) as caught:
        fetch(Platform.TELEGRAM_CHANNEL, token="TOKEN")
    assert caught.value.wait_seconds == 7
    platforms.on(
        "/telegram/botTOKEN/getChatMemberCount", (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    )
    with pytest.raises(p.CredentialRejected) as refused:
        fetch(Platform.TELEGRAM_CHANNEL, token="TOKEN")
    assert "TOKEN" not in str(refused.value)


def test_wait_seconds_reads_retry_after_forms():
    now = 1_000_000.0
    assert wait_seconds({"retry-after": "120"}, now=now) == 120
    assert wait_seconds({"x-rate-limit-reset": str(int(now) + 30)}, now=now) == 30
    assert wait_seconds({}, now=now) == 900
    assert wait_seconds({"retry-after": "999999999"}, now=now) == 24 * 3600


def test_unreachable_platform_is_a_passing_error(settings):
    settings.X_API_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(p.PlatformError) as caught:
        fetch(Platform.X)
    assert not isinstance(caught.value, p.CredentialRejected | p.RateLimited)


# ---------------------------------------------------------------- the daily run


@pytest.fixture
def x_account(tree):
    channel = channel_register(unit=tree.jaipur, platform=Platform.X, name="BJP Jaipur", link="@bjp4jaipur")
    credential_set(channel=channel, account_id="42", token="SECRET-TOKEN")
    return channel


def test_token_is_stored_encrypted_and_kept_out_of_the_trail(x_account, cast):
    credential = ChannelCredential.objects.get(channel=x_account)
    assert b"SECRET-TOKEN" not in bytes(credential.token_encrypted)
    trail = " ".join(str(e.changes) + str(e.changes_text) for e in AuditEntry.objects.all())
    assert "SECRET" not in trail and "token_encrypted" not in trail


def test_daily_run_stores_one_row_a_day_and_is_idempotent(platforms, x_account):
    platforms.on("/x/2/users/42", (200, {"data": {"public_metrics": {"followers_count": 1000, "tweet_count": 5}}}))
    assert numbers_fetch_daily(today=TODAY) == "1 official accounts queued"
    platforms.on("/x/2/users/42", (200, {"data": {"public_metrics": {"followers_count": 1010, "tweet_count": 6}}}))
    assert channel_numbers_fetch(channel_id=x_account.pk, today=TODAY).status == "fetched"
    snapshot = ChannelSnapshot.objects.get(channel=x_account)
    assert (snapshot.day, snapshot.followers, snapshot.posts_total, snapshot.source) == (TODAY, 1010, 6, "api")
    credential = ChannelCredential.objects.get(channel=x_account)
    assert credential.fetched_through == TODAY - datetime.timedelta(days=1) and credential.last_success_at
    assert platforms.asked_under("/x/")[0].headers["authorization"] == "Bearer SECRET-TOKEN"


def test_expired_token_marks_the_channel_for_attention_and_stops_asking(platforms, x_account):
    platforms.on("/x/2/users/42", (401, {"title": "Unauthorized"}))
    outcome = channel_numbers_fetch(channel_id=x_account.pk, today=TODAY)
    assert outcome.status == "rejected"
    credential = ChannelCredential.objects.get(channel=x_account)
    assert credential.needs_attention and "401" in credential.last_error
    assert not ChannelSnapshot.objects.exists()
    # the daily run leaves it alone until a person sets a new token
    numbers_fetch_daily(today=TODAY)
    assert len(platforms.asked_under("/x/")) == 1
    credential_set(channel=x_account, account_id="42", token="NEW-TOKEN")
    platforms.on("/x/2/users/42", (200, {"data": {"public_metrics": {"followers_count": 7}}}))
    assert channel_numbers_fetch(channel_id=x_account.pk, today=TODAY).status == "fetched"
    assert ChannelCredential.objects.get(channel=x_account).status == "ok"


def test_rate_limit_waits_then_resumes_from_the_last_day_stored(platforms, tree):
    page = channel_register(
        unit=tree.jaipur, platform=Platform.FACEBOOK_PAGE, name="Page", link="facebook.com/bjpjaipur"
    )
    credential_set(channel=page, account_id="555", token="T")
    ChannelCredential.objects.filter(channel=page).update(fetched_through=datetime.date(2026, 12, 3))
    platforms.on("/graph/v21.0/555", (429, {"error": {"message": "slow down"}}, {"Retry-After": "120"}))
    outcome = channel_numbers_fetch(channel_id=page.pk, today=TODAY)
    assert (outcome.status, outcome.wait_seconds) == ("waiting", 120)
    credential = ChannelCredential.objects.get(channel=page)
    assert credential.retry_after > timezone.now() and credential.status == "ok"
    assert credential.fetched_through == datetime.date(2026, 12, 3)  # nothing lost: the next run starts after it
    # asked again before the wait is over: skipped, nothing sent
    assert channel_numbers_fetch(channel_id=page.pk, today=TODAY).status == "skipped"
    assert len(platforms.asked_under("/graph/")) == 1
    ChannelCredential.objects.filter(channel=page).update(retry_after=timezone.now() - datetime.timedelta(seconds=1))
    platforms.on("/graph/v21.0/555", (200, {"followers_count": 900}))
    platforms.on(
        "/graph/v21.0/555/insights",
        (200, {"data": [_insight("page_impressions", [("2026-12-05", 50), ("2026-12-06", 60)])]}),
    )
    assert channel_numbers_fetch(channel_id=page.pk, today=TODAY).status == "fetched"
    assert platforms.asked_under("/graph/v21.0/555/insights")[0].query["since"] == "2026-12-04"
    assert dict(ChannelSnapshot.objects.filter(channel=page).values_list("day", "impressions")) == {
        datetime.date(2026, 12, 4): 50,
        datetime.date(2026, 12, 5): 60,
        TODAY: None,
    }


def test_server_error_leaves_the_credential_working(platforms, x_account):
    platforms.on("/x/2/users/42", (502, b"bad gateway"))
    assert channel_numbers_fetch(channel_id=x_account.pk, today=TODAY).status == "failed"
    credential = ChannelCredential.objects.get(channel=x_account)
    assert credential.status == "ok" and "502" in credential.last_error and credential.retry_after is None


@pytest.mark.parametrize("value", [True, -1, 2**31, "9" * 30, "１２", "12.5", None, [], "٣"])
def test_a_number_that_cannot_be_an_accounts_is_none(value):
    from sangathan.channels.platforms.base import count

    assert count(value) is None


def test_a_plain_number_is_read():
    from sangathan.channels.platforms.base import count

    assert (count(0), count(2**31 - 1), count(" 42 ")) == (0, 2**31 - 1, 42)
