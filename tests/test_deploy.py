"""deploy/: each file a real installation runs, started or checked here (docs/deploy.md).

- deploy/gunicorn.conf.py: gunicorn started with it on a free loopback port, with the production settings and
  the environment file's values, answers /healthz; its multiprocess metrics directory is used; it stops cleanly.
- deploy/sangathan.env.example: lists every variable the settings read, and only variables something reads.
- deploy/systemd/: `systemd-analyze verify` accepts each unit (skipped where systemd-analyze is missing); the
  worker's and beat's ExecStart=, rendered as systemd would, start a worker on its kind's queue and beat.
- deploy/sangathan-manage: the `check --deploy` gate run through it, the environment file read without a shell.
- deploy/nginx/sangathan.conf: parsed (crossplane) for TLS, static files, the upload limit, the proxy headers
  PROXY_COUNT relies on and /metrics kept off the public site; `nginx -t` when nginx is installed.
"""

import ast
import functools
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import crossplane
import pytest

from sangathan.config.queues import KINDS, queue_name

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "sangathan.env.example"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
SYSTEMD = DEPLOY / "systemd"
NGINX_CONF = DEPLOY / "nginx" / "sangathan.conf"
VENV_BIN = Path(sys.executable).parent
INSTALL_DIR = "/opt/sangathan"  # where docs/deploy.md puts the checkout; the files name it
ENV_FILE = "/etc/sangathan/sangathan.env"

ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
ENV_LINE = re.compile(r"^(#)?([A-Z][A-Z0-9_]*)=(.*)$")


# ---------------------------------------------------------------- the environment file


def example_variables() -> dict[str, tuple[bool, str]]:
    """NAME -> (set, value) for every ``NAME=value`` (set) and ``#NAME=value`` (an optional default) line."""
    found: dict[str, tuple[bool, str]] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := ENV_LINE.match(line):
            name = match.group(2)
            assert name not in found, f"{name} is listed twice in {ENV_EXAMPLE.name}"
            found[name] = (match.group(1) is None, match.group(3))
    return found


def _name_read(node: ast.Call) -> str | None:
    """The variable's name when ``node`` reads one environment variable by a literal name."""
    if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in ENV_HELPERS:
        return node.args[0].value
    if isinstance(func, ast.Attribute):
        if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os":
            return node.args[0].value
        if func.attr in {"get", "setdefault", "pop"} and ast.unparse(func.value) == "os.environ":
            return node.args[0].value
    return None


def variables_read(paths: list[Path]) -> dict[str, set[str]]:
    """NAME -> the files that read it (env helpers, os.environ.get/[...]/setdefault, os.getenv)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            name = None
            if isinstance(node, ast.Call):
                name = _name_read(node)
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
            ):
                name = node.slice.value
            if name:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def source_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "tests" not in p.parts and not p.name.startswith("test_")]


def test_every_variable_the_settings_read_is_in_the_example_and_back():
    # What the running processes read: the settings (sangathan/config), the operations code (sangathan/ops)
    # and gunicorn's configuration. Commands run by hand (`sangathan demo`'s DEMO_PASSWORD, `setup`'s admin
    # password) read their own variables; those are not the installation's environment.
    required = variables_read(
        source_files(ROOT / "sangathan" / "config") + source_files(ROOT / "sangathan" / "ops") + [GUNICORN_CONF]
    )
    anywhere = variables_read(source_files(ROOT / "sangathan") + [GUNICORN_CONF])
    listed = example_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PROXY_COUNT", "DJANGO_SETTINGS_MODULE"} <= set(required)

    missing = sorted(set(required) - set(listed))
    assert not missing, f"read by {[sorted(required[n]) for n in missing]} but not in {ENV_EXAMPLE.name}: {missing}"
    unread = sorted(set(listed) - set(anywhere))
    assert not unread, f"{ENV_EXAMPLE.name} lists variables nothing reads: {unread}"


def test_the_example_sets_what_production_requires():
    listed = example_variables()
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL"):
        assert listed[name][0], f"{name} must be an uncommented line: production refuses to start without it"
    assert listed["DJANGO_SETTINGS_MODULE"][1] == "sangathan.config.settings.production"
    # The worker units listen on ${SANGATHAN_NAMESPACE}.<kind>: an unset namespace would make ".outbox".
    assert listed["SANGATHAN_NAMESPACE"] == (True, "sangathan")
    # nginx appends one X-Forwarded-For entry (deploy/nginx/sangathan.conf): one proxy of ours.
    assert listed["PROXY_COUNT"] == (True, "1")
    assert listed["SECRET_KEY"][1] == "", "the example must never carry a key someone would keep"


def environment_for(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The example's values as systemd would give them, completed for this machine, over a minimal base."""
    environment = {key: os.environ[key] for key in ("PATH", "LANG", "HOME") if key in os.environ}
    environment.update({name: value for name, (is_set, value) in example_variables().items() if is_set})
    environment.update(
        SECRET_KEY="deploy-test-" + "k" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL="redis://127.0.0.1:6379/15",  # nothing below connects to it
        SANGATHAN_NAMESPACE=f"deploytest-{os.getpid()}",
    )
    environment.update(overrides)
    return environment


