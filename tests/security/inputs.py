"""What an attacker types into the public forms, and the checks on what comes back: shared by the security tests
(the free-text corpus itself is ``sangathan.testing.BAD_INPUT``, shared with the apps' own tests)."""

import re

from sangathan.testing import BAD_INPUT as CORPUS

ZERO_WIDTH = "\u200b\ufeff\u2060\u200e\u202e"  # ZWNJ/ZWJ (U+200C/D) are part of written Hindi: allowed
BAD_MOBILES = {
    "short": "98290",
    "long": "9829055555512345",
    "devanagari_short": "९८२९०",
    "landline": "0141 2222222",
    "starts_with_1": "1829055555",
    "plus_other_country": "+44 7911 123456",
    "script": "<script>98290</script>",
    "sql": "9829055555' OR 1=1 --",
    "overlong": "9" * 5000,
    "zero_width": "98290\u200b55555",
    "formula": "=9829055555",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MOBILE = re.compile(r"^\+91[6-9]\d{9}$")


def assert_clean_text(value: str, where: str) -> None:
    assert "<script" not in value.lower() and not re.search(r"<[a-zA-Z/!]", value), f"{where}: markup stored {value!r}"
    assert not any(ch in value for ch in ZERO_WIDTH), f"{where}: invisible characters stored {value!r}"
    assert "\x00" not in value and "\x1b" not in value, f"{where}: control characters stored {value!r}"


def assert_no_raw_markup(html: str, value: str, where: str) -> None:
    """What the visitor typed comes back escaped, never as live markup."""
    for dangerous in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        if dangerous in value:
            assert dangerous not in html, f"{where}: the page echoes {dangerous!r} unescaped"


__all__ = [
    "BAD_MOBILES",
    "CORPUS",
    "FORMULA_START",
    "MOBILE",
    "ZERO_WIDTH",
    "assert_clean_text",
    "assert_no_raw_markup",
]
