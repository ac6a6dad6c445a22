"""The platforms a channel can be on (a module of its own so that ``links`` and ``models`` both use it
without importing each other)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    WHATSAPP_GROUP = "whatsapp_group", _("WhatsApp group")
    WHATSAPP_BROADCAST = "whatsapp_broadcast", _("WhatsApp broadcast list")
    TELEGRAM_CHANNEL = "telegram_channel", _("Telegram channel")
    TELEGRAM_GROUP = "telegram_group", _("Telegram group")
    FACEBOOK_PAGE = "facebook_page", _("Facebook page")
    FACEBOOK_GROUP = "facebook_group", _("Facebook group")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X (Twitter)")
    YOUTUBE = "youtube", _("YouTube")


PLATFORM_BADGES = {
    Platform.WHATSAPP_GROUP: "WA",
    Platform.WHATSAPP_BROADCAST: "BL",
    Platform.TELEGRAM_CHANNEL: "TG",
    Platform.TELEGRAM_GROUP: "TG",
    Platform.FACEBOOK_PAGE: "FB",
    Platform.FACEBOOK_GROUP: "FB",
    Platform.INSTAGRAM: "IG",
    Platform.X: "X",
    Platform.YOUTUBE: "YT",
}

# Official accounts: their numbers (followers, posts, reach) are read from export files or the platforms' APIs.
ACCOUNT_PLATFORMS = (
    Platform.FACEBOOK_PAGE,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.YOUTUBE,
    Platform.TELEGRAM_CHANNEL,
    Platform.TELEGRAM_GROUP,
)
