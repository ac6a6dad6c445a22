"""The load scenario of issue 17: the whole system under a mixed workload, with a worker killed and Redis
restarted during the run, then the books.

    .venv/bin/python loadtest/run.py [--duration 300s] [--scale state] [--users 40] [--web-workers 4]

What it starts, all on loopback (docs/operations.md, "The load scenario"):
- a throw-away PostgreSQL database (``--database-url``, dropped and made again), migrated and seeded with
  ``--scale`` (demo, state or national), a recruitment drive over the first state, a message sent to every
  booth of that state (the acknowledgements' deliveries) and a signed-in control-room operator;
- its own Redis (``redis-server`` on a free port, append-only file as in production), so restarting it
  touches nobody else's;
- gunicorn (``--web-workers`` sync workers), two Celery worker processes serving every queue, and beat;
- locust, headless (``loadtest/locustfile.py``): applicants sending the public form, office-bearers pressing
  "received", staff reading unit pages and the control room's wall.
At a third of the run one Celery worker is killed (``kill -9``) and a new one started; at two thirds Redis is
killed (``kill -9``) and started again. After the load it waits (``--settle``) for the workers and beat's
sweeps to finish, then checks the books: every form answered 2xx is one submission and one application, every
acknowledgement answered 200 is recorded, every applicant's message is sent once, nothing left pending. It
prints the rate, p50/p95/p99 per kind of request and the books, and exits 1 when the books are not exact.

The sites' rate limits are off (``sangathan.benchmarks.settings``): all the load comes from one address.
"""

import argparse
import json
import os
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
from pathlib import Path

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

    log("migrating ...")
    call_command("migrate", verbosity=0)
    log(f"seeding the {scale} tree ...")
    started = time.monotonic()
    seed(scale)
    log(f"  {Unit.objects.count():,} units in {time.monotonic() - started:.0f} s")
    campaign, post, places = apply_bench._campaign()
    state = Unit.objects.filter(level__code="state").order_by("path").first()
    log("sending a message to every booth of the state (the acknowledgements' deliveries) ...")
    message = outreach_bench._message(state, "load test")
    message = outreach.message_send(message=message, by=outreach_bench._sender(), queue=False)
    for chunk_id in message.chunks.order_by("pk").values_list("pk", flat=True):
        outreach.chunk_write(chunk_id=chunk_id)
        outreach.chunk_notify(chunk_id=chunk_id, queue_messages=False)
    deliveries = list(message.deliveries.order_by("?").values_list("pk", flat=True)[:200_000])
    staff, _created = get_user_model().objects.get_or_create(username="load-control-room")
    RoleAssignment.objects.get_or_create(user=staff, unit=state, role=Role.CONTROL_ROOM)
    client = Client()
    client.force_login(staff)
    units = Unit.objects.subtree(state, include_self=True)
    return {
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
        "wall_unit_ids": list(units.filter(level__code__in=["state", "district"]).values_list("pk", flat=True)[:50]),
        "mobile_prefix": secrets.randbelow(1000),
    }


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="300s", help="Length of the load (300s, 5m, 60s; default 300s).")
    parser.add_argument("--scale", default="state", choices=["demo", "state", "national"])
    parser.add_argument("--users", type=int, default=40, help="Simulated visitors (default 40).")
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--settle", type=float, default=240.0, help="Seconds to wait for the books (default 240).")
    parser.add_argument("--no-chaos", action="store_true", help="Neither kill a worker nor restart Redis.")
    parser.add_argument("--json", dest="json_path", help="Also write the results here.")
    args = parser.parse_args()
    duration = seconds(args.duration)

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
    try:
        plan = prepare(args.scale, log)
        port = free_port()
        plan["host"] = f"http://127.0.0.1:{port}"
        plan_path, ledger_path = work / "plan.json", work / "ledger.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")

        from sangathan.config.queues import queue_names  # noqa: PLC0415

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
        wait_for_port(port)
        wait_for_page(f"{plan['host']}/healthz")
        log(f"gunicorn ({args.web_workers} workers) on {port}, 2 Celery workers, beat, Redis on {redis.port}")

        events: list[str] = []

        def chaos() -> None:
            time.sleep(duration / 3)
            victim = workers[0]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            events.append(
                f"{time.strftime('%H:%M:%S', time.gmtime())} kill -9 Celery worker {victim.pid}; a new one started"
            )
            workers[0] = worker(3)
            time.sleep(duration / 3)
            redis.kill()
            events.append(f"{time.strftime('%H:%M:%S', time.gmtime())} kill -9 Redis; started again")
            redis.start()

        running = threading.Event()
        running.set()

        def supervise() -> None:
            """What systemd's Restart=always does in production (deploy/systemd): a worker that exits is started
            again, and said (a Celery worker can exit on a lost broker connection, see docs/benchmarks.md)."""
            while running.is_set():
                for index, process in enumerate(workers):
                    if process.poll() is not None and process.returncode != -signal.SIGKILL:
                        events.append(
                            f"{time.strftime('%H:%M:%S', time.gmtime())} Celery worker {process.pid} exited "
                            f"(code {process.returncode}); started again, as systemd would"
                        )
                        workers[index] = worker(10 + len(events))
                time.sleep(2)

        threading.Thread(target=supervise, daemon=True).start()
        chaos_thread = None if args.no_chaos else threading.Thread(target=chaos, daemon=True)
        log(f"load: {args.users} users for {duration} s")
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
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{duration}s",
                "--host",
                plan["host"],
                "--json-file",
                str(work / "stats"),  # locust adds .json
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
        ledger = json.loads(ledger_path.read_text(encoding="utf-8"))
        figures, problems = books(plan, ledger, args.settle, log)
        running.clear()
        for event in events:
            log(event)
        rows = latencies(work / "stats.json", elapsed)
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

    print()
    print(
        f"load scenario · scale {args.scale} · {args.users} users · {elapsed:.0f} s · "
        f"{args.web_workers} gunicorn workers, 2 Celery workers, beat · load average {os.getloadavg()[0]:.1f}"
    )
    print("| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | --: | --: | --: | --: | --: | --: |")
    for row in rows:
        print(
            f"| {row['name']} | {row['count']:,} | {row['failures']:,} | {row['per_second']} | "
            f"{row['p50']} | {row['p95']} | {row['p99']} |"
        )
    print("books: " + "; ".join(f"{key} {value:,}" for key, value in figures.items()))
    print("BOOKS EXACT" if not problems else "BOOKS WRONG: " + "; ".join(problems))
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps({"rows": rows, "books": figures, "problems": problems, "events": events}, indent=2),
            encoding="utf-8",
        )
    shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
