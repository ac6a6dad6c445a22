"""Deployment checks of the membership drive's settings (``sangathan check --deploy``).

``MEMBERSHIP_EXOTEL_SECRET`` is the only thing proving that a missed call reported to
``/join/missed-call/exotel/`` comes from Exotel (it does not sign its Passthru requests): whoever knows it can
verify any pending sign-up of a number they name. It travels in the Passthru URL's Basic credentials, so it
must be long and random: at least ``EXOTEL_SECRET_MIN_LENGTH`` characters (32 from ``secrets.token_urlsafe(24)``
carry 192 bits), not a word with a few variants. Empty is allowed: the webhook then refuses every request.
A secret that fails this check is also refused at run time (``missed_call_exotel.authorized``), so a
deployment that skipped the check accepts no call rather than a guessable one.

``MEMBERSHIP_MISSED_CALL_SECRET`` (the generic gateway's HMAC key for ``/join/missed-call/``) guards the same
thing, a sign-up verified by a call, so the same rule holds for it (``membership.E002``), and the webhook
refuses every report while it is too short (``missed_call.signature_ok``): a short key is brute-forced
offline from one captured signed report.
"""

from django.conf import settings
from django.core import checks

EXOTEL_SECRET_MIN_LENGTH = 32
EXOTEL_SECRET_MIN_DISTINCT = 8  # distinct characters: "aaaa…" or "abab…" is as long as it is guessable


def secret_problem(secret: str, *, name: str) -> str | None:
    """Why ``secret`` (the setting ``name``) may not guard a webhook, or None when it may (None when empty: off)."""
    if not secret:
        return None
    if len(secret) < EXOTEL_SECRET_MIN_LENGTH or len(set(secret)) < EXOTEL_SECRET_MIN_DISTINCT:
        return (
            f"{name} must be at least {EXOTEL_SECRET_MIN_LENGTH} random characters "
            f"(it has {len(secret)}, {len(set(secret))} distinct)."
        )
    return None


def exotel_secret_problem(secret: str) -> str | None:
    """Why ``secret`` may not guard the Exotel webhook, or None when it may (also None when empty: off)."""
    return secret_problem(secret, name="MEMBERSHIP_EXOTEL_SECRET")


def missed_call_secret_problem(secret: str) -> str | None:
    """Why ``secret`` may not sign the generic missed-call reports, or None when it may (None when empty: off)."""
    return secret_problem(secret, name="MEMBERSHIP_MISSED_CALL_SECRET")


HINT = "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"


@checks.register(checks.Tags.security, deploy=True)
def check_exotel_secret(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problem = exotel_secret_problem(getattr(settings, "MEMBERSHIP_EXOTEL_SECRET", "") or "")
    if problem is None:
        return []
    return [checks.Error(problem, hint=f"{HINT}, and put it in the ExoPhone's Passthru URL too.", id="membership.E001")]


@checks.register(checks.Tags.security, deploy=True)
def check_missed_call_secret(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problem = missed_call_secret_problem(getattr(settings, "MEMBERSHIP_MISSED_CALL_SECRET", "") or "")
    if problem is None:
        return []
    return [checks.Error(problem, hint=f"{HINT}, and give the gateway the same key.", id="membership.E002")]
