"""Personal check-in codes: what an invitee types on the camp's QR page, next to their mobile number, to
prove the invitation is theirs.

The QR code proves presence (it hangs at the venue) but anybody who has seen it can open the page, and a
mobile number is no secret: the code is the part only the invitee has, because it came in their own
invitation (and reminder) message.

Six characters of a 31-letter alphabet without 0/O, 1/I/L (the recruitment reference's: read out over
the phone, typed on a Hindi keyboard's number row): 31⁶ ≈ 887 million codes. An invitation's code is
locked after ``MAX_FAILURES`` wrong tries, so a guesser's chance per invitee is 5 in 887 million.

The code is not stored. Each invitation holds a random ``check_in_secret``; the code is an HMAC of the
invitation id and that secret under the site's ``SECRET_KEY``. A copy of the database alone therefore
gives no codes, while the message task, the reminder and the trainer's roll call can still compute the
code when they need it (a stored hash could not be shown or sent again). Codes made under a key in
``SECRET_KEY_FALLBACKS`` are accepted, so rotating the key does not void the codes already sent.
"""

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
MAX_FAILURES = 5
KEY_SALT = "sangathan.training.check-in-code"

# Characters people type instead of the ones we print: lower case, Devanagari digits, spaces and dashes.
_TYPED = str.maketrans("०१२३४५६७८९", "0123456789", " -_.\u00a0")


def new_secret() -> str:
    return secrets.token_hex(16)


def derive(invitation_id: int, secret: str, *, key: str | None = None) -> str:
    """The code of invitation ``invitation_id`` holding ``secret``, under ``key`` (default SECRET_KEY)."""
    digest = salted_hmac(KEY_SALT, f"{invitation_id}:{secret}", secret=key, algorithm="sha256").digest()
    number = int.from_bytes(digest, "big")  # 256 bits: the modulo bias over 31⁶ is nil
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def normalise(typed: str) -> str:
    """What the person typed, as a code would be printed: "abc 234" → "ABC234"."""
    return (typed or "").translate(_TYPED).upper()


def well_formed(typed: str) -> bool:
    code = normalise(typed)
    return len(code) == LENGTH and all(char in ALPHABET for char in code)


def matches(invitation_id: int | None, secret: str, typed: str) -> bool:
    """Does ``typed`` equal the invitation's code? Compared in constant time, under every key in use. With
    no invitation (``invitation_id`` None) the same work is done against a throw-away secret and the
    answer is False, so an unknown number takes as long as a wrong code."""
    typed = normalise(typed)
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    found = False
    for key in keys:
        expected = derive(invitation_id or 0, secret or new_secret(), key=key)
        found |= constant_time_compare(expected, typed)
    return found and invitation_id is not None
