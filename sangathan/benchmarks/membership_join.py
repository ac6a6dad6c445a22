"""The public membership sign-up under load: the join POST (asks for the SMS code) and the code POST (verifies
the member), each beside a minimal ModelForm POST on the same server in the same run (the apply row's server:
gunicorn, two workers; on PostgreSQL a Celery worker on Redis delivers the SMS from the outbox).

Every join is a different person at one booth's join link, with a number of their own (spread out, so the
"run of consecutive numbers" signal stays quiet; the bench settings lift the per-address and night signals,
the load coming from one address at any hour, as they lift the rate limits). The code each person got is read
from the outbox as they would read the SMS. Then a fifth of the join POSTs are sent again (a retried POST, the
same form token) and a fifth of the code POSTs too (a double click on "confirm").

The books: members at the booth = joins answered with the code page, none twice; verified members = code
POSTs answered with the member page = distinct numbers; the retries add nothing.
"""

import http.client
import re
import secrets
import time
import urllib.parse

from sangathan.benchmarks.apply import Server, _csrf
from sangathan.benchmarks.httpload import drive, merge
from sangathan.benchmarks.org import Row, load_row, percentile
from sangathan.membership import services
from sangathan.membership.models import Member
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Unit

ROW_NAMES = ("membership-join",)
MIN_RATIO = 0.5  # issue 15: each POST at least 50% of the baseline's throughput
P99_MS = 150.0
PENDING_RE = re.compile(rb'name="pending" value="([^"]+)"')
CODE_RE = re.compile(r"\b(\d{6})\b")
VERIFIED_MARK = b'id="member-done"'
# Numbers 9xxxxxxxxx spread over the range: n * STRIDE mod 10^9 is one-to-one (STRIDE is prime to 10^9).
STRIDE = 7919


def mobile_of(n: int) -> str:
    return f"9{(n * STRIDE) % 10**9:09d}"


def _booth() -> Unit:
    """A booth of the first state with no members yet (a rerun on the same database takes the next one)."""
    state = Unit.objects.filter(level__code="state").order_by("path").first()
    taken = Member.objects.values("unit_id")
    booths = Unit.objects.filter(path__startswith=state.path, level__code="booth").exclude(pk__in=taken)
    return booths.order_by("path").first()


