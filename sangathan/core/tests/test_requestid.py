"""The request id: taken from X-Request-ID when it is a plain token, made otherwise, put on the response and on
every log line of the request; an attacker's header (10 kB, a newline to forge a log line) is replaced."""

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from sangathan.config.celery import app
from sangathan.core.requestid import MAX_LENGTH, RequestIdLogFilter, current_request_id, valid_request_id

MADE = re.compile(r"[0-9a-f]{32}")


def test_one_is_made_when_none_is_given(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert MADE.fullmatch(first) and MADE.fullmatch(second) and first != second


def test_a_proxy_s_id_is_kept(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="9f2c1e-nginx.42:a_b")["X-Request-ID"] == "9f2c1e-nginx.42:a_b"


@pytest.mark.parametrize(
    "forged",
    [
        "A" * 10_240,  # bloats every log line
        "A" * (MAX_LENGTH + 1),
        "abc\nlevel=ERROR forged line",  # forges a log line
        "abc\r\nSet-Cookie: x=1",  # splits the response header
        "abc def",
        "<script>",
        '{"json":"break"}',
        "-starts-with-a-dash",
        "",
    ],
)
def test_an_attacker_s_id_is_replaced(client, forged):
    got = client.get("/healthz", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
    assert MADE.fullmatch(got)


def test_validation():
    assert valid_request_id("a" * MAX_LENGTH) == "a" * MAX_LENGTH
    assert valid_request_id("a" * (MAX_LENGTH + 1)) is None
    assert valid_request_id("abc\n") is None
    assert valid_request_id("é") is None
    assert valid_request_id(None) is None


@pytest.fixture
def json_log():
    """Records of the ``django.request`` logger as the JSON formatter of LOG_FORMAT=json writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdLogFilter())
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(**options))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_every_log_line_of_the_request_carries_its_id(client, json_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-1234")  # django.request logs a 404
    assert response.status_code == 404 and response["X-Request-ID"] == "req-1234"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "the 404 was logged"
    for line in lines:
        assert line["request_id"] == "req-1234"
        assert line["level"] == "WARNING" and line["logger"] == "django.request"
        assert "Not Found" in line["message"] and "time" in line


@pytest.mark.django_db
def test_a_forged_id_never_reaches_the_log(client, json_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID='x\n{"level": "CRITICAL"}')
    lines = json_log.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["request_id"] == response["X-Request-ID"]
    assert "CRITICAL" not in lines[0]


def test_outside_a_request_the_id_is_empty():
    assert current_request_id() == ""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert RequestIdLogFilter().filter(record) and record.request_id == ""


task_logger = logging.getLogger("sangathan.core.tests.task")


@app.task(name="sangathan.core.tests.test_requestid.logs")
def logs():
    task_logger.warning("working")


def test_a_task_s_log_lines_carry_its_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdLogFilter())
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(**options))
    task_logger.addHandler(handler)
    try:
        result = logs.apply()
        task_logger.warning("after")
    finally:
        task_logger.removeHandler(handler)
    during, after = (json.loads(line) for line in stream.getvalue().splitlines())
    assert during["task_id"] == result.id and during["request_id"] == ""
    assert after["task_id"] == ""


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_format_switches_the_console_s_format(log_format):
    code = "import django, logging; django.setup(); logging.getLogger('sangathan.x').warning('नमस्ते')"
    env = {**os.environ, "LOG_FORMAT": log_format, "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.test"}
    stderr = subprocess.run(  # noqa: S603 - this interpreter, code of this file
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stderr
    line = stderr.strip().splitlines()[-1]
    if log_format == "json":
        record = json.loads(line)
        assert record["message"] == "नमस्ते" and record["level"] == "WARNING" and record["logger"] == "sangathan.x"
        assert record["request_id"] == "" and record["task_id"] == ""
    else:
        assert line.endswith("WARNING sangathan.x [] नमस्ते")
