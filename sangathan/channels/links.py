"""Per-platform validation and normalisation of channel links.

People paste links from their phones: with or without ``https://``, with ``www.`` or ``m.``,
with tracking parameters, with invisible direction marks copied out of WhatsApp messages.
``normalise_link`` accepts all of that and returns one canonical ``https://`` address per
channel (so the same group typed two ways is recognised as one), or raises ``ChannelError``
with a message that says what a good link for that platform looks like.
"""

import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sangathan.channels.choices import Platform

LINK_MAX = 300


class ChannelError(ValidationError):
    """A rule of the channel registry refused a change; nothing was written."""


# Characters that ride along when a link is copied out of a chat: direction marks, zero-width
# spaces, the byte-order mark, non-breaking spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff"))

_WHATSAPP_CODE = re.compile(r"[A-Za-z0-9]{20,24}")
_TELEGRAM_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_TELEGRAM_INVITE = re.compile(r"[A-Za-z0-9_-]{10,40}")
_FACEBOOK_NAME = re.compile(r"[A-Za-z0-9.]{5,50}")
_FACEBOOK_GROUP = re.compile(r"[A-Za-z0-9.]{1,80}")
_DIGITS = re.compile(r"[0-9]{5,20}")
_INSTAGRAM_HANDLE = re.compile(r"(?!\.)(?!.*\.\.)[A-Za-z0-9._]{1,30}(?<!\.)")
_X_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_YOUTUBE_HANDLE = re.compile(r"[A-Za-z0-9._-]{3,30}")
_YOUTUBE_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_YOUTUBE_LEGACY = re.compile(r"[A-Za-z0-9._-]{1,100}")

_FACEBOOK_HOSTS = {"facebook.com", "fb.com", "web.facebook.com", "business.facebook.com"}
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_X_HOSTS = {"x.com", "twitter.com"}

# First path segments that are site pages, not accounts.
_FACEBOOK_RESERVED = {
    "groups",
    "watch",
    "events",
    "marketplace",
    "gaming",
    "login",
    "login.php",
    "share",
    "sharer",
    "sharer.php",
    "photo",
    "photo.php",
    "story.php",
    "permalink.php",
    "reel",
    "hashtag",
    "help",
    "home.php",
}
_INSTAGRAM_RESERVED = {"p", "reel", "reels", "tv", "stories", "explore", "accounts", "direct", "about", "developer"}
_X_RESERVED = {
    "home",
    "explore",
    "i",
    "search",
    "intent",
    "share",
    "hashtag",
    "notifications",
    "messages",
    "settings",
    "login",
    "signup",
    "compose",
    "tos",
    "privacy",
}
_TELEGRAM_RESERVED = {"share", "addstickers", "addemoji", "proxy", "socks", "iv", "setlanguage", "confirmphone"}


def clean_text(raw) -> str:
    """Unicode-normalised text without invisible characters, trimmed."""
    text = unicodedata.normalize("NFKC", str(raw or "")).translate(_INVISIBLE)
    return text.replace("\u00a0", " ").strip()


def _split(text: str):
    """(host without www./m./mobile., path segments, query dict) of a URL typed with or without scheme."""
    candidate = text if "://" in text else "https://" + text
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "mbasic."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    segments = [s for s in parts.path.split("/") if s]
    return host, segments, parse_qs(parts.query)


def _bad(message: str, code: str = "link_invalid"):
    return ChannelError(message, code=code)


def _whatsapp_group(text: str) -> str:
    example = "https://chat.whatsapp.com/AbCdEf1234567890GhIjKl"
    split = _split(text)
    if split is None:
        raise _bad(_("Paste the group's invite link, like %(example)s.") % {"example": example})
    host, segments, _query = split
    if host == "whatsapp.com" and segments[:1] == ["channel"]:
        raise _bad(
            _(
                "This is a WhatsApp channel link, not a group invite link. Paste the group's invite link, like %(example)s."
            )
            % {"example": example}
        )
    if host in ("wa.me", "api.whatsapp.com"):
        raise _bad(
            _("This link opens a chat with one number, not a group. Paste the group's invite link, like %(example)s.")
            % {"example": example}
        )
    if host != "chat.whatsapp.com":
        raise _bad(
            _("A WhatsApp group invite link starts with chat.whatsapp.com, like %(example)s.") % {"example": example}
        )
    if segments[:1] == ["invite"]:
        segments = segments[1:]
    if len(segments) != 1 or not _WHATSAPP_CODE.fullmatch(segments[0]):
        raise _bad(
            _(
                "The invite code after chat.whatsapp.com/ is incomplete or wrong. Copy the whole link again from the group."
            )
        )
    return "https://chat.whatsapp.com/" + segments[0]


