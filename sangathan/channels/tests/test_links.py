import pytest

from sangathan.channels.links import ChannelError, normalise_link
from sangathan.channels.models import Platform

CODE = "AbCdEf1234567890GhIjKl"

GOOD = [
    (Platform.WHATSAPP_GROUP, f"https://chat.whatsapp.com/{CODE}", f"https://chat.whatsapp.com/{CODE}"),
    (Platform.WHATSAPP_GROUP, f"chat.whatsapp.com/{CODE}", f"https://chat.whatsapp.com/{CODE}"),
    (Platform.WHATSAPP_GROUP, f"http://chat.whatsapp.com/invite/{CODE}/?ref=x", f"https://chat.whatsapp.com/{CODE}"),
    (Platform.WHATSAPP_GROUP, f"\u200e https://chat.whatsapp.com/{CODE}\u200f ", f"https://chat.whatsapp.com/{CODE}"),
    (Platform.WHATSAPP_BROADCAST, "", ""),
    (Platform.WHATSAPP_BROADCAST, "   ", ""),
    (Platform.TELEGRAM_CHANNEL, "https://t.me/BJP_Jaipur", "https://t.me/bjp_jaipur"),
    (Platform.TELEGRAM_CHANNEL, "@BJP_Jaipur", "https://t.me/bjp_jaipur"),
    (Platform.TELEGRAM_CHANNEL, "telegram.me/s/bjp_jaipur/123", "https://t.me/bjp_jaipur"),
    (Platform.TELEGRAM_GROUP, "https://t.me/joinchat/AAAAAEkk_ZZz123", "https://t.me/+AAAAAEkk_ZZz123"),
    (Platform.TELEGRAM_GROUP, "t.me/+AbCdEfGhIj12", "https://t.me/+AbCdEfGhIj12"),
    (Platform.FACEBOOK_PAGE, "https://www.facebook.com/BJP4Jaipur/", "https://www.facebook.com/bjp4jaipur"),
    (Platform.FACEBOOK_PAGE, "m.facebook.com/BJP4Jaipur?ref=bookmarks", "https://www.facebook.com/bjp4jaipur"),
    (
        Platform.FACEBOOK_PAGE,
        "https://www.facebook.com/profile.php?id=100064512345678",
        "https://www.facebook.com/profile.php?id=100064512345678",
    ),
    (Platform.FACEBOOK_PAGE, "fb.com/pages/BJP-Amer/123456789012", "https://www.facebook.com/123456789012"),
    (Platform.FACEBOOK_GROUP, "https://facebook.com/groups/BJPAmer/", "https://www.facebook.com/groups/bjpamer"),
    (Platform.FACEBOOK_GROUP, "fb.com/groups/1234567890", "https://www.facebook.com/groups/1234567890"),
    (Platform.INSTAGRAM, "@bjp4rajasthan", "https://www.instagram.com/bjp4rajasthan"),
    (Platform.INSTAGRAM, "https://instagram.com/BJP.Amer_1/?igsh=xyz", "https://www.instagram.com/bjp.amer_1"),
    (Platform.X, "@BJP4Rajasthan", "https://x.com/bjp4rajasthan"),
    (Platform.X, "https://twitter.com/BJP4India/status/123", "https://x.com/bjp4india"),
    (Platform.X, "x.com/a", "https://x.com/a"),
    (Platform.X, "@abcdefghijklmno", "https://x.com/abcdefghijklmno"),
    (Platform.YOUTUBE, "https://www.youtube.com/@BJP4India", "https://www.youtube.com/@bjp4india"),
    (Platform.YOUTUBE, "@BJP4India", "https://www.youtube.com/@bjp4india"),
    (Platform.YOUTUBE, "m.youtube.com/@bjp.amer/videos", "https://www.youtube.com/@bjp.amer"),
    (
        Platform.YOUTUBE,
        "youtube.com/channel/UCrwE8kVqtIUVUzKui2WVpuQ",
        "https://www.youtube.com/channel/UCrwE8kVqtIUVUzKui2WVpuQ",
    ),
    (Platform.YOUTUBE, "youtube.com/c/BJPAmer", "https://www.youtube.com/c/bjpamer"),
]

