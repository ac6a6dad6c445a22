"""Uploads and generated files in an S3-compatible bucket (issue 17), against a local fake S3 server: moto in
server mode on a free loopback port, started once per test session. A picture uploaded through the message form
and a generated PDF report land in the bucket and are read back through the application; the production
settings keep sessions and the cache off the web machine's disk and memory."""

import io
import json
import os
import re
import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from sangathan.config.storage import FILE_SYSTEM_BACKEND, S3_BACKEND, media_origins, media_storage
from sangathan.controlroom.models import StateReport
from sangathan.core.pdf import html_to_pdf
from sangathan.outreach.models import Message
from sangathan.testing import log_in, pdf_text

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "sangathan-media-test"
FAKE_KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}  # moto accepts any


@pytest.fixture(scope="session")
def fake_s3():
    """moto's S3 on a free loopback port, with the bucket made: yields its address."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the fake server's
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_media(fake_s3, monkeypatch, settings):
    """The default storage as the settings make it from the environment with S3_BUCKET set, on the fake server:
    yields a client to look into the bucket."""
    for name, value in {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": fake_s3,
        "S3_REGION": "us-east-1",
        **FAKE_KEYS,
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    return boto3.client(
        "s3",
        endpoint_url=fake_s3,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the fake server's
    )


def bucket_object(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_the_environment_chooses_the_bucket_or_this_machine_s_disk(monkeypatch):
    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ADDRESSING_STYLE"):
        monkeypatch.delenv(name, raising=False)
    assert media_storage() == {"BACKEND": FILE_SYSTEM_BACKEND} and media_origins() == []

    monkeypatch.setenv("S3_BUCKET", "party-media")
    options = media_storage()["OPTIONS"]
    assert media_storage()["BACKEND"] == S3_BACKEND
    assert options["endpoint_url"] is None and options["addressing_style"] == "auto"  # AWS itself
    assert options["default_acl"] is None and options["querystring_auth"] is True  # private, signed links
    assert options["file_overwrite"] is False
    assert "https://party-media.s3.amazonaws.com" in media_origins()

    monkeypatch.setenv("S3_ENDPOINT_URL", "https://minio.internal:9000")
    assert media_storage()["OPTIONS"]["addressing_style"] == "path"
    assert media_origins() == ["https://minio.internal:9000"]


def test_a_picture_uploaded_through_the_form_lands_in_the_bucket_and_is_shown(s3_media, client, tree, cast):
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "orange").save(picture, "PNG")
    log_in(client, cast.district_admin, language="hi")
    response = client.post(
        reverse("outreach:new"),
        {
            "unit": tree.jaipur.pk,
            "target_level": tree.booth1.level_id,
            "title": "बूथ बैठक",
            "body_hi": "रविवार को बैठक",
            "priority": "normal",
            "ack_within_hours": 24,
            "image": SimpleUploadedFile("poster.png", picture.getvalue(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    stored = bucket_object(s3_media, message.image.name)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 20)

    page = client.get(reverse("outreach:detail", args=[message.pk])).content.decode()
    link = re.search(r'<img src="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.startswith(f"{s3_media.meta.endpoint_url}/{BUCKET}/{message.image.name}?")
    assert "X-Amz-Signature=" in link  # a signed link: the bucket stays private
    with urllib.request.urlopen(link, timeout=10) as answer:  # noqa: S310 - the fake server, on loopback
        assert answer.read() == stored


def test_a_generated_pdf_report_lands_in_the_bucket_and_reads_back(s3_media, tree):
    report = StateReport.objects.create(unit=tree.rajasthan, kind=StateReport.Kind.DAILY, day=date(2026, 12, 6))
    content = html_to_pdf("<h1>राजस्थान: दैनिक रिपोर्ट</h1><p>रिपोर्ट भेजी: 42</p>")
    report.pdf.save("rajasthan-daily.pdf", ContentFile(content), save=True)

    report.refresh_from_db()
    assert report.pdf.name.startswith("controlroom/reports/")
    assert bucket_object(s3_media, report.pdf.name) == content
    with report.pdf.open("rb") as stored:
        assert "रिपोर्ट भेजी: 42" in pdf_text(stored.read())
    # A second report of the same name never replaces the first.
    again = StateReport.objects.create(unit=tree.jaipur, kind=StateReport.Kind.DAILY, day=date(2026, 12, 6))
    again.pdf.save("rajasthan-daily.pdf", ContentFile(b"%PDF-other"), save=True)
    assert again.pdf.name != report.pdf.name
    assert bucket_object(s3_media, report.pdf.name) == content


PRINT_SETTINGS = """
import json
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.module_loading import import_string
print(json.dumps({
    "session_engine": settings.SESSION_ENGINE,
    "session_store_bases": [c.__module__ for c in import_string(settings.SESSION_ENGINE + ".SessionStore").__mro__],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"]["LOCATION"],
    "storage": settings.STORAGES["default"]["BACKEND"],
}))
"""


@pytest.mark.slow  # starts Django with the production settings in a subprocess (about 2 s)
def test_production_keeps_sessions_cache_and_files_off_the_web_machine(fake_s3):
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.production",
        "SECRET_KEY": "storage-test-" + "k" * 60,
        "DATABASE_URL": "postgres://sangathan@db.internal/sangathan",
        "ALLOWED_HOSTS": "sangathan.example.org",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": fake_s3,
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup()\n" + PRINT_SETTINGS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # Sessions: rows of the shared database (every web machine sees them; ending a person's sessions is one
    # DELETE), never files, process memory or signed cookies.
    assert "django.contrib.sessions.backends.db" in found["session_store_bases"]
    assert not {"file", "cache", "signed_cookies"} & {m.rsplit(".", 1)[-1] for m in found["session_store_bases"]}
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache_location"] == "redis://redis.internal:6379/0"
    assert found["storage"] == S3_BACKEND
