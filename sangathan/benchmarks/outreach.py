"""The message cascade at the scale of the seeded tree, against baselines measured in the same run.

- ``cascade``: a message from the root to every booth, its deliveries and roll-ups written chunk by chunk in
  this process (the embedded mode). Baseline: one plain INSERT … SELECT of the same rows into the same table.
- ``cascade_worker``: the same send queued on Redis and written by a real Celery worker process (2 processes).
- ``ack``: the recipient's "received" POST through gunicorn, against a minimal view doing the same one-row
  UPDATE on the same server in the same run (``/bench/ack-baseline/<id>/``).

Notifications are not part of these timings (``OUTREACH_NOTIFY = False`` on the benchmark's server; the eager
row writes deliveries with ``chunk_write``): they go through the outbox like every other message.
"""

import os
import subprocess
import time
import urllib.parse

import redis
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from sangathan.benchmarks import apply as apply_bench
from sangathan.benchmarks.httpload import drive, merge
from sangathan.benchmarks.org import Row, load_row, percentile
from sangathan.benchmarks.worker import start_celery_worker
from sangathan.config.celery import app
from sangathan.org.models import Level, Unit
from sangathan.org.paths import path_upper_bound
from sangathan.outreach import services
from sangathan.outreach.models import Delivery, Message, Rollup, SendChunk

ROW_NAMES = ("cascade", "cascade_worker", "ack")
TARGET_S = 10.0
ACK_RATIO = 0.7
QUEUE = "sangathan-bench-outreach"
# A Redis database of its own: the apply benchmark flushes database 14 when it starts and stops.
BROKER = "redis://127.0.0.1:6379/13"


def _own_broker() -> str:
    try:
        client = redis.Redis.from_url(BROKER)
        client.ping()
        client.delete(QUEUE)
        return BROKER
    except Exception:  # noqa: BLE001 - no Redis: the worker row is skipped
        return ""


def _sender():
    user, _created = get_user_model().objects.get_or_create(
        username="bench-outreach", defaults={"is_superuser": True, "is_staff": False}
    )
    return user


def _message(root: Unit, title: str) -> Message:
    return services.message_create(
        unit=root,
        target_level=Level.objects.get(code="booth"),
        by=_sender(),
        title=title,
        body_hi="हर बूथ तक संदेश",
        text_whatsapp="हर बूथ तक संदेश #हर_बूथ_मजबूत",
    )


def _expected(root: Unit, message: Message) -> int:
    return (
        Unit.objects.subtree(root, include_self=False).filter(level_id__in=services.target_level_ids(message)).count()
    )


def _baseline(root: Unit, log) -> tuple[float, int]:
    """One plain INSERT … SELECT of the same rows (no chunks, no roll-ups, no conflict handling)."""
    message = _message(root, "baseline")
    levels = ", ".join(str(pk) for pk in services.target_level_ids(message))
    upper = path_upper_bound(root.path) or "~"
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} (message_id, unit_id, path, depth, level_id, created_at, share_url,"  # noqa: S608
            f" share_note, cannot_reason, reminders) SELECT %s, u.id, u.path, u.depth, u.level_id, %s, '', '', '', 0"
            f" FROM {Unit._meta.db_table} u WHERE u.path > %s AND u.path < %s AND u.level_id IN ({levels})",
            [message.pk, stamp, root.path, upper],
        )
        rows = cursor.rowcount
    seconds = time.perf_counter() - started
    log(f"  baseline INSERT … SELECT: {rows:,} rows in {seconds:.1f} s")
    with transaction.atomic():
        Delivery.objects.filter(message=message).delete()
        message.delete()
    return seconds, rows


def _check(message: Message, expected: int) -> list[str]:
    problems = []
    written = Delivery.objects.filter(message=message).count()
    distinct = Delivery.objects.filter(message=message).values("unit_id").distinct().count()
    if written != expected or distinct != expected:
        problems.append(f"{written:,} deliveries ({distinct:,} units) for {expected:,} units")
    chunks = SendChunk.objects.filter(message=message)
    if sum(c.deliveries for c in chunks) != expected:
        problems.append("chunk counts differ from the deliveries")
    roll = sum(
        Rollup.objects.filter(
            message=message, path__in=[c.root.path for c in chunks.select_related("root")], level__code="booth"
        ).values_list("total", flat=True)
    )
    booths = Delivery.objects.filter(message=message, level__code="booth").count()
    if roll != booths:
        problems.append(f"roll-up says {roll:,} booths, deliveries {booths:,}")
    return problems


