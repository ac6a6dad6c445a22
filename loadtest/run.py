"""The load scenario of issue 17: the whole system under a mixed workload, with a worker killed and Redis
restarted during the run, then the books.

    .venv/bin/python loadtest/run.py [--duration 300s] [--scale state] [--users 40] [--web-workers 4]
                                     [--replica] [--find-rate [--rate-steps 10,20,40,...]]

What it starts, all on loopback (docs/operations.md, "The load scenario"):
- a throw-away PostgreSQL database (``--database-url``, dropped and made again), migrated and seeded with
  ``--scale`` (demo, state or national), a recruitment drive over the first state, a message sent to every
  booth of that state (the acknowledgements' deliveries) and a signed-in control-room operator;
- its own Redis (``redis-server`` on a free port, append-only file as in production), so restarting it
  touches nobody else's;
- with ``--replica``, a streaming replica of the PostgreSQL cluster (``sangathan/ops/replica_local.py``: a
  ``pg_basebackup -R`` copy started as a hot standby on a free port) given to every process as
  ``DATABASE_REPLICA_URL``; at the end the replica's lag and the reads it answered are printed, then it is
  stopped and removed;
- gunicorn (``--web-workers`` sync workers), two Celery worker processes serving every queue, and beat;
- locust, headless (``loadtest/locustfile.py``): applicants sending the public form, office-bearers pressing
  "received", staff reading unit pages and the control room's wall.
At a third of the run one Celery worker is killed (``kill -9``) and a new one started; at two thirds Redis is
killed (``kill -9``) and started again. After the load it waits (``--settle``) for the workers and beat's
sweeps to finish, then checks the books: every form answered 2xx is one submission and one application, every
acknowledgement answered 200 is recorded, every applicant's message is sent once, nothing left pending. It
prints the rate, p50/p95/p99 per kind of request and the books, and exits 1 when the books are not exact.

With ``--find-rate`` the load first runs in short steps (``--step-duration``) of more and more users
(``--rate-steps``), without chaos, and keeps the highest step whose p99 is under ``--p99-target`` ms with no
failure; the main run (with the kills) then uses that many users. The books cover every step and the main run.

The sites' rate limits are off (``sangathan.benchmarks.settings``): all the load comes from one address.
"""

import argparse
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/sangathan_load"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def wait_for_page(url: str, timeout: float = 120.0) -> None:
    """Until ``url`` answers 200 (gunicorn's port opens before its workers answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} does not answer 200")


def seconds(text: str) -> int:
    """ "300", "300s", "5m" → seconds."""
    text = text.strip().lower()
    if text.endswith("m"):
        return int(float(text[:-1]) * 60)
    return int(float(text.rstrip("s")))


class Redis:
    """Our own redis-server, killable and restartable without touching the machine's."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own redis-server, our own arguments
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextmanager
def step(what: str, log) -> Iterator[None]:
    """Log a setup step with its time and the runner's peak memory (resident set) after it."""
    log(f"{what} ...")
    started = time.monotonic()
    yield
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"  {what}: {time.monotonic() - started:.1f} s, runner's peak memory {peak_mb:,.0f} MB")


