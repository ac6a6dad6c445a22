"""Links to posts that office-bearers report: validated per platform, normalised, and keyed for de-duplication.

People paste what their phone's share button gives them: ``m.`` and ``mobile.`` hosts, ``twitter.com``,
``youtu.be``, tracking parameters (``utm_*``, ``fbclid``, ``igshid``, ``si``, ``s``, ``t``…), invisible marks
copied out of WhatsApp. ``normalise_post_url`` accepts all of that for a link to **one post** and returns a
``PostLink``: the platform, one canonical ``https://`` address (only the parts that name the post are kept,
so every tracking parameter goes by construction) and a key. The key names the post itself where the
platform gives it an id (an X status, a YouTube video, an Instagram shortcode), so ``x.com/A/status/1`` and
``twitter.com/a/status/1?s=20`` are one post, and a YouTube short reported as ``youtu.be/ID`` is the same
as ``youtube.com/shorts/ID``; elsewhere it is the canonical address. Reported posts are unique per state by
this key (``ReportedPost``).

Anything that is not a post — an account or page, a WhatsApp group invite, a search, another website —
raises ``PostLinkError`` with a message that says what a post link of that platform looks like.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sangathan.channels.links import clean_text

URL_MAX = 500  # characters of one pasted link


class PostLinkError(ValidationError):
    """A pasted link is not a link to one post of a platform we count; nothing was saved."""


class Platform:
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"

    CHOICES = (
        (X, "X (Twitter)"),
        (FACEBOOK, "Facebook"),
        (INSTAGRAM, "Instagram"),
        (YOUTUBE, "YouTube"),
        (WHATSAPP, "WhatsApp"),
        (TELEGRAM, "Telegram"),
    )


@dataclass(frozen=True)
class PostLink:
    platform: str
    url: str  # the canonical address shown and opened
    key: str  # what makes two links the same post (unique per state)


_X_HOSTS = {"x.com", "twitter.com"}
_FACEBOOK_HOSTS = {"facebook.com", "fb.com", "web.facebook.com", "business.facebook.com"}
_INSTAGRAM_HOSTS = {"instagram.com", "instagr.am"}
_YOUTUBE_HOSTS = {"youtube.com", "music.youtube.com"}
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_WHATSAPP_HOSTS = {"whatsapp.com"}

_DIGITS = re.compile(r"[0-9]{1,25}")
_X_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_FB_ID = re.compile(r"(?:[0-9]{5,25}|pfbid[A-Za-z0-9]{20,80})")  # numeric ids and the newer "pfbid…" ids
_FB_NAME = re.compile(r"[A-Za-z0-9.\-]{2,80}")
_FB_SHARE = re.compile(r"[A-Za-z0-9_-]{6,40}")
_FB_WATCH = re.compile(r"[A-Za-z0-9_-]{5,40}")
_IG_CODE = re.compile(r"[A-Za-z0-9_-]{5,60}")
_IG_HANDLE = re.compile(r"[A-Za-z0-9._]{1,30}")
_YT_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_TG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_WA_CHANNEL = re.compile(r"[A-Za-z0-9]{20,30}")


def _bad(message: str, code: str = "not_a_post") -> PostLinkError:
    return PostLinkError(message, code=code)


def _split(text: str):
    """(host without www./m./mobile./mbasic., path segments, query dict), or None for what is no web address."""
    candidate = text if "://" in text else "https://" + text
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "." not in host or " " in text:
        return None
    for prefix in ("www.", "m.", "mobile.", "mbasic.", "touch."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    segments = [segment for segment in parts.path.split("/") if segment]
    return host, segments, parse_qs(parts.query)


def normalise_post_url(raw) -> PostLink:
    """The ``PostLink`` of a pasted link to one post, or ``PostLinkError`` saying what is wrong."""
    text = clean_text(raw)
    if not text:
        raise _bad(_("The link is empty."), code="empty")
    if len(text) > URL_MAX:
        raise _bad(_("This link is too long (at most %(limit)d characters).") % {"limit": URL_MAX}, code="too_long")
    split = _split(text)
    if split is None:
        raise _bad(
            _("“%(text)s” is not a web address. Copy the post's link with the share button and paste it here.")
            % {"text": text[:60]},
            code="not_a_url",
        )
    host, segments, query = split
    if host in _X_HOSTS:
        return _x(segments)
    if host in _FACEBOOK_HOSTS or host == "fb.watch":
        return _facebook(host, segments, query)
    if host in _INSTAGRAM_HOSTS:
        return _instagram(segments)
    if host in _YOUTUBE_HOSTS or host == "youtu.be":
        return _youtube(host, segments, query)
    if host in _TELEGRAM_HOSTS:
        return _telegram(segments)
    if host in _WHATSAPP_HOSTS or host in ("chat.whatsapp.com", "wa.me", "api.whatsapp.com"):
        return _whatsapp(host, segments)
    raise _bad(
        _(
            "Only links to posts on X (Twitter), Facebook, Instagram, YouTube, WhatsApp channels and Telegram"
            " are counted; %(host)s is not one of them."
        )
        % {"host": host},
        code="platform",
    )


def _x(segments: list[str]) -> PostLink:
    example = "https://x.com/BJP4Rajasthan/status/1866000000000000000"
    # /i/web/status/<id> and /i/status/<id> (links without the account's name)
    if len(segments) >= 3 and segments[0] == "i" and segments[-2] == "status" and _DIGITS.fullmatch(segments[-1]):
        status = segments[-1]
        return PostLink(Platform.X, f"https://x.com/i/status/{status}", f"x:{status}")
    if (
        len(segments) >= 3
        and _X_HANDLE.fullmatch(segments[0])
        and segments[1] in ("status", "statuses")
        and _DIGITS.fullmatch(segments[2])
    ):
        # /<handle>/status/<id>[/photo/1|/video/1|/analytics]: the status is the post.
        status = segments[2]
        return PostLink(Platform.X, f"https://x.com/{segments[0].lower()}/status/{status}", f"x:{status}")
    raise _bad(
        _("This is not a link to one post on X (Twitter). A post's link looks like %(example)s.") % {"example": example}
    )


def _facebook(host: str, segments: list[str], query: dict) -> PostLink:
    example = "https://www.facebook.com/BJP4Rajasthan/posts/pfbid02abc…"
    base = "https://www.facebook.com"

    def made(path: str) -> PostLink:
        return PostLink(Platform.FACEBOOK, base + path, "facebook:" + path)

    def param(name: str) -> str:
        return (query.get(name) or [""])[0]

    if host == "fb.watch":
        if len(segments) == 1 and _FB_WATCH.fullmatch(segments[0]):
            url = f"https://fb.watch/{segments[0]}/"
            return PostLink(Platform.FACEBOOK, url, "facebook:fb.watch/" + segments[0])
        raise _bad(_("This fb.watch link is incomplete. Copy the video's link again."))
    first = segments[0].lower() if segments else ""
    # Reels: /reel/<id>; videos: /watch?v=<id>, /<page>/videos/[<slug>/]<id>; share links /share/{p,r,v}/<code>.
    if first in ("reel", "reels") and len(segments) >= 2 and _DIGITS.fullmatch(segments[1]):
        return made(f"/reel/{segments[1]}/")
    if first == "watch" and _DIGITS.fullmatch(param("v")):
        return made(f"/watch/?v={param('v')}")
    if first == "share" and len(segments) == 3 and segments[1] in ("p", "r", "v") and _FB_SHARE.fullmatch(segments[2]):
        return made(f"/share/{segments[1]}/{segments[2]}/")
    if (
        first in ("permalink.php", "story.php")
        and _FB_ID.fullmatch(param("story_fbid"))
        and _DIGITS.fullmatch(param("id"))
    ):
        return made(f"/permalink.php?story_fbid={param('story_fbid')}&id={param('id')}")
    if first in ("photo", "photo.php") and _DIGITS.fullmatch(param("fbid")):
        return made(f"/photo/?fbid={param('fbid')}")
    if (
        first == "groups"
        and len(segments) >= 4
        and segments[2] in ("posts", "permalink")
        and _FB_NAME.fullmatch(segments[1])
        and _FB_ID.fullmatch(segments[3])
    ):
        return made(f"/groups/{segments[1].lower()}/posts/{segments[3]}/")
    if len(segments) >= 3 and _FB_NAME.fullmatch(segments[0]) and first not in ("groups", "share", "watch"):
        kind = segments[1].lower()
        if kind == "posts" and _FB_ID.fullmatch(segments[2]):
            return made(f"/{first}/posts/{segments[2]}/")
        if kind in ("videos", "photos") and _DIGITS.fullmatch(segments[-1]):
            return made(f"/{first}/{kind}/{segments[-1]}/")
    raise _bad(
        _("This is not a link to one Facebook post, reel or video. A post's link looks like %(example)s.")
        % {"example": example}
    )


def _instagram(segments: list[str]) -> PostLink:
    example = "https://www.instagram.com/p/C1a2b3c4d5e/"
    # /<handle>/p/<code>/ and /<handle>/reel/<code>/ are the same posts as /p/<code>/ and /reel/<code>/.
    if len(segments) >= 3 and _IG_HANDLE.fullmatch(segments[0]) and segments[1] in ("p", "reel", "reels", "tv"):
        segments = segments[1:]
    if len(segments) >= 2 and segments[0] in ("p", "reel", "reels", "tv") and _IG_CODE.fullmatch(segments[1]):
        kind = "p" if segments[0] in ("p", "tv") else "reel"
        code = segments[1]
        return PostLink(Platform.INSTAGRAM, f"https://www.instagram.com/{kind}/{code}/", f"instagram:{code}")
    raise _bad(
        _("This is not a link to one Instagram post or reel. A post's link looks like %(example)s.")
        % {"example": example}
    )


def _youtube(host: str, segments: list[str], query: dict) -> PostLink:
    example = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    video = ""
    short = False
    if host == "youtu.be":
        video = segments[0] if len(segments) == 1 else ""
    elif segments[:1] == ["watch"]:
        video = (query.get("v") or [""])[0]
    elif len(segments) == 2 and segments[0] in ("shorts", "live", "embed", "v"):
        video = segments[1]
        short = segments[0] == "shorts"
    if not _YT_ID.fullmatch(video):
        raise _bad(
            _("This is not a link to one YouTube video or short. A video's link looks like %(example)s.")
            % {"example": example}
        )
    url = f"https://www.youtube.com/shorts/{video}" if short else f"https://www.youtube.com/watch?v={video}"
    return PostLink(Platform.YOUTUBE, url, f"youtube:{video}")


def _telegram(segments: list[str]) -> PostLink:
    example = "https://t.me/bjp4rajasthan/1234"
    if segments[:1] == ["s"]:
        segments = segments[1:]
    # A private channel's post: t.me/c/<channel number>/<post> (optionally with a topic in between).
    if len(segments) in (3, 4) and segments[0] == "c" and all(_DIGITS.fullmatch(s) for s in segments[1:]):
        path = "/".join(segments)
        return PostLink(Platform.TELEGRAM, f"https://t.me/{path}", f"telegram:{path}")
    if len(segments) == 2 and _TG_NAME.fullmatch(segments[0]) and _DIGITS.fullmatch(segments[1]):
        path = f"{segments[0].lower()}/{segments[1]}"
        return PostLink(Platform.TELEGRAM, f"https://t.me/{path}", f"telegram:{path}")
    raise _bad(
        _(
            "This is not a link to one Telegram post. A post's link looks like %(example)s (or t.me/c/… for a private channel)."
        )
        % {"example": example}
    )


def _whatsapp(host: str, segments: list[str]) -> PostLink:
    example = "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12"
    if host == "chat.whatsapp.com":
        raise _bad(_("This is a WhatsApp group invite, not a post. Report the groups you messaged as a number above."))
    if host in ("wa.me", "api.whatsapp.com"):
        raise _bad(_("This link opens a chat with one number, not a post."))
    if len(segments) in (2, 3) and segments[0] == "channel" and _WA_CHANNEL.fullmatch(segments[1]):
        if len(segments) == 3 and not _DIGITS.fullmatch(segments[2]):
            raise _bad(_("This WhatsApp channel link is incomplete. Copy it again from the channel."))
        path = "/".join(segments)
        return PostLink(Platform.WHATSAPP, f"https://whatsapp.com/{path}", f"whatsapp:{path}")
    raise _bad(
        _("This is not a WhatsApp channel link. A channel's link looks like %(example)s.") % {"example": example}
    )


def split_urls(text: str) -> list[str]:
    """The links in what was pasted into the box: one per line or separated by spaces or commas."""
    return [part for part in re.split(r"[\s,]+", clean_text(text).replace("\u00a0", " ")) if part]
