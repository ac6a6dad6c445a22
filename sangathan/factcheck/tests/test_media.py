"""Pictures of WhatsApp and Telegram tips downloaded from the provider (``media``), tested against fake servers on
loopback shaped like the real APIs: WhatsApp's ``/{media-id}`` lookup and short-lived url, Telegram's ``getFile``
and file path; an expired url, a bad token, an oversize or wrong-type file, a slow server; safe twice; swept."""

import base64
import contextlib
import datetime
import email.message
import hashlib
import http.client
import io
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from PIL import Image

from sangathan.factcheck import images, media
from sangathan.factcheck.models import ImageError, Tip, TipChannel, TipMedia
from sangathan.factcheck.services import TipMediaIn, tip_receive
from sangathan.factcheck.tests.test_webhooks import (
    APP_SECRET,
    TG_SECRET,
    fixture,
    post_telegram,
    post_whatsapp,
)

pytestmark = pytest.mark.django_db
WA_TOKEN, TG_TOKEN = "EAAG-wa-token", "123456:tg-token"
WA_MEDIA_ID, TG_FILE_ID = "1003383421387256", "AgACAgUAAxkBAAIBSmLarge"


def jpeg(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    picture = Image.new("RGB", size, colour)
    for x in range(0, size[0], 8):  # some structure, so the hashes are not all zero
        picture.paste((20, 20, 20), (x, 0, x + 3, size[1]))
    picture.save(buffer, "JPEG")
    return buffer.getvalue()


class Fake:
    """What the fake providers serve and what they were asked."""

    def __init__(self) -> None:
        self.body = jpeg()
        self.content_type = "image/jpeg"
        self.announced_size: int | None = None
        self.content_length: int | None = None  # None: the real length; -1: none (chunked-like, read to close)
        self.expired_downloads = 0  # the first n downloads answer 404 (the url expired)
        self.delay = 0.0
        self.lookup_status = 200
        self.getfile_answer: tuple[int, dict] | None = None
        self.url_override = ""
        self.sha256: str | None = None  # None: the body's, base64 as the Cloud API gives it
        self.requests: list[tuple[str, str]] = []  # (path, Authorization)
        self.base = ""


def handler_for(fake: Fake):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def send_json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def send_file(self) -> None:
            if fake.expired_downloads:
                fake.expired_downloads -= 1
                self.send_json(404, {"error": "URL signature expired"})
                return
            self.send_response(200)
            self.send_header("Content-Type", fake.content_type)
            if fake.content_length != -1:
                self.send_header("Content-Length", str(fake.content_length or len(fake.body)))
            self.end_headers()
            if fake.delay:
                time.sleep(fake.delay)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(fake.body)

        def do_GET(self):  # noqa: N802 - http.server's name
            path = urllib.parse.urlsplit(self.path).path
            auth = self.headers.get("Authorization", "")
            fake.requests.append((path, auth))
            if path == f"/v21.0/{WA_MEDIA_ID}":
                if auth != f"Bearer {WA_TOKEN}":
                    self.send_json(401, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
                elif fake.lookup_status != 200:
                    self.send_json(fake.lookup_status, {"error": {"message": "Unsupported get request."}})
                else:
                    self.send_json(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": fake.url_override or f"{fake.base}/lookaside/?mid={WA_MEDIA_ID}&ext=1765090400",
                            "mime_type": "image/jpeg",
                            "sha256": base64.b64encode(hashlib.sha256(fake.body).digest()).decode()
                            if fake.sha256 is None
                            else fake.sha256,
                            "file_size": str(fake.announced_size or len(fake.body)),
                            "id": WA_MEDIA_ID,
                        },
                    )
            elif path == "/lookaside/":
                if auth != f"Bearer {WA_TOKEN}":
                    self.send_json(401, {"error": "unauthorised"})
                else:
                    self.send_file()
            elif path == f"/bot{TG_TOKEN}/getFile":
                if fake.getfile_answer is not None:
                    self.send_json(*fake.getfile_answer)
                else:
                    file_size = fake.announced_size or len(fake.body)
                    result = {"file_id": TG_FILE_ID, "file_unique_id": "AQADlarge", "file_size": file_size}
                    self.send_json(200, {"ok": True, "result": {**result, "file_path": "photos/file_7.jpg"}})
            elif path.startswith("/bot") and path.endswith("/getFile"):
                self.send_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            elif path == f"/file/bot{TG_TOKEN}/photos/file_7.jpg":
                self.send_file()
            elif path == "/elsewhere":
                self.send_response(302)
                self.send_header("Location", f"{fake.base}/lookaside/?mid=x")
                self.end_headers()
            else:
                self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    return Handler


@pytest.fixture
def fake(settings, claims, monkeypatch):
    state = Fake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.WHATSAPP_API_URL, settings.WHATSAPP_TOKEN = f"{state.base}/v21.0", WA_TOKEN
    settings.TELEGRAM_API_URL, settings.TELEGRAM_BOT_TOKEN = state.base, TG_TOKEN
    settings.FACTCHECK_MEDIA_HOSTS_WHATSAPP = settings.FACTCHECK_MEDIA_HOSTS_TELEGRAM = [state.base]
    settings.WHATSAPP_APP_SECRET, settings.TELEGRAM_WEBHOOK_SECRET = APP_SECRET, TG_SECRET
    settings.FACTCHECK_MEDIA_TIMEOUT_SECONDS = 5
    settings.FACTCHECK_MEDIA_FETCH_ATTEMPTS = 3
    monkeypatch.setattr(images, "picture_text", lambda image: "")  # Tesseract takes seconds; hashes suffice here
    yield state
    server.shutdown()
    server.server_close()


def provider_picture(channel=TipChannel.WHATSAPP, media_id=WA_MEDIA_ID, content_type="image/jpeg") -> TipMedia:
    tip, _new = tip_receive(
        channel=channel,
        text="",
        media=[TipMediaIn(content_type=content_type, provider_media_id=media_id)],
        provider_message_id=f"{channel}-{media_id}-{content_type}",
    )
    return TipMedia.objects.get(tip=tip)


class FakeResponse:
    """A stand-in for the response ``media._open`` gives (monkeypatched): no headers; ``read`` is the test's."""

    headers = email.message.Message()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def downloads(fake: Fake) -> int:
    return sum(1 for path, _auth in fake.requests if path in ("/lookaside/", f"/file/bot{TG_TOKEN}/photos/file_7.jpg"))


# ---------------------------------------------------------------- through the webhooks


def test_a_whatsapp_picture_is_downloaded_with_the_token_hashed_and_shown(
    fake, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert post_whatsapp(client, fixture("whatsapp_image.json")).status_code == 200
    picture = TipMedia.objects.get()
    assert picture.file and picture.size == len(fake.body) and picture.content_type == "image/jpeg"
    assert len(picture.phash) == 16 and picture.analysed_at is not None and picture.error == ""
    assert picture.fetch_attempts == 1
    assert fake.requests == [(f"/v21.0/{WA_MEDIA_ID}", f"Bearer {WA_TOKEN}"), ("/lookaside/", f"Bearer {WA_TOKEN}")]
    with picture.file.open("rb") as stored:
        assert stored.read() == fake.body


def test_a_telegram_photo_is_fetched_through_getfile(fake, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert post_telegram(client, fixture("telegram_photo.json")).status_code == 200
    picture = TipMedia.objects.get()
    assert picture.provider_media_id == TG_FILE_ID and picture.file and len(picture.dhash) == 16
    assert [path for path, _auth in fake.requests] == [
        f"/bot{TG_TOKEN}/getFile",
        f"/file/bot{TG_TOKEN}/photos/file_7.jpg",
    ]


def test_a_delivery_sent_twice_downloads_once(fake, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_whatsapp(client, fixture("whatsapp_image.json"))
        post_whatsapp(client, fixture("whatsapp_image.json"))
    assert TipMedia.objects.count() == 1 and downloads(fake) == 1


def test_a_video_is_kept_as_its_id_not_downloaded(fake, client, django_capture_on_commit_callbacks):
    update = json.loads(fixture("telegram_photo.json"))
    message = update["message"]
    del message["photo"]
    message["video"] = {"file_id": "BAACAgUAAxkBvideo", "file_unique_id": "AgADv", "mime_type": "video/mp4"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_telegram(client, json.dumps(update).encode()).status_code == 200
    video = TipMedia.objects.get()
    assert video.is_video and video.provider_media_id == "BAACAgUAAxkBvideo" and not video.file
    assert fake.requests == [] and media.tip_media_sweep() == 0
    assert media.tip_media_fetch(media_id=video.pk).error == ""


# ---------------------------------------------------------------- what the providers answer


def test_an_expired_whatsapp_url_is_asked_for_again(fake):
    fake.expired_downloads = 1
    picture = media.tip_media_fetch(media_id=provider_picture().pk)
    assert picture.file and downloads(fake) == 2
    assert [path for path, _auth in fake.requests].count(f"/v21.0/{WA_MEDIA_ID}") == 2


def test_a_media_id_the_provider_no_longer_has_is_marked_unavailable(fake):
    fake.lookup_status = 404
    picture = media.tip_media_fetch(media_id=provider_picture().pk)
    assert (picture.error, bool(picture.file)) == (ImageError.UNAVAILABLE, False)


def test_a_bad_token_is_tried_again_then_given_up(fake, settings):
    settings.WHATSAPP_TOKEN = "wrong"
    picture = provider_picture()
    for attempt in (1, 2):
        with pytest.raises(media.FetchLater):
            media.tip_media_fetch(media_id=picture.pk)
        picture.refresh_from_db()
        assert (picture.fetch_attempts, picture.error) == (attempt, "")
    assert media.tip_media_fetch(media_id=picture.pk).error == ImageError.UNAVAILABLE
    assert downloads(fake) == 0


def test_telegram_unauthorised_and_invalid_file_id(fake, settings):
    settings.TELEGRAM_BOT_TOKEN = "123456:wrong"
    picture = provider_picture(TipChannel.TELEGRAM, TG_FILE_ID)
    with pytest.raises(media.FetchLater):
        media.tip_media_fetch(media_id=picture.pk)
    settings.TELEGRAM_BOT_TOKEN = TG_TOKEN
    fake.getfile_answer = (400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"})
    assert media.tip_media_fetch(media_id=picture.pk).error == ImageError.UNAVAILABLE


def test_no_token_tries_nothing_and_counts_nothing(fake, settings):
    settings.WHATSAPP_TOKEN = ""
    picture = provider_picture()
    with pytest.raises(media.NotConfigured):
        media.tip_media_fetch(media_id=picture.pk)
    picture.refresh_from_db()
    assert (picture.fetch_attempts, picture.error, fake.requests) == (0, "", [])
    media.fetch_tip_media.delay(picture.pk)  # the task, inline, is quiet: the sweep tries again


@pytest.mark.parametrize("how", ["announced", "content_length", "body"])
def test_an_oversize_picture_is_refused_before_it_is_read_whole(fake, settings, how):
    settings.FACTCHECK_TIP_IMAGE_MAX_BYTES = 10_000
    fake.body = jpeg(size=(64, 48)) + b"\0" * 20_000
    if how == "announced":  # the provider says so: nothing is downloaded
        fake.announced_size = 50_000
    elif how == "content_length":  # the lookup says small, the download's header tells the truth
        fake.announced_size = 5_000
    else:  # no length at all: the read stops one byte past the cap
        fake.announced_size, fake.content_length = 5_000, -1
    picture = media.tip_media_fetch(media_id=provider_picture().pk)
    assert (picture.error, bool(picture.file)) == (ImageError.TOO_LARGE, False)
    assert downloads(fake) == (0 if how == "announced" else 1)


def test_a_web_page_instead_of_a_picture_is_refused(fake):
    fake.body, fake.content_type = b"<html><body>Login</body></html>", "text/html"
    assert media.tip_media_fetch(media_id=provider_picture().pk).error == ImageError.NOT_AN_IMAGE


def test_bytes_that_only_claim_to_be_a_jpeg_are_refused(fake):
    fake.body = b"MZ\x90\x00 this is a program, not a picture" * 10
    picture = media.tip_media_fetch(media_id=provider_picture(TipChannel.TELEGRAM, TG_FILE_ID).pk)
    assert (picture.error, bool(picture.file)) == (ImageError.NOT_AN_IMAGE, False)


def test_a_slow_server_is_given_up_within_the_deadline(fake, settings):
    settings.FACTCHECK_MEDIA_TIMEOUT_SECONDS = 0.5
    fake.delay = 2.0
    picture = provider_picture()
    with pytest.raises(media.FetchLater):
        media.tip_media_fetch(media_id=picture.pk)
    picture.refresh_from_db()
    assert (picture.fetch_attempts, picture.error, bool(picture.file)) == (1, "", False)


@pytest.mark.parametrize(
    "broken",
    [http.client.IncompleteRead(b"\xff\xd8", 1000), http.client.BadStatusLine("garbage"), http.client.LineTooLong("x")],
    ids=["cut-off-chunked-body", "bad-status-line", "header-too-long"],
)
def test_a_broken_http_answer_is_tried_again_and_counted(fake, monkeypatch, broken):
    """http.client's errors (a cut-off chunked body, a garbled answer) are not OSErrors: each is a download
    to try again, counted, never a task that fails uncounted and is swept again forever (found in review)."""

    class Broken(FakeResponse):
        def read(self, size):
            raise broken

    where = "read" if isinstance(broken, http.client.IncompleteRead) else "open"

    def open_(request, deadline, sockets):
        if where == "open":
            raise broken
        return Broken()

    monkeypatch.setattr(media, "_open", open_)
    picture = provider_picture()
    with pytest.raises(media.FetchLater):
        media.tip_media_fetch(media_id=picture.pk)
    picture.refresh_from_db()
    assert (picture.fetch_attempts, picture.error, bool(picture.file)) == (1, "", False)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "{base}/elsewhere"])
def test_only_http_is_opened_and_redirects_are_not_followed(fake, url):
    fake.url_override = url.format(base=fake.base)
    assert media.tip_media_fetch(media_id=provider_picture().pk).error == ImageError.UNAVAILABLE
    assert downloads(fake) == 0


def test_a_document_that_is_not_a_picture_is_marked_without_a_download(fake):
    picture = media.tip_media_fetch(media_id=provider_picture(content_type="application/pdf").pk)
    assert picture.error == ImageError.NOT_AN_IMAGE and fake.requests == []


# ---------------------------------------------------------------- safe twice, swept


def test_running_twice_downloads_once(fake):
    picture = provider_picture()
    first = media.tip_media_fetch(media_id=picture.pk)
    second = media.tip_media_fetch(media_id=picture.pk)
    assert first.file.name == second.file.name and downloads(fake) == 1


def test_the_sweep_queues_lost_downloads_only(fake, django_capture_on_commit_callbacks):
    now = timezone.now()
    lost, fresh = provider_picture(), provider_picture(media_id="2")
    video = provider_picture(media_id="3", content_type="video/mp4")
    TipMedia.objects.filter(pk=lost.pk).update(fetch_queued_at=now - datetime.timedelta(hours=1))
    TipMedia.objects.filter(pk__in=[fresh.pk, video.pk]).update(fetch_queued_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert media.tip_media_sweep(now=now) == 1
    lost.refresh_from_db()
    assert lost.file and lost.fetch_queued_at >= now
    assert not TipMedia.objects.get(pk=fresh.pk).file
    assert media.tip_media_sweep(now=now) == 0
    assert Tip.objects.count() == 3


# ---------------------------------------------------------------- hardening: checksum, hosts, deadline, retries


def test_bytes_that_differ_from_the_announced_sha256_are_not_stored_then_marked_damaged(fake, settings):
    fake.sha256 = base64.b64encode(hashlib.sha256(b"another picture").digest()).decode()
    picture = provider_picture()
    for _try in range(settings.FACTCHECK_MEDIA_FETCH_ATTEMPTS - 1):
        with pytest.raises(media.Damaged):
            media.tip_media_fetch(media_id=picture.pk)
        picture.refresh_from_db()
        assert (picture.error, bool(picture.file)) == ("", False)
    picture = media.tip_media_fetch(media_id=picture.pk)
    assert (picture.error, bool(picture.file), picture.fetch_attempts) == (ImageError.DAMAGED, False, 3)
    assert downloads(fake) == 3


@pytest.mark.parametrize("form", ["hex", "HEX", "base64"])
def test_the_sha256_is_read_in_hex_or_base64(fake, form):
    digest = hashlib.sha256(fake.body).digest()
    fake.sha256 = {"hex": digest.hex(), "HEX": digest.hex().upper(), "base64": base64.b64encode(digest).decode()}[form]
    picture = media.tip_media_fetch(media_id=provider_picture().pk)
    assert picture.file and picture.error == ""


@pytest.mark.parametrize("announced", ["not-a-hash", "abcd", 12345])
def test_an_unreadable_sha256_vouches_for_nothing(fake, announced):
    fake.sha256 = announced
    with pytest.raises(media.Damaged):
        media.tip_media_fetch(media_id=provider_picture().pk)


@pytest.mark.parametrize(
    "url",
    ["https://attacker.example/lookaside/?mid=1", "http://127.0.0.1:1/lookaside/", "{https_base}/lookaside/"],
    ids=["another-host", "another-port", "https-on-the-fakes-host-not-listed"],
)
def test_a_download_address_off_the_providers_hosts_is_refused_and_the_token_stays(fake, url):
    fake.url_override = url.format(https_base=fake.base.replace("http://", "https://"))
    picture = media.tip_media_fetch(media_id=provider_picture().pk)
    assert (picture.error, bool(picture.file)) == (ImageError.UNAVAILABLE, False)
    assert downloads(fake) == 0


def test_telegram_is_asked_only_on_its_hosts(fake, settings):
    settings.FACTCHECK_MEDIA_HOSTS_TELEGRAM = ["api.telegram.org"]  # the fake (http, loopback) is not
    picture = media.tip_media_fetch(media_id=provider_picture(TipChannel.TELEGRAM, TG_FILE_ID).pk)
    assert picture.error == ImageError.UNAVAILABLE and fake.requests == []


@pytest.mark.parametrize(
    ("url", "hosts", "expected"),
    [
        ("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", ["lookaside.fbsbx.com"], True),
        ("https://LOOKASIDE.fbsbx.com:443/x", ["lookaside.fbsbx.com"], True),
        ("http://lookaside.fbsbx.com/x", ["lookaside.fbsbx.com"], False),  # https only for a host name
        ("https://lookaside.fbsbx.com:8443/x", ["lookaside.fbsbx.com"], False),
        ("https://evil.lookaside.fbsbx.com/x", ["lookaside.fbsbx.com"], False),
        ("https://lookaside.fbsbx.com.evil.example/x", ["lookaside.fbsbx.com"], False),
        ("https://user@evil.example/x", ["lookaside.fbsbx.com"], False),
        ("http://127.0.0.1:8123/x", ["http://127.0.0.1:8123"], True),
        ("http://127.0.0.1:8124/x", ["http://127.0.0.1:8123"], False),
        ("https://127.0.0.1:8123/x", ["http://127.0.0.1:8123"], False),
        ("file:///etc/passwd", ["lookaside.fbsbx.com"], False),
        ("https://[::1/x", ["lookaside.fbsbx.com"], False),
        ("https://api.telegram.org/file/bot1:x/a.jpg", [], False),
    ],
)
def test_which_addresses_are_the_providers(url, hosts, expected):
    assert media.allowed(url, hosts) is expected


def test_each_read_waits_at_most_what_is_left_of_the_whole_download(fake, monkeypatch):
    """A socket timeout set once when the download starts let a read begun just before the deadline wait the
    whole timeout again (about twice the setting in all); now each read's wait is what is left, and the
    download is given up once nothing is left. A clock of our own, no waiting."""
    clock = {"now": 1000.0}
    monkeypatch.setattr(media.time, "monotonic", lambda: clock["now"])

    class Socket:
        timeouts: list[float] = []

        def fileno(self):
            return 7

        def settimeout(self, value):
            self.timeouts.append(value)

    class Slow(FakeResponse):
        def read(self, size):
            clock["now"] += 2.0  # each chunk takes 2 s of the 5 s allowed
            return b"x" * 10

    def open_(request, deadline, sockets):
        assert deadline - clock["now"] == 5
        sockets.append(Socket())
        return Slow()

    monkeypatch.setattr(media, "_open", open_)
    with pytest.raises(media.FetchLater):
        media._get(f"{fake.base}/lookaside/", limit=10_000, deadline=1005.0, hosts=[fake.base])
    assert Socket.timeouts == [5.0, 3.0, 1.0]  # never more than what is left; no read past the deadline


def test_the_connection_waits_at_most_what_is_left(monkeypatch):
    clock = {"now": 50.0}
    monkeypatch.setattr(media.time, "monotonic", lambda: clock["now"])
    connection = media._deadline_connection(http.client.HTTPConnection, 53.5, [])("127.0.0.1", timeout=20)
    seen = {}
    monkeypatch.setattr(http.client.HTTPConnection, "connect", lambda self: seen.setdefault("timeout", self.timeout))
    connection.connect()
    assert seen["timeout"] == 3.5  # not the 20 s the opener was given
    clock["now"] = 54.0
    with pytest.raises(TimeoutError):
        connection.connect()


def test_a_retry_queued_sets_fetch_queued_at_so_the_sweep_leaves_it(fake):
    fake.lookup_status = 503
    picture = provider_picture()
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    TipMedia.objects.filter(pk=picture.pk).update(fetch_queued_at=an_hour_ago)
    with pytest.raises(media.FetchLater):
        media.fetch_tip_media(picture.pk)  # called directly: Celery's retry raises the error after queueing
    picture.refresh_from_db()
    assert picture.fetch_queued_at > an_hour_ago and picture.fetch_attempts == 1
    assert media.tip_media_sweep(now=picture.fetch_queued_at + datetime.timedelta(minutes=5)) == 0
