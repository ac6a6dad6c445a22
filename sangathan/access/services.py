"""Writes of the access app: the user's second factor (TOTP, django-otp) — set up, confirmed, used, removed.

Each is one transaction. Every set-up, confirmation and removal is an entry in the audit trail:
``otp_totp.TOTPDevice`` is registered in ``sangathan.audit.registry`` without its key (the TOTP secret never
enters the trail) and without the counters each sign-in moves (drift, last time step, failures, last use),
so a sign-in writes no entry and a wrong code neither.
"""

import enum

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"


class CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong codes: django-otp's throttle, for a while


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """The device ``user`` is setting up: their unconfirmed one, made (with a new random key) if none."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_code_check(*, device: TOTPDevice, code: str) -> tuple[CodeCheck, TOTPDevice]:
    """Check a code of ``device`` (locked, so one code is not accepted twice at the same moment): django-otp
    moves its counters (drift, last step used, failures). Returns the outcome and the device as saved."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return CodeCheck.LOCKED, device
    return (CodeCheck.ACCEPTED if device.verify_token(code) else CodeCheck.WRONG), device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str, by) -> tuple[CodeCheck, TOTPDevice]:
    """Turn two-factor sign-in on: the first right code from the app confirms the device being set up."""
    if device.user_id != by.pk:
        raise PermissionError("a device is confirmed by its own user")
    result, device = totp_code_check(device=device, code=code)
    if result is CodeCheck.ACCEPTED and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return result, device


@transaction.atomic
def totp_device_remove(*, device: TOTPDevice, by=None) -> None:
    """Take a device away (a superuser in the admin, when someone lost their phone or another person set it
    up): the user sets up a new one at their next sign-in, if their role needs one."""
    device.delete()
