"""Encryption of the channels' API tokens at rest (``ChannelCredential.token_encrypted``).

Fernet (AES-128-CBC with an HMAC, from ``cryptography``) with the keys in ``CHANNEL_CREDENTIAL_KEYS`` (a list,
comma separated in the environment): the first encrypts, every one decrypts. A key is rotated by putting a
new one first; the daily run re-encrypts each token it reads with the first key (``reencrypt``), and the old
key is removed once every channel has been fetched once. Without keys, one key is derived
from ``SECRET_KEY`` (HKDF), so the embedded mode works with nothing to set; a database dump alone then does
not reveal the tokens, a dump with the settings does. Production deployments set their own keys
(``deploy/sangathan.env.example``).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

HKDF_INFO = b"sangathan.channels.credential-token"


class SecretUnreadable(Exception):
    """The stored token cannot be decrypted with any configured key (a key was removed too early)."""


def _derived_key() -> bytes:
    material = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        settings.SECRET_KEY.encode("utf-8")
    )
    return base64.urlsafe_b64encode(material)


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in getattr(settings, "CHANNEL_CREDENTIAL_KEYS", []) or [] if key.strip()]
    return MultiFernet([Fernet(key) for key in keys] or [Fernet(_derived_key())])


def encrypt(token: str) -> bytes:
    return _fernet().encrypt(token.encode("utf-8"))


def decrypt(stored: bytes | memoryview) -> str:
    try:
        return _fernet().decrypt(bytes(stored)).decode("utf-8")
    except (InvalidToken, UnicodeDecodeError):
        raise SecretUnreadable(
            _("The stored token cannot be read with the configured keys. Set the token again.")
        ) from None


def reencrypt(stored: bytes | memoryview) -> bytes:
    """The same token encrypted with the first key (after a rotation)."""
    try:
        return _fernet().rotate(bytes(stored))
    except InvalidToken:
        raise SecretUnreadable(
            _("The stored token cannot be read with the configured keys. Set the token again.")
        ) from None
