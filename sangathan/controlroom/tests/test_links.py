"""Post links: each platform's post addresses accepted and normalised, tracking stripped, hosts unified, one
key per post; anything that is not one post refused with a message."""

import pytest
from django.utils import translation

from sangathan.controlroom.links import PostLinkError, normalise_post_url, split_urls

GOOD = [
    # X / Twitter: twitter.com → x.com, the handle lower-cased, ?s= and ?t= gone, /photo/1 gone
    (
        "https://twitter.com/BJP4Rajasthan/status/1866000000000000001?s=20&t=AbC",
        "x",
        "https://x.com/bjp4rajasthan/status/1866000000000000001",
        "x:1866000000000000001",
    ),
    (
        "mobile.twitter.com/BJP4Rajasthan/status/1866000000000000001/photo/1",
        "x",
        "https://x.com/bjp4rajasthan/status/1866000000000000001",
        "x:1866000000000000001",
    ),
    (
        "https://x.com/i/web/status/1866000000000000001",
        "x",
        "https://x.com/i/status/1866000000000000001",
        "x:1866000000000000001",
    ),
    # Facebook: m./www./web. unified, fbclid and mibextid gone; posts, reels, videos, share links, permalinks
    (
        "https://m.facebook.com/BJP4Jaipur/posts/pfbid02AbCdEfGhIjKlMnOpQrStUvWxYz1234?fbclid=IwAR0x&mibextid=Nif5oz",
        "facebook",
        "https://www.facebook.com/bjp4jaipur/posts/pfbid02AbCdEfGhIjKlMnOpQrStUvWxYz1234/",
        None,
    ),
    (
        "https://www.facebook.com/reel/1234567890123456/?utm_source=share",
        "facebook",
        "https://www.facebook.com/reel/1234567890123456/",
        None,
    ),
    (
        "https://web.facebook.com/watch/?v=987654321012345&ref=sharing",
        "facebook",
        "https://www.facebook.com/watch/?v=987654321012345",
        None,
    ),
    (
        "https://www.facebook.com/BJP4Jaipur/videos/rally-in-jaipur/987654321012345/",
        "facebook",
        "https://www.facebook.com/bjp4jaipur/videos/987654321012345/",
        None,
    ),
    ("https://www.facebook.com/share/p/1AbCdEfGhI/", "facebook", "https://www.facebook.com/share/p/1AbCdEfGhI/", None),
    (
        "https://www.facebook.com/permalink.php?story_fbid=123456789012&id=100064000000000&ref=x",
        "facebook",
        "https://www.facebook.com/permalink.php?story_fbid=123456789012&id=100064000000000",
        None,
    ),
    ("https://fb.watch/aBcD12345/", "facebook", "https://fb.watch/aBcD12345/", None),
    # Instagram: /p/ and /reel/ (also with the account in front), igshid/igsh gone
    (
        "https://www.instagram.com/p/C1a2b3c4d5e/?igshid=MzRlODBiNWFlZA==",
        "instagram",
        "https://www.instagram.com/p/C1a2b3c4d5e/",
        "instagram:C1a2b3c4d5e",
    ),
    (
        "instagram.com/reel/C9x8y7z6w5v/?igsh=abc&utm_source=ig_web_copy_link",
        "instagram",
        "https://www.instagram.com/reel/C9x8y7z6w5v/",
        "instagram:C9x8y7z6w5v",
    ),
    (
        "https://www.instagram.com/bjp4rajasthan/reel/C9x8y7z6w5v/",
        "instagram",
        "https://www.instagram.com/reel/C9x8y7z6w5v/",
        "instagram:C9x8y7z6w5v",
    ),
    # YouTube: youtu.be → watch?v=, si and t gone, m. unified, shorts kept as shorts but the same video
    (
        "https://youtu.be/dQw4w9WgXcQ?si=AbCdEf123&t=42",
        "youtube",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "youtube:dQw4w9WgXcQ",
    ),
    (
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&pp=ygU",
        "youtube",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "youtube:dQw4w9WgXcQ",
    ),
    (
        "https://www.youtube.com/shorts/dQw4w9WgXcQ?feature=share",
        "youtube",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "youtube:dQw4w9WgXcQ",
    ),
    # WhatsApp channels, Telegram posts (public and private channels)
    (
        "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12",
        "whatsapp",
        "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12",
        None,
    ),
    (
        "https://www.whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12/105",
        "whatsapp",
        "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12/105",
        None,
    ),
    (
        "https://t.me/BJP4Rajasthan/1234?single",
        "telegram",
        "https://t.me/bjp4rajasthan/1234",
        "telegram:bjp4rajasthan/1234",
    ),
    ("https://t.me/s/BJP4Rajasthan/1234", "telegram", "https://t.me/bjp4rajasthan/1234", "telegram:bjp4rajasthan/1234"),
    ("https://telegram.me/c/1234567890/55", "telegram", "https://t.me/c/1234567890/55", "telegram:c/1234567890/55"),
    # copied out of a chat: a direction mark and spaces around
    (
        "\u200e https://x.com/BJP4Rajasthan/status/1866000000000000001 \u200f",
        "x",
        "https://x.com/bjp4rajasthan/status/1866000000000000001",
        "x:1866000000000000001",
    ),
]


