"""``sangathan backup`` and ``sangathan restore`` (docs/operations.md has the procedure step by step).

A backup is a directory:

    manifest.json      what it holds: the database's vendor, every table's row count, the media files, the
                       SHA-256 of each file below, when it was made (no password, no host)
    database.dump      PostgreSQL: ``pg_dump -Fc`` (custom format: compressed, restored with pg_restore)
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (consistent while others write)
    media.tar.gz       MEDIA_ROOT (uploads, generated letters and reports), when media is on local disk

On PostgreSQL the row counts are taken in a read-only repeatable-read transaction whose snapshot pg_dump is
given, so the manifest counts exactly what the dump holds even while the site is running. ``restore`` checks
the files against their hashes, refuses a database that has tables unless ``force``, restores, unpacks the
media (refusing paths that would leave MEDIA_ROOT) and compares every table's count with the manifest.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections, transaction

from sangathan.ops import sql

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason (shown to the operator)."""


@dataclass
class Result:
    manifest: dict
    mismatches: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_environment(database: dict) -> dict[str, str]:
    """pg_dump's and pg_restore's connection, from Django's settings of a database, in the environment (so
    the password never shows in a process list)."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[-2000:]}")


def media_root() -> Path | None:
    """MEDIA_ROOT when the media are files on this machine's disk; None when they are elsewhere (S3)."""
    return Path(default_storage.location) if isinstance(default_storage, FileSystemStorage) else None


def backup(out: Path, *, alias: str = "default", media: Path | None = None) -> Result:
    """Write a backup of the database ``alias`` and of ``media`` (a directory, or None) into ``out``, a new or
    empty directory."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: a backup goes into a new directory.")
    out.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    vendor = connection.vendor
    if vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            snapshot = sql.begin_snapshot(cursor)
            _run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(out / PG_DUMP)],
                env=_pg_environment(connection.settings_dict),
            )
            tables = sql.table_counts(cursor, vendor)
        files = [PG_DUMP]
    elif vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out / SQLITE_COPY)
        try:
            connection.connection.backup(target)
            tables = sql.table_counts(target.cursor(), vendor)
        finally:
            target.close()
        files = [SQLITE_COPY]
    else:
        raise BackupError(f"No backup for a {vendor} database.")

    media_files = None
    if media is not None:
        media_files = 0
        with tarfile.open(out / MEDIA, "w:gz") as archive:
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=str(path.relative_to(media)), recursive=False)
                        media_files += 1
        files.append(MEDIA)

    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "tables": tables,
        "media_files": media_files,
        "sha256": {name: _sha256(out / name) for name in files},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Result(manifest=manifest)


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} holds no readable {MANIFEST}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is a backup of another format ({manifest.get('format')}).")
    for name, expected in manifest["sha256"].items():
        path = Path(source) / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 is not the manifest's).")
    return manifest


@contextmanager
def raw_cursor(database: dict):
    """A DB-API cursor on the database ``database`` (Django's settings of it), on a connection of its own that
    is closed afterwards."""
    if vendor_of(database) == "postgresql":
        import psycopg  # PostgreSQL only (the embedded mode makes no psycopg connection)

        with (
            psycopg.connect(
                dbname=database["NAME"],
                host=database.get("HOST") or None,
                port=database.get("PORT") or None,
                user=database.get("USER") or None,
                password=database.get("PASSWORD") or None,
                autocommit=True,
            ) as connection,
            connection.cursor() as cursor,
        ):
            yield cursor
    else:
        connection = sqlite3.connect(database["NAME"], uri=str(database["NAME"]).startswith("file:"))
        try:
            yield connection.cursor()
        finally:
            connection.close()


def vendor_of(database: dict) -> str:
    engine = database["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite" if "sqlite" in engine else engine


def database_counts(database: dict) -> dict[str, int]:
    """Every table's row count in the database ``database`` (Django's settings of it)."""
    with raw_cursor(database) as cursor:
        return sql.table_counts(cursor, vendor_of(database))


def _check_media(archive_path: Path, media: Path) -> None:
    """Every member of the media archive stays inside ``media`` and is a plain file or directory (a backup
    tampered with could otherwise write anywhere the process may)."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive.getmembers():
                tarfile.data_filter(member, str(media))
    except tarfile.TarError as error:
        raise BackupError(f"The media archive is refused: {error}") from error


def restore(source: Path, *, database: dict, media: Path | None = None, force: bool = False) -> Result:
    """Restore the backup in ``source`` into ``database`` (Django's settings of it; nobody else may be writing
    to it) and its media into ``media``. Refuses a database that has tables unless ``force``."""
    source = Path(source)
    manifest = read_manifest(source)
    vendor = vendor_of(database)
    if vendor != manifest["vendor"]:
        raise BackupError(f"This is a backup of a {manifest['vendor']} database; the configured one is {vendor}.")
    if not force and database_counts(database):
        raise BackupError("The database is not empty: restore into a new database, or add --force to replace it.")
    unpack_media = media is not None and manifest.get("media_files") is not None
    if unpack_media:
        _check_media(source / MEDIA, media)  # before the database is touched

    if vendor == "postgresql":
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", database["NAME"]]
        if force:
            command[1:1] = ["--clean", "--if-exists"]
        _run([*command, str(source / PG_DUMP)], env=_pg_environment(database))
    else:
        copy = sqlite3.connect(source / SQLITE_COPY)
        target = sqlite3.connect(database["NAME"], uri=str(database["NAME"]).startswith("file:"))
        try:
            copy.backup(target)  # replaces every page of the target: its old tables go
        finally:
            copy.close()
            target.close()

    if unpack_media:
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / MEDIA, "r:gz") as archive:
            archive.extractall(media, filter="data")  # refuses absolute paths, "..", links out, devices

    counts = database_counts(database)
    mismatches = {
        table: (expected, counts.get(table))
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    return Result(manifest=manifest, mismatches=mismatches)
