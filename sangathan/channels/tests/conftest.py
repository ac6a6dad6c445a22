"""Fixtures of the channels tests: a local fake of the platforms' APIs (X, Meta Graph, YouTube, Telegram all on
one HTTP server on 127.0.0.1, the settings' base URLs pointed at it). Nothing here touches the internet."""

import json
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Asked:
    path: str  # without the query
    query: dict[str, str]
    headers: dict[str, str]


class FakePlatforms:
    """Records every GET and answers from ``routes``: path prefix -> queue of (status, body, headers); the last
    answer of a queue repeats. A body that is a callable gets the request's query."""

    def __init__(self) -> None:
        self.asked: list[Asked] = []
        self.routes: dict[str, deque] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                with fake.lock:
                    fake.asked.append(Asked(parts.path, query, {k.lower(): v for k, v in self.headers.items()}))
                    answers = next(
                        (
                            q
                            for prefix, q in sorted(fake.routes.items(), key=lambda kv: -len(kv[0]))
                            if parts.path.startswith(prefix)
                        ),
                        None,
                    )
                    if not answers:
                        status, body, headers = 404, {"error": "no route"}, {}
                    else:
                        status, body, headers = answers.popleft() if len(answers) > 1 else answers[0]
                if callable(body):
                    body = body(query)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def on(self, prefix: str, *answers: tuple) -> None:
        """Answer GETs under ``prefix`` with these (status, body[, headers]) in turn, the last one repeating."""
        self.routes[prefix] = deque((a[0], a[1], a[2] if len(a) > 2 else {}) for a in answers)

    def asked_under(self, prefix: str) -> list[Asked]:
        return [a for a in self.asked if a.path.startswith(prefix)]


@pytest.fixture
def platforms(monkeypatch, settings):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    fake = FakePlatforms()
    fake.thread.start()
    settings.X_API_URL = f"{fake.url}/x"
    settings.META_GRAPH_URL = f"{fake.url}/graph/v21.0"
    settings.YOUTUBE_API_URL = f"{fake.url}/youtube/v3"
    settings.TELEGRAM_API_URL = f"{fake.url}/telegram"
    settings.CHANNEL_API_TIMEOUT = 5
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