def prepare(scale: str, log) -> dict:
    """Seed the tree and make what the workload needs; returns the plan the locustfile reads."""
    import django  # noqa: PLC0415 - Django is set up only after DATABASE_URL is chosen
    from django.core.management import call_command  # noqa: PLC0415

    django.setup()
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from sangathan.access.models import Role, RoleAssignment  # noqa: PLC0415
    from sangathan.benchmarks import apply as apply_bench  # noqa: PLC0415
    from sangathan.benchmarks import outreach as outreach_bench  # noqa: PLC0415
    from sangathan.org.models import Unit  # noqa: PLC0415
    from sangathan.org.seeding import seed  # noqa: PLC0415
    from sangathan.outreach import services as outreach  # noqa: PLC0415

    with step("migrating", log):
        call_command("migrate", verbosity=0)
    with step(f"seeding the {scale} tree", log):
        seed(scale)
        log(f"  {Unit.objects.count():,} units")
    with step("a recruitment drive over the first state", log):
        campaign, post, places = apply_bench._campaign()
        state = Unit.objects.filter(level__code="state").order_by("path").first()
    with step(f"a message to every booth of {state.name_en} (the acknowledgements' deliveries)", log):
        message = outreach_bench._message(state, "load test")
        message = outreach.message_send(message=message, by=outreach_bench._sender(), queue=False)
        chunks = list(message.chunks.order_by("pk").values_list("pk", flat=True))
        for n, chunk_id in enumerate(chunks, 1):
            outreach.chunk_write(chunk_id=chunk_id)
            outreach.chunk_notify(chunk_id=chunk_id, queue_messages=False)
            if n % 20 == 0 or n == len(chunks):
                log(f"  {n:,} of {len(chunks):,} chunks written")
        log(f"  {message.deliveries.count():,} deliveries")
    with step("the plan: acknowledgement tokens, unit pages, a signed-in operator", log):
        deliveries = list(message.deliveries.order_by("?").values_list("pk", flat=True)[:200_000])
        staff, _created = get_user_model().objects.get_or_create(username="load-control-room")
        RoleAssignment.objects.get_or_create(user=staff, unit=state, role=Role.CONTROL_ROOM)
        client = Client()
        client.force_login(staff)
        units = Unit.objects.subtree(state, include_self=True)
        plan = {
            "campaign_id": campaign.pk,
            "message_id": message.pk,
            "form_path": f"/a/{campaign.slug}/",
            "post_id": str(post.pk),
            "places": places,
            "reference_prefix": campaign.reference_prefix,
            "ack_tokens": [outreach.delivery_token(pk) for pk in deliveries],
            "ack_ids": deliveries,
            "sessionid": client.cookies["sessionid"].value,
            "unit_ids": list(units.exclude(level__code="booth").order_by("?").values_list("pk", flat=True)[:500]),
            "wall_unit_ids": list(
                units.filter(level__code__in=["state", "district"]).values_list("pk", flat=True)[:50]
            ),
            "mobile_prefix": secrets.randbelow(1000),
        }
    return plan


def books(plan: dict, ledger: dict, settle: float, log) -> tuple[dict, list[str]]:
    """Wait until the work is done (or ``settle`` seconds), then compare the database with the ledger."""
    from sangathan.notifications.models import OutboxMessage  # noqa: PLC0415
    from sangathan.outreach.models import Delivery  # noqa: PLC0415
    from sangathan.recruitment.models import Application, Submission  # noqa: PLC0415

    campaign_id = plan["campaign_id"]
    submissions = Submission.objects.filter(campaign_id=campaign_id)
    outbox = OutboxMessage.objects.filter(idempotency_key__startswith="recruitment:")
    started = time.monotonic()
    while time.monotonic() - started < settle:
        pending = submissions.filter(processed_at__isnull=True, problem="").count()
        unsent = outbox.exclude(status="sent").count()
        if not pending and not unsent and outbox.count() >= submissions.count():
            break
        time.sleep(2)
    settled = time.monotonic() - started
    log(f"settled {settled:.0f} s after the load")

    tokens = [token for token, _mobile in ledger["forms"]]
    mobiles = {mobile for _token, mobile in ledger["forms"]}
    stored = submissions.filter(token__in=tokens)
    applications = Application.objects.filter(campaign_id=campaign_id)
    acked = Delivery.objects.filter(message_id=plan["message_id"], acknowledged_at__isnull=False).count()
    figures = {
        "forms answered 2xx": len(tokens),
        "their submissions": stored.count(),
        "their applications": applications.filter(mobile__in=[f"+91{m}" for m in mobiles]).count(),
        "applications in all": applications.count(),
        "submissions in all": submissions.count(),
        "submissions pending or set aside": submissions.filter(processed_at__isnull=True).count(),
        "acknowledgements answered 200": len(ledger["acks"]),
        "deliveries acknowledged": acked,
        "applicants' messages": outbox.count(),
        "of them sent": outbox.filter(status="sent").count(),
        "settled after (s)": round(settled),
    }
    problems = []
    if not tokens:
        problems.append("no form was accepted: nothing to check")
    if figures["their submissions"] != len(tokens):
        problems.append("a form answered 2xx has no submission")
    if figures["their applications"] != len(mobiles) or len(mobiles) != len(tokens):
        problems.append("the accepted forms' applications differ from the accepted forms")
    if figures["applications in all"] != figures["submissions in all"]:
        problems.append("applications ≠ submissions (one lost or doubled)")
    if figures["submissions pending or set aside"]:
        problems.append("submissions left unprocessed")
    if acked != len(set(ledger["acks"])) or len(set(ledger["acks"])) != len(ledger["acks"]):
        problems.append("acknowledgements answered 200 ≠ deliveries acknowledged")
    if (
        figures["applicants' messages"] != figures["applications in all"]
        or figures["of them sent"] != figures["applicants' messages"]
    ):
        problems.append("not every applicant's message was sent exactly once")
    return figures, problems


