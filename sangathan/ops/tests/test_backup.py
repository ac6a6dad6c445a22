"""sangathan backup / restore, proven on the database the suite runs on (SQLite, and PostgreSQL with
DATABASE_URL): back up, restore into a throw-away database made for it, and every table's count, a sample of
every table's rows and every media file are equal; a database that has tables is refused without --force."""

import hashlib
import io
import json
import tarfile
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from sangathan.notifications.models import OutboxMessage
from sangathan.ops import backup, sql
from sangathan.org.tests.factories import PersonFactory

MEDIA_FILES = {
    "letters/2026/नियुक्ति-पत्र-17.pdf": b"%PDF-1.7 appointment letter",
    "posters/rj-2026.png": bytes(range(256)) * 40,
    "imports/units.xlsx": b"PK\x03\x04 spreadsheet",
}


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    for name, content in MEDIA_FILES.items():
        default_storage.save(name, ContentFile(content))
    return root


@pytest.fixture
def throwaway_database(tmp_path):
    """Django's settings of a new, empty database beside the test database; dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with backup.raw_cursor({**source, "NAME": "postgres"}) as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        with backup.raw_cursor({**source, "NAME": "postgres"}) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _data(tree):
    for number in range(3):
        PersonFactory(home_unit=tree.jaipur, name_hi=f"सदस्य {number}")
    OutboxMessage.objects.create(
        channel="sms", recipient="+919800000001", template="t", body="नमस्ते", idempotency_key="backup-1"
    )


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_give_back_every_row_and_media_file(tree, media, tmp_path, throwaway_database):
    _data(tree)
    out = tmp_path / "backup"
    call_command("backup", out=out)

    manifest = json.loads((out / "manifest.json").read_text())
    source = connection.settings_dict
    counts = backup.database_counts(source)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == counts
    assert counts["org_unit"] > 0 and counts["notifications_outboxmessage"] == 1
    assert manifest["media_files"] == len(MEDIA_FILES)
    assert "PASSWORD" not in json.dumps(manifest) and "HOST" not in json.dumps(manifest)

    restored_media = tmp_path / "media-restored"
    result = backup.restore(out, database=throwaway_database, media=restored_media)

    assert result.mismatches == {}
    assert backup.database_counts(throwaway_database) == counts
    with backup.raw_cursor(source) as before, backup.raw_cursor(throwaway_database) as after:
        for table in counts:
            assert sql.sample_rows(after, table) == sql.sample_rows(before, table), table
    for name, content in MEDIA_FILES.items():
        assert (restored_media / name).read_bytes() == content


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tree, media, tmp_path, throwaway_database):
    out = tmp_path / "backup"
    call_command("backup", out=out, no_media=True)
    # The configured database has every table: refused, nothing changed.
    before = backup.database_counts(connection.settings_dict)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", out)
    assert backup.database_counts(connection.settings_dict) == before

    backup.restore(out, database=throwaway_database)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(out, database=throwaway_database)
    result = backup.restore(out, database=throwaway_database, force=True)
    assert result.mismatches == {}
    assert backup.database_counts(throwaway_database) == before


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused(tree, tmp_path, throwaway_database):
    out = tmp_path / "backup"
    call_command("backup", out=out, no_media=True)
    name = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    with (out / name).open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00damaged\x00")
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(out, database=throwaway_database)
    assert backup.database_counts(throwaway_database) == {}


def test_a_backup_goes_into_a_new_directory(tmp_path):
    (tmp_path / "old").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", out=tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_media_archive_leaving_media_root_is_refused(tree, tmp_path, throwaway_database):
    """A crafted backup (its hashes made to match) whose media would be written outside MEDIA_ROOT: refused
    before the database is touched."""
    out = tmp_path / "backup"
    call_command("backup", out=out, no_media=True)
    with tarfile.open(out / "media.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["media_files"] = 1
    manifest["sha256"]["media.tar.gz"] = hashlib.sha256((out / "media.tar.gz").read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="media archive is refused"):
        backup.restore(out, database=throwaway_database, media=tmp_path / "media")
    assert not (tmp_path / "outside.txt").exists()
    assert backup.database_counts(throwaway_database) == {}
