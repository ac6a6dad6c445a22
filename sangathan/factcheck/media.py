"""Pictures sent to the WhatsApp and Telegram webhooks, downloaded from the provider and handed to the picture
pipeline (``images``: pHash/dHash, Tesseract, matching).

A webhook delivery carries only the provider's media id (``TipMedia.provider_media_id``); the webhook stores the
tip and queues ``fetch_tip_media`` once the tip is committed (``tip_media_queue``). The task downloads:

- **WhatsApp Cloud API**: ``GET {WHATSAPP_API_URL}/{media-id}`` with the bearer token answers JSON with a
  short-lived ``url`` (and ``file_size``); ``GET url`` with the same token gives the bytes. A url that has
  expired (404) is asked for again once, in the same try.
- **Telegram Bot API**: ``GET {TELEGRAM_API_URL}/bot<token>/getFile?file_id=...`` answers ``file_path`` (and
  ``file_size``); the bytes are at ``{TELEGRAM_API_URL}/file/bot<token>/<file_path>``.

Checks, in order: the size the provider announces, the ``Content-Length``, then the body read in chunks with a
cap (``FACTCHECK_TIP_IMAGE_MAX_BYTES``: never more than one byte past it is read) and a deadline for the whole
download (``FACTCHECK_MEDIA_TIMEOUT_SECONDS``, however slowly the server drips); the content type must be a
picture's (or the octet-stream Telegram sends) and the bytes must open as a JPEG, PNG, WebP or GIF
(``images.open_picture``: magic, pixel count, a whole file); WhatsApp's bytes must have the ``sha256`` its
lookup announced (hex or base64): a mismatch stores nothing and is tried again, then marked "damaged in
download". The deadline holds for every step that can wait (connecting, the status line, each read: the
socket waits at most what is left), so a download ends within the setting, not twice it. A picture refused
keeps the reason in ``error`` and no file; one stored is analysed by ``images.analyse_tip_images``.

Only the provider's own addresses are opened: https, on a host of ``FACTCHECK_MEDIA_HOSTS_WHATSAPP`` or
``FACTCHECK_MEDIA_HOSTS_TELEGRAM`` (an entry with a scheme, such as the tests' ``http://127.0.0.1:8123``, is
one exact origin), so a lookup answering another address (a tampered answer, a proxy in the way) sends the
token nowhere else. Redirects are not followed (the token would travel with them); no error text contains a
URL (Telegram's token is in its path).

Safe twice: a picture already stored, refused or given up is left alone, and the row is locked before a file is
stored, so two workers store it once. What may pass (a timeout, 5xx, 429, a token refused until a person fixes
it) is tried again with growing pauses, ``FACTCHECK_MEDIA_FETCH_ATTEMPTS`` times in all (counted on the row),
then marked "could not be fetched" (or "damaged in download"); each try queued again sets
``fetch_queued_at``, so the sweep does not queue it a second time while it waits; a task lost with its worker is queued again by the sweep
(``tasks.sweep_tip_media``, beat) after ``SWEEP_AFTER``. Without a token nothing is tried (nor counted): the
sweep tries again once it is set. A video is kept as its media id and shown as "video, not analysed".
"""

import base64
import binascii
import datetime
import hashlib
import http.client
import io
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sangathan.access.permissions import VIEW
from sangathan.factcheck import images
from sangathan.factcheck.forms import IMAGE_TYPES
from sangathan.factcheck.models import ImageError, Tip, TipChannel, TipMedia

log = logging.getLogger(__name__)

METADATA_MAX = 64 * 1024  # bytes of the JSON answers (/{media-id}, getFile): a few hundred in practice
CHUNK = 64 * 1024
SWEEP_AFTER = datetime.timedelta(minutes=15)  # longer than the longest pause between two tries
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 480
PICTURE_CONTENT_TYPES = ("image/", "application/octet-stream", "binary/octet-stream")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


class FetchLater(Exception):
    """The download may work later (timeout, 5xx, 429, a token refused): try again; ``code`` is what the
    picture is marked with once no try is left."""

    code = ImageError.UNAVAILABLE


class Damaged(FetchLater):
    """The bytes are not those the provider announced (``sha256``): cut or changed on the way."""

    code = ImageError.DAMAGED


class NotConfigured(FetchLater):
    """No token for the provider: nothing was tried."""