def latencies(final_stats: Path, seconds_run: float) -> list[dict]:
    """Per kind of request and in all: count, failures, req/s and p50/p95/p99 (ms) from locust's final stats
    (``--json-file``: each request's time rounded as locust keeps them)."""

    def row(name: str, count: int, failures: int, times: dict[int, int]) -> dict:
        ordered = sorted(times.items())

        def percentile(share: float) -> int:
            seen, wanted = 0, share * sum(times.values())
            for value, n in ordered:
                seen += n
                if seen >= wanted:
                    return value
            return ordered[-1][0] if ordered else 0

        return {
            "name": name,
            "count": count,
            "failures": failures,
            "per_second": round(count / seconds_run, 1) if seconds_run else 0.0,
            "p50": percentile(0.50),
            "p95": percentile(0.95),
            "p99": percentile(0.99),
        }

    rows, everything = [], {}
    for entry in json.loads(final_stats.read_text(encoding="utf-8")):
        times = {int(float(value)): n for value, n in entry["response_times"].items()}
        rows.append(row(entry["name"], entry["num_requests"], entry["num_failures"], times))
        for value, n in times.items():
            everything[value] = everything.get(value, 0) + n
    total = row("all", sum(r["count"] for r in rows), sum(r["failures"] for r in rows), everything)
    return [*sorted(rows, key=lambda r: r["name"]), total]


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --: | --: | --: | --: | --: | --: |",
    ]
    lines += [
        f"| {row['name']} | {row['count']:,} | {row['failures']:,} | {row['per_second']} | "
        f"{row['p50']} | {row['p95']} | {row['p99']} |"
        for row in rows
    ]
    return lines


