"""Fixtures of the notification tests: a local fake provider (SMS gateway, WhatsApp, Telegram all in one
HTTP server on 127.0.0.1) and a recording channel. Nothing here ever touches the internet."""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sangathan.notifications import channels


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))


class FakeProvider:
    """Records every request and answers with the next canned response (status, JSON body, delay in
    seconds, extra headers), or with ``default(request)`` when none is left."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.responses: deque[tuple[int, object, float, dict]] = deque()
        self.lock = threading.Lock()
        self.default = lambda request: (200, {"id": f"fake-{len(self.requests)}"})
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorded = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with provider.lock:
                    provider.requests.append(recorded)
                    if provider.responses:
                        status, answer, delay, headers = provider.responses.popleft()
                    else:
                        (status, answer), delay, headers = provider.default(recorded), 0.0, {}
                if delay:
                    time.sleep(delay)
                payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (the timeout test)
                    pass

            def log_message(self, format, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def respond(self, status: int, answer: object, delay: float = 0.0, headers: dict | None = None) -> None:
        self.responses.append((status, answer, delay, headers or {}))

    def start(self) -> "FakeProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_provider(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    provider = FakeProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def sms_gateway(fake_provider, settings):
    settings.SMS_GATEWAY_URL = f"{fake_provider.url}/api/v1/sms"
    settings.SMS_GATEWAY_KEY = "test-sms-key"
    settings.SMS_SENDER_ID = "SNGTHN"
    return fake_provider


class RecordingChannel(channels.Channel):
    """Stands in for a channel: records what it was asked to send; ``outcomes`` are raised (exceptions)
    or returned (provider ids) one per call, then it returns "fake-<n>"."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.outcomes: list = []
        self.during_send = None

    def send(self, message) -> str:
        self.sent.append(message.pk)
        if self.during_send:
            self.during_send(message)
        if self.outcomes:
            outcome = self.outcomes.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        return f"fake-{len(self.sent)}"


@pytest.fixture
def recorder(monkeypatch):
    """Replaces the console channel with a ``RecordingChannel``."""
    channel = RecordingChannel()
    monkeypatch.setitem(channels._REGISTRY, "console", channel)
    return channel