def _telegram(text: str, platform: str) -> str:
    example = "https://t.me/bjp_jaipur"
    if text.startswith("@"):
        name = text[1:]
        if not _TELEGRAM_USERNAME.fullmatch(name):
            raise _bad(_("A Telegram username has 5 to 32 letters, digits or underscores and starts with a letter."))
        return "https://t.me/" + name.lower()
    split = _split(text)
    if split is None or split[0] not in _TELEGRAM_HOSTS:
        raise _bad(
            _("A Telegram link starts with t.me/, like %(example)s, or give the @username.") % {"example": example}
        )
    _host, segments, _query = split
    if not segments:
        raise _bad(_("The Telegram link has no channel or group name after t.me/."))
    first = segments[0]
    if first == "joinchat" and len(segments) == 2 and _TELEGRAM_INVITE.fullmatch(segments[1]):
        return "https://t.me/+" + segments[1]
    if first.startswith("+") and len(segments) == 1 and _TELEGRAM_INVITE.fullmatch(first[1:]):
        return "https://t.me/" + first
    if first == "s" and len(segments) >= 2:
        first = segments[1]
        segments = segments[1:]
    if first.lower() in _TELEGRAM_RESERVED or not _TELEGRAM_USERNAME.fullmatch(first):
        raise _bad(_("This is not a Telegram channel or group link. Use t.me/<name> or the invite link t.me/+<code>."))
    # t.me/name/123 links to one post: the channel is the name.
    return "https://t.me/" + first.lower()


def _facebook(text: str, platform: str) -> str:
    is_group = platform == Platform.FACEBOOK_GROUP
    split = _split(text)
    if split is None or split[0] not in _FACEBOOK_HOSTS:
        if is_group:
            raise _bad(
                _("A Facebook group link looks like %(example)s.")
                % {"example": "https://www.facebook.com/groups/bjpjaipur"}
            )
        raise _bad(
            _("A Facebook page link looks like %(example)s.") % {"example": "https://www.facebook.com/BJP4Jaipur"}
        )
    _host, segments, query = split
    if not segments:
        raise _bad(_("The Facebook link has no page or group name after facebook.com/."))
    first = segments[0].lower()
    if first == "share":
        raise _bad(
            _(
                "This is a share link that hides the address. Open it, then copy the address of the page or group itself."
            )
        )
    if is_group:
        if first != "groups":
            raise _bad(
                _("This is not a Facebook group link: a group's address has /groups/ in it, like %(example)s.")
                % {"example": "https://www.facebook.com/groups/bjpjaipur"}
            )
        if len(segments) < 2 or not _FACEBOOK_GROUP.fullmatch(segments[1]):
            raise _bad(_("The Facebook group link has no group name or number after /groups/."))
        return "https://www.facebook.com/groups/" + segments[1].lower()
    if first == "groups":
        raise _bad(_("This is a Facebook group link. Choose the platform 'Facebook group' for it."))
    if first == "profile.php":
        page_id = (query.get("id") or [""])[0]
        if not _DIGITS.fullmatch(page_id):
            raise _bad(_("The Facebook link has no page number after profile.php?id=."))
        return "https://www.facebook.com/profile.php?id=" + page_id
    if first == "pages" and len(segments) >= 3 and _DIGITS.fullmatch(segments[-1]):
        return "https://www.facebook.com/" + segments[-1]
    if first in _FACEBOOK_RESERVED or not _FACEBOOK_NAME.fullmatch(segments[0]):
        raise _bad(
            _("This is not a Facebook page address. A page link looks like %(example)s.")
            % {"example": "https://www.facebook.com/BJP4Jaipur"}
        )
    return "https://www.facebook.com/" + segments[0].lower()


def _instagram(text: str) -> str:
    rule = _("An Instagram handle has up to 30 letters, digits, dots or underscores.")
    if text.startswith("@"):
        handle = text[1:]
    else:
        split = _split(text)
        if split is None or split[0] not in ("instagram.com", "instagr.am"):
            raise _bad(
                _("An Instagram link looks like %(example)s, or give the @handle.")
                % {"example": "https://www.instagram.com/bjp4rajasthan"}
            )
        segments = split[1]
        if not segments:
            raise _bad(_("The Instagram link has no account name after instagram.com/."))
        if segments[0].lower() in _INSTAGRAM_RESERVED:
            raise _bad(_("This links to a post or a page of Instagram, not to an account. Give the account's link."))
        handle = segments[0]
    if not _INSTAGRAM_HANDLE.fullmatch(handle):
        raise _bad(rule)
    return "https://www.instagram.com/" + handle.lower()


