"""The recipient's page: opened from the link in the notification, no login. The signed token names one
delivery (one message at one unit); it expires after ``OUTREACH_LINK_MAX_AGE_DAYS``. Answers are POSTed
to the same address: the page's script sends them with ``X-Requested-With: fetch`` and swaps in the answer card
it gets back (one small response); without JavaScript the POST is redirected back (303), so a reload never
answers twice."""

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sangathan.channels.models import Channel
from sangathan.outreach import page_links, services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Delivery


def _text(value: str, limit: int) -> str:
    """What was typed, without NUL and other control characters (a database text cannot hold NUL)."""
    return "".join(ch for ch in value[:limit] if ch in "\n\t" or ch >= " ")


@never_cache
@require_http_methods(["GET", "POST"])
def open_message(request, token: str):
    delivery_id, problem = services.delivery_from_token(token)
    if delivery_id is None:
        status = 410 if problem == "expired" else 404
        return render(request, "outreach/public/invalid.html", {"problem": problem}, status=status)
    error = ""
    if request.method == "POST":
        inline = request.headers.get("X-Requested-With") == "fetch"
        try:
            answered = services.delivery_respond(
                delivery_id=delivery_id,
                action=request.POST.get("action", ""),
                share_url=_text(request.POST.get("share_url", ""), 600),
                note=_text(request.POST.get("note", ""), 400),
                reason=_text(request.POST.get("reason", ""), 400),
            )
        except OutreachError as exc:
            error = " ".join(exc.messages)
            if exc.code == "not_found":
                return render(request, "outreach/public/invalid.html", {"problem": "bad"}, status=404)
            if inline:
                delivery = Delivery.objects.filter(pk=delivery_id).first()
                context = {"delivery": delivery, "error": error, "posted": request.POST, "inline": True}
                return HttpResponse(render_to_string(ANSWER_CARD, context, request), status=400)
        else:
            if inline:
                # The page's script swaps in this card: one small response, no second request.
                return HttpResponse(_answer_card(answered))
            return _see_other(request.path)
    delivery = Delivery.objects.filter(pk=delivery_id).select_related("message", "unit__level").first()
    if delivery is None:
        return render(request, "outreach/public/invalid.html", {"problem": "bad"}, status=404)
    message = delivery.message
    expired = bool(message.expires_at and message.expires_at <= timezone.now())
    if request.method == "GET" and delivery.opened_at is None:
        opened = services.delivery_respond(delivery_id=delivery_id, action=services.Action.OPEN)
        delivery.opened_at = opened.opened_at
    whatsapp_group = _whatsapp_group(delivery.unit_id)
    return render(
        request,
        "outreach/public/message.html",
        {
            "delivery": delivery,
            "message": message,
            "unit": delivery.unit,
            "variants": message.variants(),
            "expired": expired,
            "error": error,
            "posted": request.POST if error else {},
            "whatsapp_group": whatsapp_group,
            "page_links": page_links.links_for(token),
        },
        status=400 if error else 200,
    )


ANSWER_CARD = "outreach/public/_answer.html"
_cards: dict[tuple, str] = {}


def _answer_card(delivery: Delivery) -> str:
    """The answer card after an inline answer. Without a link, note or reason in it, it is the same for every
    delivery in the same state and language (its forms carry no CSRF token: the page's script adds the
    page's), so it is rendered once per process and state."""
    personal = delivery.share_url or delivery.share_note or delivery.cannot_reason
    key = (get_language(), bool(delivery.acknowledged_at), bool(delivery.shared_at), bool(delivery.cannot_at))
    if not personal and key in _cards:
        return _cards[key]
    html = render_to_string(ANSWER_CARD, {"delivery": delivery, "posted": {}, "inline": True})
    if not personal:
        _cards[key] = html
    return html


def _see_other(path: str) -> HttpResponseRedirect:
    """303 to the page itself (not ``redirect()``: it first tries the path as a URL name, which costs)."""
    response = HttpResponseRedirect(path)
    response.status_code = 303
    return response


def _whatsapp_group(unit_id: int) -> str:
    """The unit's WhatsApp group link from the channel registry, when it has one."""
    try:
        channel = (
            Channel.objects.filter(unit_id=unit_id, platform="whatsapp_group", is_active=True)
            .exclude(link="")
            .values_list("link", flat=True)
            .first()
        )
    except Exception:  # noqa: BLE001 - the registry's schema is not ours; the page works without it
        return ""
    return channel or ""
