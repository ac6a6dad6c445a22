"""YouTube Data API v3: ``GET /channels?part=statistics&id=...`` with an API key. Gives today's subscriber
count (absent when the channel hides it) and video count."""

import datetime

from django.utils.translation import gettext as _

from sangathan.channels import conf
from sangathan.channels.choices import Platform
from sangathan.channels.platforms.base import (
    Adapter,
    CredentialRejected,
    DayNumbers,
    PlatformError,
    count,
    get_json,
    rate_limited,
    register,
)

QUOTA_REASONS = frozenset({"quotaExceeded", "rateLimitExceeded", "dailyLimitExceeded", "userRateLimitExceeded"})


def _seconds_to_quota_reset(now: datetime.datetime | None = None) -> int:
    """YouTube's daily quota resets at midnight Pacific time (08:00 UTC, 07:00 in summer): wait until 08:00 UTC."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    reset = now.replace(hour=8, minute=0, second=0, microsecond=0)
    if reset <= now:
        reset += datetime.timedelta(days=1)
    return int((reset - now).total_seconds())


@register
class YouTubeAdapter(Adapter):
    name = "youtube"
    platforms = (Platform.YOUTUBE,)

    def fetch(self, *, account_id, token, since, today: datetime.date) -> list[DayNumbers]:
        answer = get_json(
            f"{conf.api_url('youtube')}/channels", params={"part": "statistics", "id": account_id, "key": token}
        )
        body = answer.body or {}
        if answer.status >= 400:
            error = body.get("error") or {}
            reasons = {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
            message = str(error.get("message") or answer.status)[:200]
            if reasons & QUOTA_REASONS:
                raise rate_limited(_seconds_to_quota_reset())
            if answer.status in (400, 401, 403):
                raise CredentialRejected(_("YouTube refused the key: %(detail)s") % {"detail": message})
            raise PlatformError(_("YouTube answered: %(detail)s") % {"detail": message})
        items = body.get("items") or []
        if not items:
            raise CredentialRejected(_("YouTube has no channel with this id."))
        statistics = items[0].get("statistics") or {}
        followers = None if statistics.get("hiddenSubscriberCount") else count(statistics.get("subscriberCount"))
        return [DayNumbers(day=today, followers=followers, posts_total=count(statistics.get("videoCount")))]