BAD = [
    (Platform.WHATSAPP_GROUP, "", "link_missing"),
    (Platform.WHATSAPP_GROUP, "https://chat.whatsapp.com/short", "link_invalid"),
    (Platform.WHATSAPP_GROUP, f"https://chat.whatsapp.com/{CODE}/extra", "link_invalid"),
    (Platform.WHATSAPP_GROUP, "https://whatsapp.com/channel/0029VaAbCdEf1234567890", "link_invalid"),
    (Platform.WHATSAPP_GROUP, "https://wa.me/919829012345", "link_invalid"),
    (Platform.WHATSAPP_GROUP, f"https://chat.whatsapp.evil.com/{CODE}", "link_invalid"),
    (Platform.WHATSAPP_GROUP, f"ftp://chat.whatsapp.com/{CODE}", "link_invalid"),
    (Platform.WHATSAPP_GROUP, f"join chat.whatsapp.com/{CODE}", "link_invalid"),
    (Platform.WHATSAPP_BROADCAST, "https://chat.whatsapp.com/x", "broadcast_has_no_link"),
    (Platform.TELEGRAM_CHANNEL, "@abc", "link_invalid"),
    (Platform.TELEGRAM_CHANNEL, "https://t.me/", "link_invalid"),
    (Platform.TELEGRAM_CHANNEL, "https://t.me/share/url?url=x", "link_invalid"),
    (Platform.TELEGRAM_CHANNEL, "https://telegram.org/bjp_jaipur", "link_invalid"),
    (Platform.FACEBOOK_PAGE, "https://facebook.com/groups/bjpamer", "link_invalid"),
    (Platform.FACEBOOK_PAGE, "https://www.facebook.com/share/g/1AbCd/", "link_invalid"),
    (Platform.FACEBOOK_PAGE, "https://www.facebook.com/", "link_invalid"),
    (Platform.FACEBOOK_PAGE, "https://www.facebook.com/watch/?v=1", "link_invalid"),
    (Platform.FACEBOOK_PAGE, "https://facebook.com.example.org/bjp4jaipur", "link_invalid"),
    (Platform.FACEBOOK_GROUP, "https://www.facebook.com/BJP4Jaipur", "link_invalid"),
    (Platform.FACEBOOK_GROUP, "https://www.facebook.com/groups/", "link_invalid"),
    (Platform.INSTAGRAM, "@.bjp", "link_invalid"),
    (Platform.INSTAGRAM, "@bjp..amer", "link_invalid"),
    (Platform.INSTAGRAM, "@" + "a" * 31, "link_invalid"),
    (Platform.INSTAGRAM, "https://www.instagram.com/p/Cx123/", "link_invalid"),
    (Platform.INSTAGRAM, "https://www.instagr.com/bjp", "link_invalid"),
    (Platform.X, "@abcdefghijklmnop", "link_invalid"),
    (Platform.X, "@bjp-amer", "link_invalid"),
    (Platform.X, "https://x.com/home", "link_invalid"),
    (Platform.X, "https://facebook.com/bjp4india", "link_invalid"),
    (Platform.YOUTUBE, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "link_invalid"),
    (Platform.YOUTUBE, "https://youtu.be/dQw4w9WgXcQ", "link_invalid"),
    (Platform.YOUTUBE, "https://www.youtube.com/channel/XYZ", "link_invalid"),
    (Platform.YOUTUBE, "@ab", "link_invalid"),
    (Platform.YOUTUBE, "https://www.youtube.com/", "link_invalid"),
    (Platform.X, "https://x.com/" + "a" * 400, "link_too_long"),
    ("myspace", "https://myspace.com/x", "platform_invalid"),
]


@pytest.mark.parametrize(("platform", "raw", "expected"), GOOD)
def test_good_links_are_normalised(platform, raw, expected):
    assert normalise_link(platform, raw) == expected


@pytest.mark.parametrize(("platform", "raw", "code"), BAD)
def test_bad_links_are_refused_with_a_message(platform, raw, code):
    with pytest.raises(ChannelError) as caught:
        normalise_link(platform, raw)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_message_is_translated_into_hindi():
    from django.utils import translation

    with translation.override("hi"), pytest.raises(ChannelError) as caught:
        normalise_link(Platform.WHATSAPP_GROUP, "https://wa.me/919829012345")
    assert "chat.whatsapp.com" in caught.value.messages[0]
    assert "ग्रुप का इनवाइट लिंक" in caught.value.messages[0]