def _x(text: str) -> str:
    rule = _("An X (Twitter) handle has 1 to 15 letters, digits or underscores.")
    if text.startswith("@"):
        handle = text[1:]
    else:
        split = _split(text)
        if split is None or split[0] not in _X_HOSTS:
            raise _bad(
                _("An X (Twitter) link looks like %(example)s, or give the @handle.")
                % {"example": "https://x.com/BJP4Rajasthan"}
            )
        segments = split[1]
        if not segments:
            raise _bad(_("The X (Twitter) link has no account name after x.com/."))
        if segments[0].lower() in _X_RESERVED:
            raise _bad(_("This links to a page of X, not to an account. Give the account's link or @handle."))
        handle = segments[0]
    if not _X_HANDLE.fullmatch(handle):
        raise _bad(rule)
    return "https://x.com/" + handle.lower()


def _youtube(text: str) -> str:
    example = "https://www.youtube.com/@BJP4Rajasthan"
    rule = _("A YouTube handle has 3 to 30 letters, digits, dots, dashes or underscores.")
    if text.startswith("@"):
        if not _YOUTUBE_HANDLE.fullmatch(text[1:]):
            raise _bad(rule)
        return "https://www.youtube.com/@" + text[1:].lower()
    split = _split(text)
    if split is None or split[0] not in ("youtube.com", "youtu.be"):
        raise _bad(
            _("A YouTube channel link looks like %(example)s or youtube.com/channel/UC...") % {"example": example}
        )
    host, segments, _query = split
    if host == "youtu.be" or (segments and segments[0].lower() in ("watch", "shorts", "live", "playlist", "embed")):
        raise _bad(_("This is a link to a video, not to a channel. Open the channel and copy its address."))
    if not segments:
        raise _bad(_("The YouTube link has no channel after youtube.com/."))
    first = segments[0]
    if first.startswith("@"):
        if not _YOUTUBE_HANDLE.fullmatch(first[1:]):
            raise _bad(rule)
        return "https://www.youtube.com/@" + first[1:].lower()
    if first == "channel":
        if len(segments) < 2 or not _YOUTUBE_CHANNEL_ID.fullmatch(segments[1]):
            raise _bad(_("A YouTube channel id starts with UC and has 24 characters."))
        return "https://www.youtube.com/channel/" + segments[1]
    if first in ("c", "user") and len(segments) >= 2 and _YOUTUBE_LEGACY.fullmatch(segments[1]):
        return "https://www.youtube.com/" + first + "/" + segments[1].lower()
    raise _bad(_("A YouTube channel link looks like %(example)s or youtube.com/channel/UC...") % {"example": example})


def normalise_link(platform: str, raw) -> str:
    """The canonical link for ``platform``, or ``ChannelError``. Broadcast lists have no link: ''."""
    text = clean_text(raw)
    if platform == Platform.WHATSAPP_BROADCAST:
        if text:
            raise _bad(
                _(
                    "A WhatsApp broadcast list has no link. Leave the link empty and give the mobile number "
                    "the list is run from."
                ),
                code="broadcast_has_no_link",
            )
        return ""
    if platform not in Platform.values:
        raise _bad(_("Choose a platform."), code="platform_invalid")
    if not text:
        raise _bad(_("Give the link or handle of the channel."), code="link_missing")
    if len(text) > LINK_MAX:
        raise _bad(_("This link is too long."), code="link_too_long")
    if any(ch.isspace() for ch in text):
        raise _bad(_("A link cannot contain spaces. Copy it again without extra words."))
    if platform == Platform.WHATSAPP_GROUP:
        return _whatsapp_group(text)
    if platform in (Platform.TELEGRAM_CHANNEL, Platform.TELEGRAM_GROUP):
        return _telegram(text, platform)
    if platform in (Platform.FACEBOOK_PAGE, Platform.FACEBOOK_GROUP):
        return _facebook(text, platform)
    if platform == Platform.INSTAGRAM:
        return _instagram(text)
    if platform == Platform.X:
        return _x(text)
    return _youtube(text)


def channel_url(platform: str, link: str) -> str:
    """An address to open the channel, or '' (broadcast lists have none)."""
    return link if link.startswith("https://") else ""


def short_link(link: str) -> str:
    """The link without scheme and www., for display: chat.whatsapp.com/AbC..., x.com/bjp4india."""
    for prefix in ("https://www.", "https://"):
        if link.startswith(prefix):
            return link[len(prefix) :]
    return link
