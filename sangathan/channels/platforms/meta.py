"""Meta Graph API, for Facebook Pages and Instagram professional accounts.

- Today's totals: a Page's ``followers_count`` (``fan_count``, its likes, when followers are not given), an
  Instagram account's ``followers_count`` and ``media_count``.
- Daily insights from ``since`` up to yesterday (a day's insights are final only after it ends): a Page's
  ``page_impressions`` and ``page_impressions_unique`` (reach), an Instagram account's ``impressions`` and
  ``reach``. They come in pages: ``paging.next`` is followed (on the API's own host only, at most
  ``CHANNEL_API_MAX_PAGES``) until a page brings nothing new.

A day's value carries ``end_time``, the end of the day in the Page's time zone as Meta counts it
(``2026-12-02T08:00:00+0000`` closes 1 December in California): the day is the one before ``end_time``'s date.
Meta refuses an expired or revoked token with OAuth error 190 (HTTP 400 or 401); it reports its rate limits as
error codes 4, 17, 32 and 613 (often with HTTP 400, sometimes 403).
"""

import datetime

from django.utils.translation import gettext as _

from sangathan.channels import conf
from sangathan.channels.choices import Platform
from sangathan.channels.platforms.base import (
    Adapter,
    CredentialRejected,
    DayNumbers,
    PlatformError,
    Response,
    count,
    get_json,
    rate_limited,
    register,
    same_host,
    wait_seconds,
)

TOKEN_CODES = frozenset({190, 102, 10, 200})  # expired/invalid token, session, permission missing
RATE_CODES = frozenset({4, 17, 32, 613, 80001, 80002})
FIELDS = {
    Platform.FACEBOOK_PAGE: "followers_count,fan_count",
    Platform.INSTAGRAM: "followers_count,media_count",
}
METRICS = {
    Platform.FACEBOOK_PAGE: {"page_impressions": "impressions", "page_impressions_unique": "reach"},
    Platform.INSTAGRAM: {"impressions": "impressions", "reach": "reach"},
}


def _check(answer: Response) -> dict:
    body = answer.body or {}
    error = body.get("error") if isinstance(body, dict) else None
    if not error and answer.status < 400:
        return body
    error = error or {}
    code = error.get("code")
    message = str(error.get("message") or answer.status)[:200]
    if code in RATE_CODES:
        raise rate_limited(wait_seconds(answer.headers) if "retry-after" in answer.headers else 3600)
    if code in TOKEN_CODES or answer.status in (401, 403) or error.get("type") == "OAuthException":
        raise CredentialRejected(_("Meta refused the token: %(detail)s") % {"detail": message})
    if code == 100 and answer.status == 400 and "does not exist" in message:
        raise CredentialRejected(_("Meta has no account with this id: %(detail)s") % {"detail": message})
    raise PlatformError(_("Meta answered: %(detail)s") % {"detail": message})


def _day_of(end_time: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(end_time)[:10]) - datetime.timedelta(days=1)
    except ValueError:
        return None


class MetaAdapter(Adapter):
    name = "meta"

    def fetch(self, *, account_id, token, since, today: datetime.date) -> list[DayNumbers]:
        platform = self.platforms[0]
        base = conf.api_url("meta")
        totals = _check(get_json(f"{base}/{account_id}", params={"fields": FIELDS[platform], "access_token": token}))
        followers = count(totals.get("followers_count"))
        if followers is None:
            followers = count(totals.get("fan_count"))
        days: dict[datetime.date, DayNumbers] = {
            today: DayNumbers(day=today, followers=followers, posts_total=count(totals.get("media_count")))
        }
        first = since or today - datetime.timedelta(days=conf.backfill_days())
        if first < today:
            for day, field, value in self._insights(base, account_id, token, platform, first, today):
                days.setdefault(day, DayNumbers(day=day))
                setattr(days[day], field, value)
        return [days[day] for day in sorted(days)]

    def _insights(self, base, account_id, token, platform, first: datetime.date, today: datetime.date):
        """(day, field, value) for every day from ``first`` to yesterday, page after page."""
        metrics = METRICS[platform]
        url = f"{base}/{account_id}/insights"
        params: dict[str, str] | None = {
            "metric": ",".join(metrics),
            "period": "day",
            "since": first.isoformat(),
            "until": today.isoformat(),
            "access_token": token,
        }
        seen: set[tuple[datetime.date, str]] = set()
        for _page in range(conf.max_pages()):
            body = _check(get_json(url, params=params))
            new = 0
            for series in body.get("data") or []:
                field = metrics.get(series.get("name"))
                if field is None:
                    continue
                for point in series.get("values") or []:
                    day, value = _day_of(point.get("end_time", "")), count(point.get("value"))
                    if day is None or value is None or not (first <= day < today) or (day, field) in seen:
                        continue
                    seen.add((day, field))
                    new += 1
                    yield day, field, value
            next_url = (body.get("paging") or {}).get("next")
            if not new or not next_url or not same_host(next_url, base):
                return
            url, params = next_url, None  # the next link carries every parameter, the token included
        raise PlatformError(_("Meta kept sending more pages than expected; the rest waits for the next run."))


@register
class FacebookPageAdapter(MetaAdapter):
    platforms = (Platform.FACEBOOK_PAGE,)


@register
class InstagramAdapter(MetaAdapter):
    platforms = (Platform.INSTAGRAM,)