def _cascade_eager(root: Unit, baseline_s: float, log) -> tuple[Row, Message]:
    message = _message(root, "bench eager")
    expected = _expected(root, message)
    started = time.perf_counter()
    message = services.message_send(message=message, by=_sender(), queue=False)
    for chunk_id in message.chunks.order_by("pk").values_list("pk", flat=True):
        services.chunk_write(chunk_id=chunk_id)
        services.chunk_notify(chunk_id=chunk_id, queue_messages=False)
    seconds = time.perf_counter() - started
    log(f"  cascade in-process: {expected:,} deliveries in {seconds:.1f} s ({message.chunks_total} chunks)")
    what = f"cascade to every booth, in-process ({expected:,} deliveries, {message.chunks_total} chunks)"
    return _cascade_row("cascade", what, message, expected, seconds, baseline_s), message


def _cascade_row(name: str, what: str, message: Message, expected: int, seconds: float, baseline_s: float) -> Row:
    """A cascade's row: its time against the target and the baseline, and every unit reached once."""
    problems = _check(message, expected)
    row = Row(
        name=name,
        what=what,
        target=f"< {TARGET_S:.0f} s, one delivery per unit",
        wall_s=seconds,
        baseline_p50_ms=baseline_s * 1000,
        ratio=seconds / baseline_s if baseline_s else None,
        correct=not problems,
    )
    row.judge([(seconds < TARGET_S, f"{seconds:.1f} s ≥ {TARGET_S:.0f} s"), *[(False, p) for p in problems]])
    return row


def _database_url() -> str:
    return apply_bench._database_url()


def _cascade_worker(root: Unit, baseline_s: float, log) -> Row | None:
    broker = _own_broker()
    if not broker:
        log("  no Redis: cascade_worker skipped")
        return None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sangathan.benchmarks.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "NOTIFY_LOG_LEVEL": "WARNING",
    }
    worker = start_celery_worker(env, "-Q", QUEUE, "--concurrency", "2")
    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=QUEUE)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        time.sleep(4)  # the worker's processes start and connect
        message = _message(root, "bench worker")
        expected = _expected(root, message)
        started = time.perf_counter()
        message = services.message_send(message=message, by=_sender())
        deadline = started + 300
        while time.perf_counter() < deadline:
            if Message.objects.filter(pk=message.pk, status="sent").exists():
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    finally:
        app.conf.update(**previous)
        app._pool = None
        app.amqp._producer_pool = None
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis.Redis.from_url(broker).delete(QUEUE)
    log(f"  cascade on a Celery worker: {expected:,} deliveries in {seconds:.1f} s")
    what = f"cascade to every booth, Celery worker on Redis (2 processes, {message.chunks_total} tasks)"
    return _cascade_row("cascade_worker", what, message, expected, seconds, baseline_s)


