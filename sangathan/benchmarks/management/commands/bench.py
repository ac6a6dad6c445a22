"""``sangathan bench``: seed a tree into a throw-away database and print one table of timings.

The user's database is never touched: like Django's test runner, the command creates a fresh,
migrated database (a temporary SQLite file next to the configured one, or ``test_<name>_bench``
on PostgreSQL) and destroys it at the end, even on error or Ctrl-C. When it already runs inside
a test database (pytest-django's in-memory SQLite or a ``test_*`` database), it uses that one.
"""

import json
import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sangathan.benchmarks import apply as apply_bench
from sangathan.benchmarks import controlroom as controlroom_bench
from sangathan.benchmarks import controlroom_intake, membership_join, org
from sangathan.benchmarks import factcheck as factcheck_bench
from sangathan.benchmarks import membership as membership_bench
from sangathan.benchmarks import outreach as outreach_bench
from sangathan.benchmarks import planning as planning_bench
from sangathan.org.seeding import SHAPES


def inside_test_database() -> bool:
    """Whether the default connection already points at a test database (as under pytest)."""
    settings_dict = connection.settings_dict
    name = str(settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return True
    if Path(name).name.startswith("test_"):
        return True
    test_name = (settings_dict.get("TEST") or {}).get("NAME")
    return bool(test_name) and name == str(test_name)


@contextmanager
def throwaway_database(*, verbosity: int, log):
    """A fresh migrated database for the duration of the block; the configured one is left alone."""
    if inside_test_database():
        log(f"Already in a test database ({connection.settings_dict['NAME']}): using it, not creating another.")
        yield connection.settings_dict["NAME"]
        return
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    test_settings = settings_dict.setdefault("TEST", {})
    old_test_name = test_settings.get("NAME")
    temp_dir = None
    if connection.vendor == "sqlite":
        # A real file on the same disk as the configured database, not :memory:, so timings are realistic.
        configured = Path(str(old_name))
        parent = configured.parent if configured.is_absolute() and configured.parent.is_dir() else None
        temp_dir = tempfile.mkdtemp(prefix="sangathan-bench-", dir=parent)
        test_settings["NAME"] = str(Path(temp_dir) / "bench.sqlite3")
    else:
        # Not test_<name>: a concurrent test run of the same project may be using that one.
        test_settings["NAME"] = f"test_{old_name}_bench"
    # A plain `kill` should clean up too: turn SIGTERM into SystemExit so the finally below runs.
    previous_handler = _raise_on_sigterm()
    try:
        name = connection.creation.create_test_db(
            verbosity=max(verbosity - 1, 0), autoclobber=True, serialize=False, keepdb=False
        )
        log(f"Throw-away database: {name}")
        yield name
    finally:
        try:
            if connection.settings_dict["NAME"] != old_name:
                connection.creation.destroy_test_db(old_name, verbosity=max(verbosity - 1, 0), keepdb=False)
                log("Throw-away database destroyed.")
        finally:
            test_settings["NAME"] = old_test_name
            if temp_dir:
                shutil.rmtree(temp_dir, ignore_errors=True)
            if previous_handler is not None:
                signal.signal(signal.SIGTERM, previous_handler)


def _raise_on_sigterm():
    """Install a SIGTERM handler that raises SystemExit; returns the previous one (None if not possible)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    return signal.SIG_DFL if previous is None else previous


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def _mark(passed: bool | None) -> str:
    return "—" if passed is None else ("✓" if passed else "✗")


def format_table(report: org.Report) -> str:
    header = ("what", "p50", "p95", "baseline p50", "ratio", "target", "pass")
    lines = [header]
    for row in report.rows:
        if row.wall_s is not None:
            p50, p95 = f"{row.wall_s:.1f} s (wall)" if row.wall_s >= 1 else f"{row.wall_s:.2f} s (wall)", "—"
        else:
            p50, p95 = _ms(row.p50_ms), _ms(row.p95_ms)
        lines.append((row.what, p50, p95, _ms(row.baseline_p50_ms), _ratio(row.ratio), row.target, _mark(row.passed)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {1, 2, 3, 4}

    def render(cells) -> str:
        padded = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if i in right else "-" * w for i, w in enumerate(widths)) + " |"
    return "\n".join([render(lines[0]), rule] + [render(line) for line in lines[1:]])


class Command(BaseCommand):
    help = (
        "Seed an organisation tree into a throw-away database and print one table: seeding time, "
        "coverage roll-ups (p50/p95) against a naive GROUP BY measured in the same run, and checks "
        "that both give the same counts. Never touches the configured database."
    )
    # Only models and the database matter here; unrelated check failures (URLs, admin) should not stop it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted(SHAPES), default="national", help="Tree to seed (default national)."
        )
        parser.add_argument("--repeat", type=int, default=200, help="Timed calls of each fast read (default 200).")
        parser.add_argument(
            "--baseline-repeat",
            type=int,
            default=20,
            help="Timed calls of each naive baseline (default 20, at most --repeat).",
        )
        parser.add_argument(
            "--only", default="", help=f"Comma-separated rows to report, of: {', '.join(org.ROW_NAMES)} (default all)."
        )
        parser.add_argument(
            "--apply-requests", type=int, default=2000, help="POSTs to each endpoint in the apply row (default 2000)."
        )
        parser.add_argument(
            "--members",
            type=int,
            help="Members the membership rows seed (default about ten per booth: 10,000,000 on the national tree).",
        )
        parser.add_argument("--json", dest="json_path", metavar="PATH", help="Also write the results as JSON here.")

    def handle(
        self, *args, scale, repeat, baseline_repeat, only, json_path, apply_requests=2000, members=None, **options
    ):
        verbosity = options["verbosity"]
        if repeat < 1 or baseline_repeat < 1:
            raise CommandError("--repeat and --baseline-repeat must be at least 1.")
        all_rows = (
            *org.ROW_NAMES,
            "apply",
            *planning_bench.ROW_NAMES,
            *outreach_bench.ROW_NAMES,
            *controlroom_bench.ROW_NAMES,
            *controlroom_intake.ROW_NAMES,
            *membership_bench.ROW_NAMES,
            *factcheck_bench.ROW_NAMES,
            *membership_join.ROW_NAMES,
        )
        names = [name.strip() for name in only.split(",") if name.strip()] or list(all_rows)
        unknown = sorted(set(names) - set(all_rows))
        if unknown:
            raise CommandError(f"Unknown rows for --only: {', '.join(unknown)}. Choose from {', '.join(all_rows)}.")

        def log(message: str) -> None:
            if verbosity:
                self.stderr.write(message)

        in_test_database = inside_test_database()
        with throwaway_database(verbosity=verbosity, log=log):
            report = org.run(
                scale,
                repeat=repeat,
                baseline_repeat=min(baseline_repeat, repeat),
                only=[name for name in names if name in org.ROW_NAMES],
                show_progress=verbosity > 0,
            )
            if "apply" in names:
                if in_test_database:
                    report.notes.append("apply: skipped inside a test database (it starts its own server).")
                else:
                    log("Public application POST under load (gunicorn, 2 workers) ...")
                    report.rows += apply_bench.run(requests=apply_requests, log=log)
            plan_rows = [name for name in names if name in planning_bench.ROW_NAMES]
            if plan_rows:
                rows, notes = planning_bench.run(
                    scale=scale,
                    only=plan_rows,
                    repeat=repeat,
                    baseline_repeat=min(baseline_repeat, repeat),
                    show_progress=verbosity > 0,
                    log=log,
                )
                report.rows += rows
                report.notes += notes
            outreach_rows = [name for name in names if name in outreach_bench.ROW_NAMES]
            if outreach_rows:
                rows, notes = outreach_bench.run(only=outreach_rows, log=log, in_test_database=in_test_database)
                report.rows += rows
                report.notes += notes
            rows, notes = controlroom_bench.run(
                only=names,
                log=log,
                repeat=repeat,
                baseline_repeat=min(baseline_repeat, repeat),
                show_progress=verbosity > 0,
            )
            report.rows += rows
            report.notes += notes
            if "controlroom-intake" in names:
                if in_test_database:
                    report.notes.append(
                        "controlroom-intake: skipped inside a test database (it starts its own server)."
                    )
                else:
                    log("Daily report POST under load (gunicorn, 2 workers) ...")
                    rows, notes = controlroom_intake.run(only=names, log=log, requests=apply_requests)
                    report.rows += rows
                    report.notes += notes
            rows, notes = membership_bench.run(
                only=names,
                log=log,
                members=membership_bench.MEMBERS_BY_SCALE[scale] if members is None else members,
                repeat=repeat,
                baseline_repeat=min(baseline_repeat, repeat),
                show_progress=verbosity > 0,
            )
            report.rows += rows
            report.notes += notes
            rows, notes = factcheck_bench.run(only=names, log=log, repeat=repeat, show_progress=verbosity > 0)
            report.rows += rows
            report.notes += notes
            if "membership-join" in names:
                if in_test_database:
                    report.notes.append("membership-join: skipped inside a test database (it starts its own server).")
                else:
                    log("Membership join and code POSTs under load (gunicorn, 2 workers) ...")
                    rows, notes = membership_join.run(only=names, log=log, requests=apply_requests)
                    report.rows += rows
                    report.notes += notes

        tree, database, machine = report.tree, report.database, report.machine
        self.stdout.write(
            f"sangathan bench · scale {scale} · {database['version']} · {machine['cores']} cores · "
            f"Python {machine['python']} · Django {machine['django']}"
        )
        self.stdout.write(
            f"tree: {tree['units']:,} units, {tree['people']:,} people, {tree['appointments']:,} appointments; "
            f"largest state {tree['largest_state']}"
        )
        self.stdout.write(
            f"{report.repeat} timed calls per fast read, {report.baseline_repeat} per baseline, one warm-up each; "
            "baseline = selectors.naive_coverage (one GROUP BY over the subtree's path range)"
        )
        self.stdout.write("")
        self.stdout.write(format_table(report))
        for row in report.rows:
            for miss in row.misses:
                self.stdout.write(f"✗ {row.name}: {miss}")
        for note in report.notes:
            self.stdout.write(note)
        if json_path:
            Path(json_path).write_text(
                json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            log(f"Results written to {os.fspath(json_path)}")
        if not report.correct:
            raise CommandError("The fast coverage roll-up differs from the naive GROUP BY; see the ✗ lines above.")