@pytest.mark.parametrize(("raw", "platform", "url", "key"), GOOD, ids=[g[0][:60] for g in GOOD])
def test_post_links_are_normalised(raw, platform, url, key):
    link = normalise_post_url(raw)
    assert (link.platform, link.url) == (platform, url)
    if key:
        assert link.key == key
    # Normalising the canonical address again gives the same post.
    assert normalise_post_url(link.url) == link


BAD = [
    ("", "empty"),
    ("posted on facebook", "not_a_url"),
    ("javascript:alert(1)", "not_a_url"),
    ("https://example.com/news/123", "platform"),
    ("https://www.bjp.org/hi/news/1", "platform"),
    ("https://x.com/BJP4Rajasthan", "not_a_post"),  # an account
    ("https://twitter.com/search?q=%23bjp", "not_a_post"),
    ("https://x.com/BJP4Rajasthan/status/notanumber", "not_a_post"),
    ("https://www.facebook.com/BJP4Jaipur", "not_a_post"),  # a page
    ("https://www.facebook.com/groups/bjpjaipur", "not_a_post"),
    ("https://www.instagram.com/bjp4rajasthan/", "not_a_post"),
    ("https://www.instagram.com/explore/tags/bjp/", "not_a_post"),
    ("https://www.youtube.com/@BJP4Rajasthan", "not_a_post"),
    ("https://youtu.be/short", "not_a_post"),
    ("https://chat.whatsapp.com/AbCdEf1234567890GhIjKl", "not_a_post"),  # a group invite
    ("https://wa.me/919829000001", "not_a_post"),
    ("https://t.me/BJP4Rajasthan", "not_a_post"),  # a channel, not a post
    ("https://t.me/+AbCdEfGhIjKl", "not_a_post"),
    ("https://x.com/" + "a" * 600, "too_long"),
]


@pytest.mark.parametrize(("raw", "code"), BAD, ids=[b[0][:50] or "empty" for b in BAD])
def test_what_is_not_one_post_is_refused_with_a_message(raw, code):
    with pytest.raises(PostLinkError) as caught:
        normalise_post_url(raw)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_hindi_message_for_a_link_that_is_not_a_post():
    with translation.override("hi"), pytest.raises(PostLinkError) as caught:
        normalise_post_url("https://x.com/BJP4Rajasthan")
    assert "पोस्ट" in caught.value.messages[0]


def test_pasted_box_is_split_on_lines_spaces_and_commas():
    text = "https://x.com/a/status/1\nhttps://youtu.be/dQw4w9WgXcQ,  https://t.me/abcd/2\r\n\n"
    assert split_urls(text) == ["https://x.com/a/status/1", "https://youtu.be/dQw4w9WgXcQ", "https://t.me/abcd/2"]