def _ack(message: Message, requests: int, log) -> tuple[Row, str]:
    """ "Received" POSTs to /m/<token>/ as the page's script sends them (``X-Requested-With: fetch``; the
    answer is the updated answer card, 200) against POSTs to the baseline view, interleaved, on fresh
    deliveries. Then, for the record, the same answer without JavaScript: POST, 303, GET of the whole page."""
    no_js = max(requests // 4, 100)
    ids = list(
        Delivery.objects.filter(message=message, level__code="booth", acknowledged_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: 2 * requests + no_js + 202]
    )
    paired = 2 * requests + 202
    ours, theirs, plain = ids[0:paired:2], ids[1:paired:2], ids[paired:]
    server = apply_bench.Server(2)
    try:
        first = services.delivery_token(ours[0])
        secret, token = apply_bench._csrf(server.port, f"/m/{first}/")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={secret}; django_language=hi",
            "Referer": f"http://127.0.0.1:{server.port}/",
        }
        inline = {**headers, "X-Requested-With": "fetch"}
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "action": "received"}).encode()
        ack_bodies = [(f"/m/{services.delivery_token(pk)}/", body) for pk in ours[1:]]
        base_bodies = [(f"/bench/ack-baseline/{pk}/", body) for pk in theirs]
        warm = 100
        drive(server.port, ack_bodies[:warm], 8, inline)
        drive(server.port, base_bodies[:warm], 8, headers)
        ack_bodies, base_bodies = ack_bodies[warm:], base_bodies[warm:]
        half = requests // 2
        ack_loads, base_loads = [], []
        for index in range(2):
            log(f"  round {index + 1}/2: baseline UPDATE, then the acknowledgement ({half} POSTs each)")
            base_loads.append(drive(server.port, base_bodies[index * half : (index + 1) * half], 8, headers))
            ack_loads.append(drive(server.port, ack_bodies[index * half : (index + 1) * half], 8, inline))
        plain_bodies = [(f"/m/{services.delivery_token(pk)}/", body) for pk in plain]
        plain_load = drive(server.port, plain_bodies, 8, headers, follow=True)
    finally:
        server.stop()
    ack, base = merge(ack_loads), merge(base_loads)
    ratio = ack.per_second / base.per_second if base.per_second else 0.0
    ok = ack.statuses.get(200, 0)
    acked = Delivery.objects.filter(pk__in=ours[1 + warm :], acknowledged_at__isnull=False).count()
    plain_ok = plain_load.statuses.get(303, 0)
    plain_acked = Delivery.objects.filter(pk__in=plain, acknowledged_at__isnull=False).count()
    note = (
        f"ack without JavaScript (POST, 303, GET of the whole page, timed as one answer): "
        f"{plain_load.per_second:,.0f} answers/s = {plain_load.per_second / base.per_second:.2f}× the baseline's "
        f"req/s, p50 {percentile(plain_load.latencies_ms, 50):.0f} ms; {plain_ok}/{len(plain)} answered, "
        f"{plain_acked} recorded."
        if base.per_second
        else ""
    )
    log(f"  {note}")
    row = load_row(
        latencies_ms=ack.latencies_ms,
        baseline_ms=base.latencies_ms,
        name="ack",
        what=(
            f"acknowledgement POST ({ack.per_second:,.0f} req/s vs one-row UPDATE view {base.per_second:,.0f} req/s;"
            f" p99 {percentile(ack.latencies_ms, 99):.0f} ms)"
        ),
        target=f"≥ {ACK_RATIO:.0%} of baseline req/s, every POST recorded",
        ratio=ratio,
        correct=ok == len(ack.latencies_ms) == acked,
    )
    row.judge(
        [
            (ratio >= ACK_RATIO, f"{ratio:.0%} of the baseline, below {ACK_RATIO:.0%}"),
            (ok == len(ack.latencies_ms), f"{ok} of {len(ack.latencies_ms)} answered 200"),
            (acked == len(ack.latencies_ms), f"{acked} acknowledged in the database"),
        ]
    )
    return row, note


def run(*, only, log=print, ack_requests: int = 2000, in_test_database: bool = False) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    root = Unit.objects.filter(depth=1).order_by("path").first()
    log("Message cascade to every booth of the tree ...")
    baseline_s, _rows = _baseline(root, log)
    message = None
    if "cascade" in only or "ack" in only:
        row, message = _cascade_eager(root, baseline_s, log)
        if "cascade" in only:
            rows.append(row)
    if "cascade_worker" in only:
        if in_test_database:
            notes.append("cascade_worker: skipped inside a test database (its worker needs a database it can open).")
        else:
            row = _cascade_worker(root, baseline_s, log)
            if row is not None:
                rows.append(row)
    if "ack" in only:
        if in_test_database:
            notes.append("ack: skipped inside a test database (it starts its own server).")
        else:
            log("Acknowledgement POST under load (gunicorn, 2 workers) ...")
            row, note = _ack(message, ack_requests, log)
            rows.append(row)
            if note:
                notes.append(note)
    notes.append(
        "cascade rows: baseline = one plain INSERT … SELECT of the same rows in the same run; "
        "notifications to office-bearers are queued to the outbox afterwards and are not timed."
    )
    return rows, notes