@pytest.mark.slow  # starts the application in subprocesses (about 10 s)
def test_the_production_settings_pass_the_deploy_gate_with_the_example(tmp_path):
    """docs/deploy.md's gate, run as the document runs it: `deploy/sangathan-manage check --deploy` with an
    environment file made from the example (a real key, this machine's database) finds nothing to warn about.
    The file is read as systemd reads it: a "$" or ";" in a value stays literal."""
    values = environment_for(tmp_path, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    values["SENTRY_RELEASE"] = "v1;$(touch pwned)$HOME"  # never run nor expanded by the shell
    env_file = tmp_path / "sangathan.env"
    env_file.write_text(
        "# made by the test\n\n" + "".join(f"{k}={v}\n" for k, v in values.items() if k not in {"PATH", "LANG", "HOME"})
    )
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [str(DEPLOY / "sangathan-manage"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env={
            "PATH": os.environ["PATH"],
            "SANGATHAN_ENV_FILE": str(env_file),
            "SANGATHAN_USER": pwd.getpwuid(os.getuid()).pw_name,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert not (tmp_path / "pwned").exists()
    shown = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            str(DEPLOY / "sangathan-manage"),
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SENTRY_RELEASE)",
        ],
        cwd=tmp_path,
        env={
            "PATH": os.environ["PATH"],
            "SANGATHAN_ENV_FILE": str(env_file),
            "SANGATHAN_USER": pwd.getpwuid(os.getuid()).pw_name,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.strip().splitlines()[-1] == "v1;$(touch pwned)$HOME", shown.stderr


# ---------------------------------------------------------------- gunicorn


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_healthz(url: str, process: subprocess.Popen, deadline: float) -> tuple[int, bytes]:
    """The first answer of /healthz, polling until gunicorn listens (fails if it exits or takes too long)."""
    while True:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback http URL
                return response.status, response.read()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer /healthz in 90 s")
            time.sleep(0.2)  # polling for a condition (gunicorn listening), bounded by the deadline


@pytest.mark.slow  # starts the application in subprocesses (about 10 s)
def test_gunicorn_starts_with_the_deploy_configuration_and_answers_healthz(tmp_path):
    port = free_loopback_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    environment = environment_for(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), WEB_CONCURRENCY="2")
    process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        # As the unit runs it, with the address moved to a free port (the file's own is 127.0.0.1:8000).
        [
            str(VENV_BIN / "gunicorn"),
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{port}",
            "sangathan.config.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, body = wait_for_healthz(f"http://127.0.0.1:{port}/healthz", process, time.monotonic() + 90)
        assert status == 200
        assert body == b'{"status": "ok"}'
        # The production settings are in force: /healthz is exempt from the HTTPS redirect, anything else is not.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", method="GET")
        with pytest.raises(urllib.error.HTTPError) as redirected:
            urllib.request.build_opener(NoRedirect).open(request, timeout=10)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://")
        # Every worker counts into the machine's directory (docs/operations.md, "Several processes").
        assert any(metrics_dir.glob("*.db")), "no worker wrote its metrics into PROMETHEUS_MULTIPROC_DIR"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, errors = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, errors
    assert "Booting worker" in errors


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# ---------------------------------------------------------------- systemd

UNITS = ["sangathan-web.service", "sangathan-worker@.service", "sangathan-beat.service", "sangathan.target"]


def unit_text(name: str) -> str:
    return (SYSTEMD / name).read_text()


def test_every_unit_runs_the_checkout_with_the_environment_file():
    for name in ("sangathan-web.service", "sangathan-worker@.service", "sangathan-beat.service"):
        text = unit_text(name)
        assert f"EnvironmentFile={ENV_FILE}\n" in text, name
        assert "User=sangathan\n" in text, name
        assert f"WorkingDirectory={INSTALL_DIR}\n" in text, name
        assert "PartOf=sangathan.target" in text and "WantedBy=sangathan.target" in text, name
    assert f"--config {INSTALL_DIR}/deploy/gunicorn.conf.py sangathan.config.wsgi" in unit_text("sangathan-web.service")


def test_the_worker_template_listens_on_each_kinds_queue():
    text = unit_text("sangathan-worker@.service")
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert "--queues ${SANGATHAN_NAMESPACE}.%i " in exec_start
    namespace = example_variables()["SANGATHAN_NAMESPACE"][1]
    for kind in KINDS:
        # systemd expands %i to the instance (the kind) and ${SANGATHAN_NAMESPACE} from the environment file.
        assert f"{namespace}.{kind}" == queue_name(namespace, kind)
        drop_in = SYSTEMD / f"sangathan-worker@{kind}.service.d" / "concurrency.conf"
        assert re.search(r"^Environment=WORKER_CONCURRENCY=\d+$", drop_in.read_text(), re.M), drop_in
    dropins = {path.parent.name for path in SYSTEMD.glob("sangathan-worker@*.service.d/*.conf")}
    assert dropins == {f"sangathan-worker@{kind}.service.d" for kind in KINDS}
    assert "--schedule /var/lib/sangathan/celerybeat-schedule" in unit_text("sangathan-beat.service")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def exec_start(unit: str, instance: str, environment: dict[str, str]) -> list[str]:
    """The unit's ExecStart= as systemd runs it: %i the instance, %% a "%", ${NAME} from the environment, and
    this checkout's virtual environment in place of /opt/sangathan/.venv."""
    line = next(line for line in unit_text(unit).splitlines() if line.startswith("ExecStart="))
    words = []
    for word in shlex.split(line.removeprefix("ExecStart=")):
        word = word.replace("%%", "\0").replace("%i", instance).replace("\0", "%")
        word = re.sub(r"\$\{(\w+)\}", lambda match: environment[match.group(1)], word)
        words.append(word.replace(f"{INSTALL_DIR}/.venv/bin/", f"{VENV_BIN}/"))
    return words


def stop(process: subprocess.Popen) -> str:
    """SIGTERM, as systemd stops a unit; the process's standard error."""
    process.send_signal(signal.SIGTERM)
    try:
        _, errors = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return errors


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379 (make redis starts one)")
def test_the_worker_units_command_consumes_its_kinds_queue_and_stops_warm(tmp_path):
    kind = "intake"
    drop_in = (SYSTEMD / f"sangathan-worker@{kind}.service.d" / "concurrency.conf").read_text()
    concurrency = re.search(r"WORKER_CONCURRENCY=(\d+)", drop_in).group(1)
    environment = environment_for(tmp_path, WORKER_CONCURRENCY=concurrency)
    command = exec_start("sangathan-worker@.service", kind, environment)
    worker = subprocess.Popen(  # noqa: S603 - the unit's own command line, rendered
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    expected = queue_name(environment["SANGATHAN_NAMESPACE"], kind)
    destination = f"{kind}@{socket.gethostname()}"
    try:
        deadline = time.monotonic() + 90
        while True:  # polls the worker's own answer (a condition), bounded by the deadline
            assert worker.poll() is None, f"the worker exited: {worker.stderr.read()}"
            answer = subprocess.run(  # noqa: S603 - our own Celery, fixed arguments
                [str(VENV_BIN / "celery"), "--app", "sangathan", "inspect", "active_queues"]
                + ["--destination", destination, "--timeout", "2", "--json"],
                cwd=ROOT,
                env=environment,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if answer.returncode == 0 and answer.stdout.strip().startswith("{"):
                break
            assert time.monotonic() < deadline, f"the worker never answered: {answer.stdout} {answer.stderr}"
        queues = json.loads(answer.stdout)[destination]
        assert [queue["name"] for queue in queues] == [expected]
    finally:
        errors = stop(worker)
    assert worker.returncode == 0, errors  # a warm shutdown


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379 (make redis starts one)")
def test_the_beat_units_command_starts_with_its_schedule_file(tmp_path):
    environment = environment_for(tmp_path)
    command = exec_start("sangathan-beat.service", "", environment)
    schedule = "/var/lib/sangathan/celerybeat-schedule"
    assert schedule in command
    command[command.index(schedule)] = str(tmp_path / "celerybeat-schedule")
    beat = subprocess.Popen(  # noqa: S603 - the unit's own command line, rendered
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 90
        while not list(tmp_path.glob("celerybeat-schedule*")):  # beat opens its schedule once it runs
            assert beat.poll() is None, f"beat exited: {beat.stderr.read()}"
            assert time.monotonic() < deadline, "beat never opened its schedule file"
            time.sleep(0.2)  # polling for a condition, bounded by the deadline
    finally:
        errors = stop(beat)
    assert beat.returncode == 0, errors


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """The units as installed, with this checkout in place of /opt/sangathan (so the programs they start exist)
    and a copy of the example as the environment file; the template verified as each kind's instance."""
    (tmp_path / "sangathan.env").write_text(ENV_EXAMPLE.read_text())
    rendered = []
    for name in UNITS:
        text = unit_text(name).replace(ENV_FILE, str(tmp_path / "sangathan.env"))
        text = text.replace(f"{INSTALL_DIR}/.venv/bin/", f"{VENV_BIN}/").replace(INSTALL_DIR, str(ROOT))
        targets = [f"sangathan-worker@{kind}.service" for kind in KINDS] if name.endswith("@.service") else [name]
        for target in targets:
            (tmp_path / target).write_text(text)
            rendered.append(str(tmp_path / target))
    for kind in KINDS:
        drop_in = tmp_path / f"sangathan-worker@{kind}.service.d"
        drop_in.mkdir()
        shutil.copy(SYSTEMD / drop_in.name / "concurrency.conf", drop_in / "concurrency.conf")
    result = subprocess.run(  # noqa: S603 - the system's systemd-analyze on our rendered units
        [shutil.which("systemd-analyze"), "verify", "--man=no", *rendered],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    # Units referred to but not installed here (postgresql, redis-server) and a machine without systemd running
    # are this machine's, not the files' problems; anything said about our units is.
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "sangathan" in line]
    assert not problems, "\n".join(problems)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tmpfiles_makes_the_metrics_directory_the_example_names():
    metrics = example_variables()["PROMETHEUS_MULTIPROC_DIR"][1]
    lines = [line.split() for line in (SYSTEMD / "sangathan.tmpfiles").read_text().splitlines() if line[:1] == "d"]
    assert ["d", metrics, "0750", "sangathan", "sangathan", "-"] in lines


# ---------------------------------------------------------------- nginx


@functools.cache
def nginx_servers() -> list[dict]:
    """The site's server blocks, parsed where Debian's nginx.conf includes a site: inside ``http``."""
    with tempfile.TemporaryDirectory() as folder:
        main = Path(folder) / "nginx.conf"
        main.write_text(f"events {{}}\nhttp {{\n    include {NGINX_CONF};\n}}\n")
        parsed = crossplane.parse(str(main), comments=False, check_ctx=True, check_args=True)
    assert parsed["status"] == "ok", parsed["errors"]
    (site,) = [config for config in parsed["config"] if config["file"] == str(NGINX_CONF)]
    return [d for d in site["parsed"] if d["directive"] == "server"]


def directives(block: list[dict], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def location(server: dict, *args: str) -> list[dict]:
    for d in server["block"]:
        if d["directive"] == "location" and d["args"] == list(args):
            return d["block"]
    raise AssertionError(f"no location {' '.join(args)}")


def tls_server() -> dict:
    return next(s for s in nginx_servers() if any("ssl" in a for a in directives(s["block"], "listen")))


def test_nginx_redirects_http_and_serves_tls():
    servers = nginx_servers()
    plain = next(s for s in servers if ["80"] in directives(s["block"], "listen"))
    assert directives(location(plain, "/"), "return") == [["301", "https://$host$request_uri"]]
    tls = tls_server()["block"]
    assert ["443", "ssl", "http2"] in directives(tls, "listen")
    assert directives(tls, "ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]
    assert directives(tls, "ssl_certificate") and directives(tls, "ssl_certificate_key")


def test_nginx_serves_static_files_from_static_root_and_never_media():
    from django.conf import settings  # the test settings: STATIC_ROOT is the same var/static under the checkout

    server = tls_server()
    static = location(server, settings.STATIC_URL)
    relative = Path(settings.STATIC_ROOT).relative_to(ROOT)
    assert directives(static, "alias") == [[f"{INSTALL_DIR}/{relative}/"]]
    assert directives(location(server, settings.MEDIA_URL), "return") == [["404"]]


def size_in_bytes(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].lower() in units else int(value)


def test_nginx_upload_limit_matches_djangos():
    from django.conf import settings

    (limit,) = directives(tls_server()["block"], "client_max_body_size")
    limit_bytes = size_in_bytes(limit[0])
    largest = max(settings.UNIT_IMPORT_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    # Room for the multipart envelope above the largest file Django takes, and no more than a megabyte of it.
    assert largest < limit_bytes <= largest + 1024 * 1024


def test_nginx_passes_the_headers_proxy_count_and_the_request_id_rely_on():
    proxied = location(tls_server(), "/")
    headers = {args[0]: args[1] for args in directives(proxied, "proxy_set_header")}
    # Appended (not replaced): with PROXY_COUNT=1 the application takes the rightmost entry, nginx's own.
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"  # SECURE_PROXY_SSL_HEADER in the production settings
    assert headers["X-Request-ID"] == "$request_id"  # sangathan/core/requestid.py
    assert headers["Host"] == "$host"
    assert directives(proxied, "proxy_pass") == [["http://sangathan_web"]]


def test_nginx_keeps_metrics_off_the_public_site():
    assert directives(location(tls_server(), "=", "/metrics"), "return") == [["404"]]
    for server in nginx_servers():
        # Every server that listens on every address (the public ones) either redirects everything to HTTPS
        # or answers /metrics with 404; an internal listener for Prometheus names a private address.
        for listen in directives(server["block"], "listen"):
            assert listen[0] in {"80", "[::]:80", "443", "[::]:443"}, listen
        locations = [d["args"] for d in server["block"] if d["directive"] == "location"]
        assert ["=", "/metrics"] in locations or locations == [["/.well-known/acme-challenge/"], ["/"]]


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed here (docs/deploy.md installs it)")
def test_nginx_accepts_the_configuration(tmp_path):
    """`nginx -t` on the file inside a minimal main configuration, everything under tmp_path (no root-owned
    paths written), with a self-signed certificate in place of Let's Encrypt's."""
    subprocess.run(  # noqa: S603 - the system's openssl, fixed arguments
        [
            shutil.which("openssl") or "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    site = NGINX_CONF.read_text()
    site = site.replace("/etc/letsencrypt/live/sangathan.example.org/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/sangathan.example.org/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\nhttp {{\n"
        f"    access_log off;\n    client_body_temp_path {temp['body']};\n    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n    include {tmp_path / 'site.conf'};\n}}\n"
    )
    result = subprocess.run(  # noqa: S603 - the system's nginx, fixed arguments
        [
            shutil.which("nginx"),
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
