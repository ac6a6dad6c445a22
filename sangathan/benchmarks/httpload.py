"""Load from client threads over keep-alive HTTP connections, for the benchmarks that start a server."""

import http.client
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Load:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def drive(port: int, bodies, concurrency: int, headers: dict, follow: bool = False, keep=None) -> Load:
    """POST every (path, body) on ``concurrency`` keep-alive connections; with ``follow``, also GET the page a
    303 points to (what a browser without JavaScript does) and time the pair as one answer. ``keep(body,
    status, text)``, when given, is called with each answer's text (after the timing)."""
    load = Load()
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                path, body = queue.pop()
            started = time.perf_counter()
            text = b""
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
                status = response.status
                if follow and status == 303:
                    conn.request("GET", response.getheader("Location"), headers={"Cookie": headers["Cookie"]})
                    page = conn.getresponse()
                    page.read()
                    status = 303 if page.status == 200 else page.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            if keep is not None:
                keep(body, status, text)
            with lock:
                load.latencies_ms.append(elapsed)
                load.statuses[status] = load.statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - started
    return load


def merge(loads: list[Load]) -> Load:
    total = Load()
    for load in loads:
        total.latencies_ms += load.latencies_ms
        total.seconds += load.seconds
        for status, n in load.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + n
    return total
