"""Masked forms of personal data (mobile, e-mail, age) for people who may not see them in full.

Who may see what is decided by ``sangathan.access`` (the ``view_personal`` action); these functions only
turn a value into its masked form. Users with ``view_personal`` see the masked form on lists too and
reveal one person's value with a click (an audited action, see ``sangathan.audit``); users without it
never see the full value. The audit trail stores personal fields in this masked form as well.
"""

import re

from sangathan.org.phones import ascii_digits

DOT = "•"
_PHONE_RUN = re.compile(r"\+?\d[\d \-]{8,15}\d")
_EMAIL = re.compile(r"[^\s@'\",\[\]]+@[^\s@'\",\[\]]+")


def mask_mobile(value: str | None) -> str:
    """+919829012345 → +91 98•••••345: enough to tell two numbers apart, not enough to call."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = ascii_digits(text)
    prefix = ""
    if len(digits) == 12 and digits.startswith("91"):
        prefix, digits = "+91 ", digits[2:]
    if len(digits) < 6:
        return DOT * len(digits)
    return f"{prefix}{digits[:2]}{DOT * (len(digits) - 5)}{digits[-3:]}"


def mask_email(value: str | None) -> str:
    """sunil.sharma@gmail.com → s•••@gmail.com"""
    text = (value or "").strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at:
        return DOT * 3
    return f"{local[:1]}{DOT * 3}@{domain}"


def age_band(value) -> str:
    """34 → 30–39: a decade instead of the age."""
    if value in (None, ""):
        return ""
    try:
        age = int(value)
    except (TypeError, ValueError):
        return DOT * 2
    low = age // 10 * 10
    return f"{low}–{low + 9}"


def mask_value(text: str) -> str:
    """Mask whatever personal data a stored text holds: phone numbers, e-mail addresses, a bare age.

    The audit trail's mask callable (``django-auditlog`` passes each changed value of a masked
    field as a string, ``"None"`` for an empty one).
    """
    if text in ("None", ""):
        return text
    if text.isdigit() and len(text) <= 3:
        return age_band(text)
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_RUN.sub(lambda m: mask_mobile(m.group(0)), text)
