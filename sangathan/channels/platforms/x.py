"""X API v2: ``GET /2/users/:id?user.fields=public_metrics`` with the app's bearer token. Gives today's
follower total and the account's post count (``tweet_count``); X's API has no daily history of either."""

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
    register,
)


@register
class XAdapter(Adapter):
    name = "x"
    platforms = (Platform.X,)

    def fetch(self, *, account_id, token, since, today: datetime.date) -> list[DayNumbers]:
        answer = get_json(
            f"{conf.api_url('x')}/2/users/{account_id}",
            params={"user.fields": "public_metrics"},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = answer.body or {}
        if answer.status in (401, 403):
            raise CredentialRejected(_("X refused the token (HTTP %(status)d).") % {"status": answer.status})
        if answer.status >= 400 or "data" not in body:
            errors = body.get("errors") or [{}]
            title = str(errors[0].get("title") or errors[0].get("detail") or answer.status)
            if answer.status == 404 or "not found" in title.lower():
                raise CredentialRejected(_("X has no account with this id: %(detail)s") % {"detail": title[:200]})
            raise PlatformError(_("X answered: %(detail)s") % {"detail": title[:200]})
        metrics = body["data"].get("public_metrics") or {}
        followers = count(metrics.get("followers_count"))
        if followers is None:
            raise PlatformError(_("X's answer has no follower count."))
        return [DayNumbers(day=today, followers=followers, posts_total=count(metrics.get("tweet_count")))]
