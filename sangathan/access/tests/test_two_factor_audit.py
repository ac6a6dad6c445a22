"""Two-factor set-up, confirmation and removal go through ``access.services`` and are in the audit trail,
without the TOTP secret; signing in with a code, or a wrong code, writes no entry."""

import base64
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangathan.access import services
from sangathan.access.tests.test_signin import current_code
from sangathan.audit.models import AuditEntry
from sangathan.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entries(device_pk) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(TOTPDevice)
    return list(AuditEntry.objects.filter(content_type=content_type, object_pk=str(device_pk)).order_by("id"))


def _assert_no_secret(entries, key_hex: str) -> None:
    secret_b32 = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    for entry in entries:
        text = json.dumps(model_to_dict(entry), default=str)
        assert key_hex not in text and secret_b32 not in text and "key" not in (entry.changes or {})


def test_set_up_confirm_and_removal_each_leave_an_entry_without_the_secret(client, cast):
    client.force_login(cast.viewer)
    assert client.get(reverse("two_factor")).status_code == 200
    device = TOTPDevice.objects.get(user=cast.viewer)
    key = device.key
    [made] = _entries(device.pk)
    assert made.action == AuditEntry.Action.CREATE and made.actor == cast.viewer
    client.get(reverse("two_factor"))  # the same device again: nothing new
    wrong = "000000" if current_code(device) != "000000" else "111111"
    client.post(reverse("two_factor"), {"code": wrong})  # a wrong code moves counters only
    assert len(_entries(device.pk)) == 1
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()  # (the test's own reset of the throttle: a counter, no entry)
    response = client.post(reverse("two_factor"), {"code": current_code(device), "next": reverse("account")})
    assert response.status_code == 302
    made, confirmed = _entries(device.pk)
    assert confirmed.action == AuditEntry.Action.UPDATE and confirmed.actor == cast.viewer
    assert confirmed.changes_dict["confirmed"] == ["False", "True"]

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    removed = _entries(device.pk)[-1]
    assert removed.action == AuditEntry.Action.DELETE and removed.actor == root
    _assert_no_secret(_entries(device.pk), key)


def test_signing_in_with_the_code_writes_no_entry(client, cast):
    device = services.totp_device_start(user=cast.viewer)
    result, device = services.totp_device_confirm(device=device, code=current_code(device), by=cast.viewer)
    assert result is services.CodeCheck.ACCEPTED and device.confirmed
    before = len(_entries(device.pk))
    assert before == 2  # made, confirmed
    client.force_login(cast.viewer)
    device.last_t = -1  # the code of this time step was used for confirming
    device.save()
    response = client.post(reverse("two_factor"), {"code": current_code(device), "next": reverse("account")})
    assert response.status_code == 302
    assert len(_entries(device.pk)) == before


def test_only_its_own_user_confirms_a_device(cast):
    device = services.totp_device_start(user=cast.viewer)
    with pytest.raises(PermissionError):
        services.totp_device_confirm(device=device, code=current_code(device), by=cast.district_admin)
    device.refresh_from_db()
    assert not device.confirmed


def test_removal_through_the_admin_list_action_is_audited_too(client, cast):
    devices = [services.totp_device_start(user=user) for user in (cast.viewer, cast.district_admin)]
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in devices], "post": "yes"},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
    for device in devices:
        assert _entries(device.pk)[-1].action == AuditEntry.Action.DELETE
        _assert_no_secret(_entries(device.pk), device.key)
