"""Indian mobile numbers, validated and normalised with ``phonenumbers``."""

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sangathan.org.errors import OrgError

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def ascii_digits(text: str) -> str:
    """The decimal digits of ``text`` in ASCII: Devanagari ९८२९० counts as 98290; ² does not count."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def normalise_mobile(raw: str) -> str:
    """Return the number as +91XXXXXXXXXX, or raise ``OrgError`` with a message for the user.

    Accepts what people type: 98290 12345, 098290-12345, +91 98290 12345, 919829012345.
    """
    text = (raw or "").strip()
    if not text:
        raise OrgError(_("Enter a mobile number."), code="mobile_missing")
    if len(text) > 25:
        raise OrgError(_("This mobile number is too long."), code="mobile_invalid")
    if any(ch.isalpha() for ch in text):
        # phonenumbers would read letters as a phone keypad (98290abcde → 9829022233): somebody else's number.
        raise OrgError(_("Enter a valid 10-digit Indian mobile number."), code="mobile_invalid")
    digits = ascii_digits(text)
    if len(digits) == 12 and digits.startswith("91") and not text.startswith("+"):
        text = "+" + digits
    elif len(digits) in (10, 11) and not text.startswith("+"):
        text = digits
    try:
        number = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        raise OrgError(_("Enter a valid 10-digit Indian mobile number."), code="mobile_invalid") from None
    if number.country_code != 91 or not phonenumbers.is_valid_number(number):
        raise OrgError(_("Enter a valid 10-digit Indian mobile number."), code="mobile_invalid")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise OrgError(_("This is not a mobile number."), code="mobile_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def form_mobile(raw: str) -> str:
    """``normalise_mobile`` for a form's ``clean_mobile``: a number it refuses is the field's error (its
    messages, without the service's code)."""
    try:
        return normalise_mobile(raw)
    except OrgError as error:
        raise ValidationError(error.messages) from None


def display_mobile(e164: str) -> str:
    """+919829012345 → 98290 12345"""
    if e164.startswith("+91") and len(e164) == 13:
        return f"{e164[3:8]} {e164[8:]}"
    return e164
