"""The SMS gateway's missed-call webhook (``membership.missed_call``): size checked before the body is read,
then the signature, then the shape; answers JSON. A bad signature is 403, a malformed or stale report
400 (nothing stored either way); a report stored before (a replay, a re-delivery) is 200 and does nothing."""

import json

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sangathan.membership import missed_call, missed_call_exotel
from sangathan.membership.models import MissedCall

BODY_MAX = 4096  # a report is a few dozen bytes


def _refused(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": reason}, status=status)


@csrf_exempt
@require_POST
def missed_call_webhook(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refused(400, "length")
    if length > BODY_MAX:
        return _refused(413, "too large")
    body = request.body
    if not missed_call.signature_ok(body, request.META.get(missed_call.SIGNATURE_HEADER, "")):
        return _refused(403, "signature")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return _refused(400, "not JSON")
    if not isinstance(payload, dict):
        return _refused(400, "not a JSON object")
    try:
        report = missed_call.parse(payload, now=timezone.now())
    except missed_call.ReportError as error:
        return _refused(400, str(error))
    call, new = missed_call.missed_call_receive(report=report)
    return JsonResponse({"ok": True, "new": new, "outcome": call.outcome})


@require_GET
def exotel_passthru(request):
    """Exotel's Passthru applet (``membership.missed_call_exotel``): 200 when the call verified a sign-up, 302
    (the flow's other branch) when it did not; 403 without our credentials, 400 for a malformed report."""
    if len(request.META.get("QUERY_STRING", "")) > BODY_MAX:
        return _refused(413, "too large")
    if not missed_call_exotel.authorized(request.META.get("HTTP_AUTHORIZATION", "")):
        return _refused(403, "credentials")
    try:
        report = missed_call_exotel.parse(request.GET, now=timezone.now())
    except missed_call.ReportError as error:
        return _refused(400, str(error))
    call, new = missed_call.missed_call_receive(report=report)
    verified = call.outcome == MissedCall.Outcome.VERIFIED
    return JsonResponse({"ok": True, "new": new, "outcome": call.outcome}, status=200 if verified else 302)
