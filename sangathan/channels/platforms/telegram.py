"""Telegram Bot API: ``getChatMemberCount`` of a channel or group the bot is in. Gives today's member count
only (stored as followers)."""

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
class TelegramAdapter(Adapter):
    name = "telegram"
    platforms = (Platform.TELEGRAM_CHANNEL, Platform.TELEGRAM_GROUP)

    def fetch(self, *, account_id, token, since, today: datetime.date) -> list[DayNumbers]:
        answer = get_json(f"{conf.api_url('telegram')}/bot{token}/getChatMemberCount", params={"chat_id": account_id})
        body = answer.body or {}
        if not body.get("ok"):
            description = str(body.get("description") or answer.status)[:200]
            if answer.status in (400, 401, 403, 404):  # Unauthorized, chat not found, bot was kicked
                raise CredentialRejected(_("Telegram refused: %(detail)s") % {"detail": description})
            raise PlatformError(_("Telegram answered: %(detail)s") % {"detail": description})
        members = count(body.get("result"))
        if members is None:
            raise PlatformError(_("Telegram's answer has no member count."))
        return [DayNumbers(day=today, followers=members)]