def _csrf_when_ready(port: int, path: str, timeout: float = 300.0) -> tuple[str, str]:
    """The CSRF cookie and form token of the join page, waiting for the workers: on a loaded machine a
    gunicorn worker may take over a minute to import Django and answer its first request."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _csrf(port, path)
        except (OSError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _code(mobile: str) -> str | None:
    message = OutboxMessage.objects.filter(template="mobile_code", recipient=mobile).order_by("-pk").first()
    found = CODE_RE.search(message.body) if message is not None else None
    return found.group(1) if found else None


def run(*, only, log, requests: int = 2000, concurrency: int = 8, rounds: int = 2) -> tuple[list[Row], list[str]]:
    if "membership-join" not in only:
        return [], []
    booth = _booth()
    if booth is None:
        return [], ["membership-join: skipped, no booth without members."]
    link = services.referral_code_for_unit(unit=booth)
    join_path = f"/join/{link.code}/"
    start = Member.objects.count()
    server = Server(workers=2)
    try:
        secret, token = _csrf_when_ready(server.port, join_path)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={secret}; django_language=hi",
            "Referer": f"http://127.0.0.1:{server.port}/",
        }
        serial = iter(range(1, 10**8))
        pending: dict[bytes, tuple[str, bytes]] = {}  # join body -> (mobile, the code page's signed note)
        verified_bodies: set[bytes] = set()

        def join_body() -> tuple[str, bytes]:
            fields = {
                "csrfmiddlewaretoken": token,
                "step": "join",
                "token": secrets.token_urlsafe(24),
                "name": "सीमा मीणा",
                "mobile": mobile_of(next(serial)),
                "age": "30",
                "epic": "",
                "gender": "female",
                "booth": "",
                "booth_q": "",
                "consent": "on",
            }
            return join_path, urllib.parse.urlencode(fields).encode()

        def keep_pending(body: bytes, status: int, text: bytes) -> None:
            found = PENDING_RE.search(text) if status == 200 else None
            if found:
                mobile = "+91" + urllib.parse.parse_qs(body.decode())["mobile"][0]
                pending[body] = (mobile, found.group(1))

        def keep_verified(body: bytes, status: int, text: bytes) -> None:
            if status == 200 and VERIFIED_MARK in text:
                verified_bodies.add(body)

        def code_bodies(joined: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
            bodies = []
            for _path, body in joined:
                mobile, note = pending.get(body, ("", b""))
                code = _code(mobile) if note else None
                if code is None:
                    continue
                fields = {"csrfmiddlewaretoken": token, "step": "code", "pending": note.decode(), "code": code}
                bodies.append((join_path, urllib.parse.urlencode(fields).encode()))
            return bodies

        def baseline_body() -> tuple[str, bytes]:
            fields = {
                "csrfmiddlewaretoken": token,
                "name": "Load Test",
                "mobile": mobile_of(next(serial)),
                "text": "हर बूथ हो मजबूत! " * 10,
            }
            return "/bench/baseline/", urllib.parse.urlencode(fields).encode()

        # Warm up (connections, templates, caches), then interleaved rounds: baseline, joins, baseline, codes.
        warm = [join_body() for _ in range(30)]
        drive(server.port, warm, concurrency, headers, keep=keep_pending)
        drive(server.port, code_bodies(warm), concurrency, headers, keep=keep_verified)
        drive(server.port, [baseline_body() for _ in range(50)], concurrency, headers)
        per_round = max(requests // rounds, 1)
        join_loads, code_loads, baseline_loads = [], [], []
        joins_sent, codes_sent = list(warm), []
        for index in range(rounds):
            log(f"  round {index + 1}/{rounds}: baseline, joins, baseline, codes ({per_round} POSTs each)")
            baseline_loads.append(drive(server.port, [baseline_body() for _ in range(per_round)], concurrency, headers))
            joins = [join_body() for _ in range(per_round)]
            joins_sent += joins
            join_loads.append(drive(server.port, joins, concurrency, headers, keep=keep_pending))
            baseline_loads.append(drive(server.port, [baseline_body() for _ in range(per_round)], concurrency, headers))
            codes = code_bodies(joins)
            codes_sent += codes
            code_loads.append(drive(server.port, codes, concurrency, headers, keep=keep_verified))
        members_before_retry = Member.objects.count() - start
        verified_before_retry = Member.objects.filter(verified_at__isnull=False).count()
        # Retried join POSTs (same form tokens) and double clicks on "confirm" (the same code again).
        retry_joins = drive(server.port, joins_sent[: per_round // 5], concurrency, headers)
        retry_codes = drive(server.port, codes_sent[: per_round // 5], concurrency, headers, keep=keep_verified)
        members = Member.objects.filter(unit=booth)
        stored = members.count()
        verified = members.filter(verified_at__isnull=False).count()
        distinct_mobiles = members.values("mobile").distinct().count()
        total_members = Member.objects.count() - start
        total_verified = Member.objects.filter(verified_at__isnull=False).count()
    finally:
        server.stop()

    join_load, code_load, baseline_load = merge(join_loads), merge(code_loads), merge(baseline_loads)
    join_ratio = join_load.per_second / baseline_load.per_second if baseline_load.per_second else 0.0
    code_ratio = code_load.per_second / baseline_load.per_second if baseline_load.per_second else 0.0
    join_p99, code_p99 = percentile(join_load.latencies_ms, 99), percentile(code_load.latencies_ms, 99)
    answered_join = len(pending)
    answered_code = len(verified_bodies)
    books = [
        (stored == answered_join, f"{answered_join} code pages answered but {stored} members stored"),
        (distinct_mobiles == stored, "a mobile number was stored twice"),
        (verified == answered_code, f"{answered_code} member pages answered but {verified} members verified"),
        (verified == stored, f"{stored - verified} members not verified (their code was lost)"),
        (total_members == members_before_retry, f"re-sent joins added {total_members - members_before_retry}"),
        (total_verified == verified_before_retry, "double clicks on confirm verified someone again"),
        (not set(retry_joins.statuses) - {200}, f"re-sent joins answered {retry_joins.statuses}"),
        (not set(retry_codes.statuses) - {200}, f"double clicks answered {retry_codes.statuses}"),
    ]
    rows = []
    for name, load, ratio, p99, what in (
        ("membership-join", join_load, join_ratio, join_p99, "public join POST (asks for the SMS code)"),
        ("membership-code", code_load, code_ratio, code_p99, "code POST (verifies the member)"),
    ):
        row = load_row(
            latencies_ms=load.latencies_ms,
            baseline_ms=baseline_load.latencies_ms,
            name=name,
            what=(
                f"{what}: {load.per_second:,.0f} req/s vs baseline {baseline_load.per_second:,.0f} req/s; "
                f"p99 {p99:.0f} ms; {'SMS by the worker on Redis' if server.broker else 'embedded mode'}"
            ),
            target=f"≥ {MIN_RATIO:.0%} of baseline req/s, p99 < {P99_MS:.0f} ms, books exact",
            ratio=ratio,
        )
        row.judge(
            [
                (ratio >= MIN_RATIO, f"throughput {ratio:.2f}× the baseline (target ≥ {MIN_RATIO})"),
                (p99 < P99_MS, f"p99 {p99:.0f} ms (target < {P99_MS:.0f} ms)"),
                (not set(load.statuses) - {200}, f"answers other than 200: {load.statuses}"),
                *books,
            ]
        )
        rows.append(row)
    notes = [
        f"membership-join: {answered_join} joins and {answered_code} codes at booth {booth.name_en or booth.name_hi}; "
        f"{len(retry_joins.latencies_ms)} joins re-sent, {len(retry_codes.latencies_ms)} codes re-sent; "
        f"members {stored}, verified {verified}, distinct numbers {distinct_mobiles}. "
        "Baseline = a minimal ModelForm POST on the same server (one INSERT)."
    ]
    return rows, notes