def main() -> int:  # noqa: C901, PLR0915 - the scenario in order, start to end
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="300s", help="Length of the main run (300s, 5m, 60s; default 300s).")
    parser.add_argument("--scale", default="state", choices=["demo", "state", "national"])
    parser.add_argument("--users", type=int, default=40, help="Simulated visitors (default 40).")
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--replica", action="store_true", help="Read the heavy pages from a local streaming replica.")
    parser.add_argument(
        "--find-rate", action="store_true", help="Step the users up first; the main run uses the highest that held."
    )
    parser.add_argument("--rate-steps", default="10,20,40,60,80,120,160,200", help="Users of each step.")
    parser.add_argument("--step-duration", default="60s", help="Length of each step (default 60s).")
    parser.add_argument(
        "--warm-up",
        default="30s",
        help="A first run at the first step's users, not measured: every web worker loads its pages and fills its "
        "caches, so the first step is not judged on cold processes (default 30s; 0 for none).",
    )
    parser.add_argument("--p99-target", type=float, default=300.0, help="A step holds when p99 is under this (ms).")
    parser.add_argument("--settle", type=float, default=240.0, help="Seconds to wait for the books (default 240).")
    parser.add_argument("--no-chaos", action="store_true", help="Neither kill a worker nor restart Redis.")
    parser.add_argument("--json", dest="json_path", help="Also write the results here.")
    args = parser.parse_args()
    duration = seconds(args.duration)
    # Stopped with kill (SIGTERM) as with Ctrl-C: the finally below stops Redis, the site and the replica.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {text}", flush=True)

    database = urllib.parse.urlsplit(args.database_url)
    name = database.path.lstrip("/")
    admin = [
        "-h",
        database.hostname or "127.0.0.1",
        "-p",
        str(database.port or 5432),
        "-U",
        database.username or "postgres",
    ]
    subprocess.run(["dropdb", "--if-exists", *admin, name], check=True)  # noqa: S603, S607
    subprocess.run(["createdb", *admin, name], check=True)  # noqa: S603, S607

    work = Path(tempfile.mkdtemp(prefix="sangathan-load-"))
    redis = Redis(work)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sangathan.benchmarks.settings",
        "DATABASE_URL": args.database_url,
        "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": redis.url,
        "SANGATHAN_NAMESPACE": "load",
        "NOTIFY_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(
        {k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SANGATHAN_NAMESPACE")}
    )
    processes: list[subprocess.Popen] = []
    events: list[str] = []
    steps: list[dict] = []
    replica_report: dict = {}
    replica = None
    reads_before: dict | None = None
    restarts = {"count": 0}
    cleanup = ExitStack()
    try:
        plan = prepare(args.scale, log)
        from django.db import connection  # noqa: PLC0415 - after django.setup() in prepare

        from sangathan.config.queues import queue_names  # noqa: PLC0415
        from sangathan.ops.replica_local import Primary, local_replica  # noqa: PLC0415
        from sangathan.recruitment.models import Submission  # noqa: PLC0415

        if args.replica:
            with step("a streaming replica of the cluster (pg_basebackup -R, hot standby)", log):
                primary = Primary(
                    host=database.hostname or "127.0.0.1",
                    port=database.port or 5432,
                    user=database.username or "postgres",
                    password=urllib.parse.unquote(database.password or ""),
                )
                with connection.cursor() as cursor:
                    replica = cleanup.enter_context(local_replica(primary, cursor, log=log))
                    caught_up = replica.wait_caught_up(cursor, name, timeout=600)
                log(f"  on port {replica.port}, caught up {caught_up:.1f} s after it started")
            env["DATABASE_REPLICA_URL"] = replica.url(name)
        port = free_port()
        plan["host"] = f"http://127.0.0.1:{port}"
        queues = ",".join(queue_names("load"))

        def celery(*arguments: str) -> subprocess.Popen:
            process = subprocess.Popen(  # noqa: S603 - our own celery
                [str(BIN / "celery"), "-A", "sangathan.config.celery", *arguments, "--loglevel", "WARNING"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            processes.append(process)
            return process

        def worker(n: int) -> subprocess.Popen:
            return celery(
                "worker",
                "-Q",
                queues,
                "--pool",
                "solo",
                "-n",
                f"load{n}-{secrets.token_hex(2)}@%h",
                "--without-gossip",
                "--without-mingle",
            )

        gunicorn = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(BIN / "gunicorn"),
                "sangathan.config.wsgi:application",
                "--workers",
                str(args.web_workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--keep-alive",
                "30",
                "--preload",  # the application imported once, before the fork: workers answer at once
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        processes.append(gunicorn)
        workers = [worker(1), worker(2)]
        celery("beat", "--schedule", str(work / "beat-schedule"))
        wait_for_port(port, timeout=600)  # --preload: the application is imported first (minutes on a busy machine)
        wait_for_page(f"{plan['host']}/healthz", timeout=600)
        log(
            f"gunicorn ({args.web_workers} workers) on {port}, 2 Celery workers, beat, Redis on {redis.port}"
            + (f", replica on {replica.port}" if replica else "")
        )
        reads_before = replica.reads(name) if replica else None
        running = threading.Event()
        running.set()

        def supervise() -> None:
            """What systemd's Restart=always does in production (deploy/systemd): a worker that exits is started
            again, and said (a Celery worker can exit on a lost broker connection, see docs/benchmarks.md)."""
            while running.is_set():
                for index, process in enumerate(workers):
                    if process.poll() is not None and process.returncode != -signal.SIGKILL:
                        restarts["count"] += 1
                        events.append(
                            f"{time.strftime('%H:%M:%S', time.gmtime())} Celery worker {process.pid} exited "
                            f"(code {process.returncode}); started again, as systemd would"
                        )
                        workers[index] = worker(10 + len(events))
                time.sleep(2)

        lags: list[tuple[float, int]] = []

        def watch_lag() -> None:
            """The replica's lag as the primary sees it, every 5 s (its own connection: another thread)."""
            assert replica is not None
            with replica_primary_connection(primary, name) as watcher:
                while running.is_set():
                    with watcher.cursor() as cursor:
                        lag = replica.lag(cursor)
                    if lag is not None:
                        lags.append(lag)
                    time.sleep(5)

        threading.Thread(target=supervise, daemon=True).start()
        if replica:
            threading.Thread(target=watch_lag, daemon=True).start()

        ack_offset = {"used": 0}
        ledgers: list[dict] = []

        def chaos(length: int) -> None:
            time.sleep(length / 3)
            victim = workers[0]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            events.append(
                f"{time.strftime('%H:%M:%S', time.gmtime())} kill -9 Celery worker {victim.pid}; a new one started"
            )
            workers[0] = worker(3)
            time.sleep(length / 3)
            redis.kill()
            events.append(f"{time.strftime('%H:%M:%S', time.gmtime())} kill -9 Redis; started again")
            redis.start()

        def load(users: int, length: int, spawn_rate: float, *, with_chaos: bool) -> tuple[list[dict], float]:
            """One locust run; its ledger joins the books. Each run gets acknowledgement tokens no earlier run
            used and mobile numbers of its own."""
            n = len(ledgers)
            run_plan = {
                **plan,
                "ack_tokens": plan["ack_tokens"][ack_offset["used"] :],
                "mobile_prefix": (plan["mobile_prefix"] + n) % 1000,
            }
            plan_path, ledger_path = work / f"plan-{n}.json", work / f"ledger-{n}.json"
            plan_path.write_text(json.dumps(run_plan), encoding="utf-8")
            chaos_thread = threading.Thread(target=chaos, args=(length,), daemon=True) if with_chaos else None
            if chaos_thread:
                chaos_thread.start()
            started = time.monotonic()
            subprocess.run(  # noqa: S603 - our own locust
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "loadtest" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(spawn_rate),
                    "--run-time",
                    f"{length}s",
                    "--host",
                    plan["host"],
                    "--json-file",
                    str(work / f"stats-{n}"),  # locust adds .json
                    "--only-summary",
                    "--stop-timeout",
                    "10",
                    "--loglevel",
                    "WARNING",
                ],
                env={**env, "LOADTEST_PLAN": str(plan_path), "LOADTEST_LEDGER": str(ledger_path)},
                check=False,
            )
            elapsed = time.monotonic() - started
            if chaos_thread:
                chaos_thread.join()
            ledger = json.loads(ledger_path.read_text(encoding="utf-8"))
            ledgers.append(ledger)
            ack_offset["used"] += len(ledger["acks"])
            return latencies(work / f"stats-{n}.json", elapsed), elapsed

        def wait_for_intake(limit: float = 60) -> None:
            """Until the applications of the run before are made (at most ``limit`` seconds)."""
            deadline = time.monotonic() + limit
            while (
                Submission.objects.filter(processed_at__isnull=True, problem="").exists()
                and time.monotonic() < deadline
            ):
                time.sleep(1)

        users = args.users
        warm_up = seconds(args.warm_up)
        if warm_up:
            warm_users = int(args.rate_steps.split(",")[0]) if args.find_rate else users
            log(f"warm-up: {warm_users} users for {warm_up} s (not measured; its forms are in the books)")
            load(warm_users, warm_up, max(args.spawn_rate, warm_users / 5), with_chaos=False)
            wait_for_intake()
        if args.find_rate:
            step_length = seconds(args.step_duration)
            held = None
            for step_users in [int(n) for n in args.rate_steps.split(",")]:
                log(f"step: {step_users} users for {step_length} s")
                rows, _elapsed = load(step_users, step_length, max(args.spawn_rate, step_users / 5), with_chaos=False)
                everything = rows[-1]
                holds = everything["p99"] < args.p99_target and everything["failures"] == 0
                steps.append(
                    {
                        "users": step_users,
                        "per_second": everything["per_second"],
                        "p50": everything["p50"],
                        "p95": everything["p95"],
                        "p99": everything["p99"],
                        "failures": everything["failures"],
                        "load_average": round(os.getloadavg()[0], 1),
                        "holds": holds,
                    }
                )
                log(
                    f"  {everything['per_second']} req/s, p50/p95/p99 {everything['p50']}/{everything['p95']}/"
                    f"{everything['p99']} ms, {everything['failures']} failures: "
                    + ("holds" if holds else f"does not hold p99 < {args.p99_target:.0f} ms")
                )
                wait_for_intake()  # the next step starts when the background work of this one is done
                if not holds:
                    break
                held = step_users
            users = held if held is not None else int(args.rate_steps.split(",")[0])
            log(f"the main run: {users} users" + ("" if held is not None else " (no step held: the smallest)"))

        log(f"load: {users} users for {duration} s")
        rows, elapsed = load(users, duration, args.spawn_rate, with_chaos=not args.no_chaos)
        if replica:
            with connection.cursor() as cursor:
                end_lag = replica.lag(cursor)
                catch_up = replica.wait_caught_up(cursor, name, timeout=300)
            replica_report = {
                "lag_at_end_s": end_lag[0] if end_lag else None,
                "bytes_behind_at_end": end_lag[1] if end_lag else None,
                "caught_up_after_s": round(catch_up, 2),
                "max_lag_s": max((lag[0] for lag in lags), default=None),
                "max_bytes_behind": max((lag[1] for lag in lags), default=None),
            }
        ledger = {
            "forms": [form for one in ledgers for form in one["forms"]],
            "acks": [ack for one in ledgers for ack in one["acks"]],
        }
        figures, problems = books(plan, ledger, args.settle, log)
        running.clear()
        for event in events:
            log(event)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if redis.process is not None:
            redis.process.terminate()
            redis.process.wait()
        if replica is not None and reads_before is not None:
            # Read after gunicorn and the workers have ended: a server process sends its statistics when it ends.
            time.sleep(1)
            reads_after = replica.reads(name)
            replica_report["reads"] = {
                "transactions": reads_after["transactions"] - reads_before["transactions"],
                "rows_fetched": reads_after["rows_fetched"] - reads_before["rows_fetched"],
                "tables": dict(
                    sorted(
                        (
                            (table, count - reads_before["tables"].get(table, 0))
                            for table, count in reads_after["tables"].items()
                            if count > reads_before["tables"].get(table, 0)
                        ),
                        key=lambda item: -item[1],
                    )[:8]
                ),
            }
        cleanup.close()  # stops the replica and removes its directory
        shutil.rmtree(work, ignore_errors=True)  # Redis's files, the plans, ledgers and locust's stats

    print()
    print(
        f"load scenario · scale {args.scale} · {users} users · {elapsed:.0f} s · "
        f"{args.web_workers} gunicorn workers, 2 Celery workers, beat"
        + (" · PostgreSQL with a streaming replica" if args.replica else " · PostgreSQL, no replica")
        + f" · load average {os.getloadavg()[0]:.1f}"
    )
    if steps:
        print(
            f"finding the rate: steps of {seconds(args.step_duration)} s, no chaos, p99 target {args.p99_target:.0f} ms"
        )
        print("| users | req/s | p50 ms | p95 ms | p99 ms | failures | load average | holds |")
        print("| --: | --: | --: | --: | --: | --: | --: | --- |")
        for one in steps:
            print(
                f"| {one['users']} | {one['per_second']} | {one['p50']} | {one['p95']} | {one['p99']} | "
                f"{one['failures']} | {one['load_average']} | {'yes' if one['holds'] else 'no'} |"
            )
        print("the main run:")
    print("\n".join(table(rows)))
    if replica_report:
        reads = replica_report.get("reads", {})
        print(
            f"replica: lag at the end of the load {replica_report['lag_at_end_s']} s "
            f"({replica_report['bytes_behind_at_end']} bytes behind), caught up {replica_report['caught_up_after_s']} s "
            f"later; the most during the run {replica_report['max_lag_s']} s, {replica_report['max_bytes_behind']} bytes"
        )
        print(
            f"replica answered {reads.get('transactions', 0):,} transactions, {reads.get('rows_fetched', 0):,} rows "
            f"fetched; scans by table: " + ", ".join(f"{t} {n:,}" for t, n in reads.get("tables", {}).items())
        )
    print(f"Celery worker restarts (exited on their own, not the kill): {restarts['count']}")
    print("books: " + "; ".join(f"{key} {value:,}" for key, value in figures.items()))
    print("BOOKS EXACT" if not problems else "BOOKS WRONG: " + "; ".join(problems))
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps(
                {
                    "users": users,
                    "steps": steps,
                    "rows": rows,
                    "books": figures,
                    "problems": problems,
                    "events": events,
                    "worker_restarts": restarts["count"],
                    "replica": replica_report,
                    "load_average": os.getloadavg(),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if problems else 0


@contextmanager
def replica_primary_connection(primary, dbname: str) -> Iterator:
    """A connection of its own to the primary (psycopg), for the thread that watches the replica's lag."""
    with psycopg.connect(
        host=primary.host,
        port=primary.port,
        user=primary.user,
        password=primary.password or None,
        dbname=dbname,
        autocommit=True,
    ) as connection:
        yield connection


if __name__ == "__main__":
    sys.exit(main())
