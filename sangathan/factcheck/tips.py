"""Pieces of a tip that are not writes: its reference number, its language, the district it counts in."""

import secrets
import unicodedata

from sangathan.factcheck.models import REFERENCE_MAX, Language
from sangathan.factcheck.normalise import fold_word
from sangathan.org.models import Unit

# No 0/O, 1/I/L: a reference is read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8  # 31^8 ≈ 8.5·10^11: guessing someone's tip is hopeless, and a clash is retried
DISTRICT_LEVEL = "district"
# Words of Hindi typed in Latin letters that English text hardly has ("aur" and "mein" fold to English
# "or" and "me"), folded as keys are (normalise.py).
HINGLISH_WORDS = frozenset(
    fold_word(word)
    for word in [
        "hai",
        "hain",
        "ke",
        "ki",
        "ko",
        "se",
        "mein",
        "nahi",
        "nahin",
        "kya",
        "kyon",
        "aur",
        "bhi",
        "tha",
        "thi",
        "raha",
        "rahe",
        "rahi",
        "hoga",
        "hogi",
        "karo",
        "kare",
        "sarkar",
        "logon",
        "sab",
        "yeh",
        "woh",
        "apne",
        "apna",
        "jayenge",
        "jaega",
        "gaya",
        "gayi",
        "diya",
        "liya",
        "wala",
        "wale",
        "abhi",
        "sabhi",
    ]
)
HINGLISH_SHARE = 0.15  # of the words
DEVANAGARI_SHARE = 0.3  # of the letters


def new_reference() -> str:
    """ "T-" and eight letters or digits: the number a tipster quotes."""
    reference = "T-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    assert len(reference) <= REFERENCE_MAX
    return reference


def language_of(text: str, key: str) -> str:
    """Hindi when the letters are largely Devanagari; Hinglish when the (folded) words are Hindi's; else
    English. Good enough to answer in the tipster's language: the answer is in Hindi or English."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return Language.HINDI
    devanagari = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("DEVANAGARI"))
    if devanagari / len(letters) >= DEVANAGARI_SHARE:
        return Language.HINDI
    words = key.split()
    if words and sum(1 for word in words if word in HINGLISH_WORDS) / len(words) >= HINGLISH_SHARE:
        return Language.HINGLISH
    return Language.ENGLISH


def reply_language(language: str) -> str:
    """The outbox writes Hindi or English: English to an English tip, Hindi to the others."""
    return "en" if language == Language.ENGLISH else "hi"


def district_of(unit: Unit | None) -> Unit | None:
    """The district a unit lies in (itself if it is one); None above the districts or without a unit."""
    if unit is None:
        return None
    return Unit.objects.filter(path__in=unit.ancestor_paths(), level__code=DISTRICT_LEVEL).first()