class Refused(Exception):
    """The picture will not be fetched: ``code`` is an ``ImageError`` value."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Expired(FetchLater):
    """The provider answered 404 for a download address (WhatsApp's url lives five minutes)."""


@dataclass(frozen=True)
class Download:
    data: bytes
    content_type: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is answered as an HTTPError


def _left(deadline: float) -> float:
    """Seconds left before ``deadline``; a step with none left is given up."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("too slow")
    return remaining


def _deadline_connection(base: type[http.client.HTTPConnection], deadline: float, sockets: list):
    """``base`` whose connect and status line each wait at most what is left, its socket kept in ``sockets``
    for the reads (a socket timeout set once at the start let each step wait the whole time again)."""

    class Connection(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            self.timeout = _left(deadline)
            super().connect()
            sockets.append(self.sock)

        def getresponse(self):
            if self.sock is not None:
                self.sock.settimeout(_left(deadline))
            return super().getresponse()

    return Connection


class _DeadlineHTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: float, sockets: list) -> None:
        super().__init__()
        self.connection = _deadline_connection(http.client.HTTPConnection, deadline, sockets)

    def http_open(self, req):
        return self.do_open(self.connection, req)


class _DeadlineHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float, sockets: list) -> None:
        super().__init__()
        self.connection = _deadline_connection(http.client.HTTPSConnection, deadline, sockets)

    def https_open(self, req):
        return self.do_open(self.connection, req)


def _open(request: urllib.request.Request, *, deadline: float, sockets: list):
    """The response to ``request``, every step before ``deadline``; redirects answered as errors."""
    opener = urllib.request.build_opener(
        _NoRedirect, _DeadlineHTTP(deadline, sockets), _DeadlineHTTPS(deadline, sockets)
    )
    return opener.open(request, timeout=_left(deadline))


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def allowed(url: str, hosts: list[str]) -> bool:
    """Is ``url`` on one of ``hosts``: a host name (https only, its default port) or an origin with its
    scheme (``http://127.0.0.1:8123``: that scheme, host and port exactly)?"""
    origin = _origin(url)
    if origin is None:
        return False
    for host in hosts:
        if "://" in host:
            if _origin(host) == origin:
                return True
        elif origin == ("https", host.lower(), 443):
            return True
    return False


def _get(url: str, *, limit: int, deadline: float, hosts: list[str], token: str = "") -> Download:
    """The body at ``url``, at most ``limit`` bytes, read before ``deadline`` (``time.monotonic``); ``url``
    must be on one of ``hosts`` (``allowed``)."""
    if not allowed(url, hosts):
        log.warning("factcheck: a download address off the provider's hosts was refused")
        raise Refused(ImageError.UNAVAILABLE)
    request = urllib.request.Request(url, headers={"User-Agent": "sangathan-factcheck"})  # noqa: S310 - checked above
    if token:
        request.add_unredirected_header("Authorization", f"Bearer {token}")
    sockets: list = []
    try:
        response = _open(request, deadline=deadline, sockets=sockets)
    except urllib.error.HTTPError as error:
        error.close()
        raise _status_error(error.code) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException):
        # HTTPException (a bad status line, a header too long) is not an OSError: uncaught, the task would
        # fail uncounted and be swept again forever
        raise FetchLater("not reachable") from None
    with response:
        try:
            declared = int(response.headers.get("Content-Length") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise Refused(ImageError.TOO_LARGE)
        body = bytearray()
        try:
            while len(body) <= limit:
                left = _left(deadline)
                for sock in sockets:  # one read waits at most what is left of the whole download
                    if sock.fileno() != -1:  # closed once the whole body is read
                        sock.settimeout(left)
                chunk = response.read(min(CHUNK, limit + 1 - len(body)))
                if not chunk:
                    break
                body.extend(chunk)
        except (TimeoutError, OSError, http.client.HTTPException):  # IncompleteRead: a cut-off chunked body
            raise FetchLater("too slow") from None
        if len(body) > limit:
            raise Refused(ImageError.TOO_LARGE)
        return Download(bytes(body), response.headers.get_content_type())


def _status_error(status: int) -> Exception:
    if status in (404, 410):
        return Expired(f"HTTP {status}")
    if status in (401, 403):
        log.warning("factcheck: the provider refused the token (HTTP %s); set a valid one", status)
        return FetchLater(f"HTTP {status}")
    if status == 429 or status >= 500:
        return FetchLater(f"HTTP {status}")
    return Refused(ImageError.UNAVAILABLE)  # 400 (Telegram: invalid file_id, file too big) and the like


def _json_at(url: str, *, deadline: float, hosts: list[str], token: str = "") -> dict:
    answer = _get(url, limit=METADATA_MAX, deadline=deadline, hosts=hosts, token=token)
    try:
        payload = json.loads(answer.data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FetchLater("not JSON") from None
    if not isinstance(payload, dict):
        raise FetchLater("not a JSON object")
    return payload


def _check_announced_size(size) -> None:
    try:
        announced = int(size or 0)
    except (TypeError, ValueError):
        return
    if announced > settings.FACTCHECK_TIP_IMAGE_MAX_BYTES:
        raise Refused(ImageError.TOO_LARGE)


def announced_sha256(value) -> bytes | None:
    """The 32 bytes of the ``sha256`` a WhatsApp lookup announces (64 hex digits or base64); None when there
    is none. One that is neither cannot vouch for the bytes: ``Damaged``."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            digest = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            digest = b""
        if len(digest) == 32:
            return digest
    raise Damaged("sha256 unreadable")


def whatsapp_download(media_id: str, *, deadline: float) -> Download:
    token = settings.WHATSAPP_TOKEN
    if not token:
        raise NotConfigured("WHATSAPP_TOKEN")
    hosts = settings.FACTCHECK_MEDIA_HOSTS_WHATSAPP
    lookup = f"{settings.WHATSAPP_API_URL.rstrip('/')}/{urllib.parse.quote(media_id, safe='')}"
    for last_try in (False, True):
        try:
            info = _json_at(lookup, deadline=deadline, hosts=hosts, token=token)
        except Expired:
            raise Refused(ImageError.UNAVAILABLE) from None  # media ids live 30 days: this one is gone
        _check_announced_size(info.get("file_size"))
        url = info.get("url")
        if not isinstance(url, str) or not url:
            raise FetchLater("no url")
        expected = announced_sha256(info.get("sha256"))
        try:
            got = _get(url, limit=settings.FACTCHECK_TIP_IMAGE_MAX_BYTES, deadline=deadline, hosts=hosts, token=token)
        except Expired:
            if last_try:
                raise
            continue
        if expected is not None and hashlib.sha256(got.data).digest() != expected:
            log.warning("factcheck: a WhatsApp picture's bytes differ from its announced sha256; not stored")
            raise Damaged("sha256 differs")
        return got
    raise AssertionError("unreachable")  # pragma: no cover


def telegram_download(file_id: str, *, deadline: float) -> Download:
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise NotConfigured("TELEGRAM_BOT_TOKEN")
    base = settings.TELEGRAM_API_URL.rstrip("/")
    hosts = settings.FACTCHECK_MEDIA_HOSTS_TELEGRAM
    query = urllib.parse.urlencode({"file_id": file_id})
    try:
        info = _json_at(f"{base}/bot{token}/getFile?{query}", deadline=deadline, hosts=hosts)
    except Expired:
        raise FetchLater("HTTP 404") from None  # Telegram answers 404 to a malformed token
    result = info.get("result")
    if info.get("ok") is not True or not isinstance(result, dict):
        raise FetchLater("not ok")
    _check_announced_size(result.get("file_size"))
    path = result.get("file_path")
    if not isinstance(path, str) or not path or ".." in path.split("/"):
        raise Refused(ImageError.UNAVAILABLE)
    url = f"{base}/file/bot{token}/{urllib.parse.quote(path)}"
    return _get(url, limit=settings.FACTCHECK_TIP_IMAGE_MAX_BYTES, deadline=deadline, hosts=hosts)


DOWNLOADERS = {TipChannel.WHATSAPP: whatsapp_download, TipChannel.TELEGRAM: telegram_download}


def _waiting_q() -> Q:
    """Files of a provider still to be downloaded (not stored, not refused, not a video; a document that is
    not a picture is marked so by the task, without a download)."""
    return Q(file="", error="") & ~Q(provider_media_id="") & ~Q(content_type__startswith="video")


def _mark(media: TipMedia, code: str) -> TipMedia:
    TipMedia.objects.filter(pk=media.pk, file="", error="").update(error=code, analysed_at=timezone.now())
    media.refresh_from_db()
    return media


# ---------------------------------------------------------------- reads


def unfetched_for_tips(*, user, tips: list[Tip]) -> dict[int, list[TipMedia]]:
    """{tip id: its provider files not stored} that ``user`` may view: videos (not analysed), pictures still
    being downloaded, and those that could not be (one query)."""
    found: dict[int, list[TipMedia]] = {}
    for item in TipMedia.objects.restrict(user, VIEW).filter(tip__in=tips, file="").order_by("id"):
        found.setdefault(item.tip_id, []).append(item)
    return found


# ---------------------------------------------------------------- writes


def tip_media_fetch(*, media_id: int) -> TipMedia | None:
    """Download one provider picture and queue its analysis, or mark why it will not be. Raises
    ``FetchLater`` when it may work later (and tries are left)."""
    media = TipMedia.objects.select_related("tip").filter(pk=media_id).first()
    if media is None or media.file or media.error or not media.provider_media_id or media.is_video:
        return media
    if not media.content_type.startswith("image/"):
        return _mark(media, ImageError.NOT_AN_IMAGE)  # a PDF or audio sent as a document: nothing to read
    download = DOWNLOADERS.get(media.tip.channel)
    if download is None:
        return _mark(media, ImageError.UNAVAILABLE)
    attempts = media.fetch_attempts + 1
    deadline = time.monotonic() + settings.FACTCHECK_MEDIA_TIMEOUT_SECONDS
    try:
        got = download(media.provider_media_id, deadline=deadline)
    except NotConfigured:
        log.warning("factcheck: a %s picture waits: no token set", media.tip.channel)
        raise
    except Refused as refused:
        return _mark(media, refused.code)
    except FetchLater as later:
        if attempts >= settings.FACTCHECK_MEDIA_FETCH_ATTEMPTS:
            TipMedia.objects.filter(pk=media.pk).update(fetch_attempts=F("fetch_attempts") + 1)
            return _mark(media, later.code)
        TipMedia.objects.filter(pk=media.pk).update(fetch_attempts=F("fetch_attempts") + 1)
        raise
    if not got.content_type.startswith(PICTURE_CONTENT_TYPES):
        return _mark(media, ImageError.NOT_AN_IMAGE)
    try:
        picture = images.open_picture(io.BytesIO(got.data), size=len(got.data))
    except images.PictureError as refused:
        return _mark(media, refused.code)
    kind = str(picture.format)
    return _store(media_id=media.pk, data=got.data, kind=kind, attempts=attempts)


def _store(*, media_id: int, data: bytes, kind: str, attempts: int) -> TipMedia:
    with transaction.atomic():
        media = TipMedia.objects.select_for_update().select_related("tip").get(pk=media_id)
        if media.file or media.error:
            return media  # another worker stored or refused it meanwhile
        name = f"{hashlib.sha256(data).hexdigest()[:24]}.{EXTENSIONS[kind]}"
        media.file.save(name, ContentFile(data), save=False)
        media.size, media.content_type = len(data), IMAGE_TYPES[kind]
        media.fetch_attempts = attempts
        media.save(update_fields=["file", "size", "content_type", "fetch_attempts"])
        images.tip_images_queue(media.tip)
    return media


def tip_media_queue(tip: Tip) -> int:
    """Queue the download of the tip's provider pictures once the tip's transaction commits."""
    ids = list(TipMedia.objects.filter(_waiting_q(), tip=tip).values_list("pk", flat=True))
    return _queue(ids)


def _queue(ids: list[int]) -> int:
    if ids:
        queued_now(ids)
        transaction.on_commit(lambda: [fetch_tip_media.delay(pk) for pk in ids])
    return len(ids)


def queued_now(ids: list[int]) -> None:
    """The downloads of ``ids`` are queued (first, by the sweep, or a retry): the sweep leaves them alone for
    ``SWEEP_AFTER`` (a retry waits up to ``RETRY_MAX_SECONDS``; without this, a download retried past the
    first queueing's ``SWEEP_AFTER`` was queued a second time by the sweep)."""
    TipMedia.objects.filter(pk__in=ids).update(fetch_queued_at=timezone.now())


def tip_media_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Queue again the downloads not tried for ``SWEEP_AFTER`` (a task lost with its worker, a token set at
    last, pictures stored before there was a task). Returns how many."""
    stale = (now or timezone.now()) - SWEEP_AFTER
    ids = list(
        TipMedia.objects.filter(_waiting_q())
        .filter(Q(fetch_queued_at__isnull=True) | Q(fetch_queued_at__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return _queue(ids)


# The task lives here, like images' tasks: webhooks queue it and tasks.py imports this module (registering it).


# Celery's own bound only backs up the row's (FACTCHECK_MEDIA_FETCH_ATTEMPTS, 6 by default), which ends the tries first.
@shared_task(name="sangathan.factcheck.tasks.fetch_tip_media", bind=True, max_retries=20)
def fetch_tip_media(self, media_id: int) -> None:
    """Thin: download a provider picture (``tip_media_fetch``); what may pass is tried again with growing
    pauses (the tries are bounded by ``FACTCHECK_MEDIA_FETCH_ATTEMPTS`` on the row). Run inline (no broker),
    the sweep tries again instead: a webhook never waits for a retry."""
    try:
        tip_media_fetch(media_id=media_id)
    except NotConfigured:
        return
    except FetchLater as later:
        if self.request.is_eager:
            return
        pause = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2**self.request.retries)
        queued_now([media_id])
        raise self.retry(exc=later, countdown=pause) from None
