"""Backing up and restoring the database and the evidence files as one archive.

The archive (``.tar.gz``) holds ``manifest.json`` first, then ``db/`` (an SQLite copy made
with the online backup API, or a ``pg_dump -Fc`` custom-format dump) and ``media/`` (evidence
and other uploads under ``MEDIA_ROOT``). The manifest records the SHA-256 of every file and
the migrations applied, so a restore can prove it puts back exactly what was saved.

Database passwords go to ``pg_dump``/``pg_restore`` through ``PGPASSWORD`` in the child's
environment, never on a command line that ``ps`` would show.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "db/trustdesk.sqlite3"
PG_NAME = "db/trustdesk.pgdump"
# Tables whose rows make a database "not empty" for a restore without --force.
CONTENT_TABLES = ("accounts_user", "incidents_incident", "intake_report", "audit_auditevent")


class BackupError(Exception):
    """Something an operator must see and fix; the message says what."""


@dataclass
class RestoreResult:
    engine: str
    files: int
    migrations: int


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[dict[str, str], str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "localhost"),
            "PGPORT": str(db.get("PORT") or "5432"),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
        }
    )
    return env, str(db["NAME"])


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(target: Path) -> str:
    kind = engine()
    if kind == "sqlite":
        out = target / SQLITE_NAME
        out.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        copy = sqlite3.connect(out)
        try:
            # The online backup API copies a consistent snapshot while others keep writing.
            connection.connection.backup(copy)
        finally:
            copy.close()
        return SQLITE_NAME
    out = target / PG_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    env, name = _pg_env()
    _run([shutil.which("pg_dump") or "pg_dump", "-Fc", "--no-owner", "-f", str(out), name], env)
    return PG_NAME


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


def applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def create_backup(out: Path) -> dict[str, Any]:
    """Write the archive to ``out`` and return its manifest."""
    with tempfile.TemporaryDirectory(prefix="trustdesk-backup-") as tmp:
        staging = Path(tmp)
        db_name = _dump_database(staging)
        entries: list[tuple[Path, str]] = [(staging / db_name, db_name), *_media_files()]
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": engine(),
            "database": db_name,
            "migrations": applied_migrations(),
            "files": {arcname: _sha256(path) for path, arcname in entries},
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, MANIFEST)
            for path, arcname in entries:
                archive.add(path, arcname)
        partial.replace(out)  # never leave a half-written archive under the final name
    return manifest


def _extract(archive_path: Path, into: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, "..", links and devices.
            archive.extractall(into, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive_path} is not a usable trustdesk backup: {exc}") from exc
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("the archive has no manifest.json")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    listed = set(manifest["files"])
    present = {
        p.relative_to(into).as_posix()
        for p in into.rglob("*")
        if p.is_file() and p != manifest_path
    }
    if present != listed:
        extra = sorted(present ^ listed)[:5]
        raise BackupError(f"the archive does not match its manifest: {', '.join(extra)}")
    for name, expected in manifest["files"].items():
        if _sha256(into / name) != expected:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest")
    return manifest


def target_is_empty() -> bool:
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in CONTENT_TABLES:
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    media = Path(settings.MEDIA_ROOT)
    return not (media.is_dir() and any(p.is_file() for p in media.rglob("*")))


def _restore_database(staging: Path, manifest: dict[str, Any]) -> None:
    source = staging / manifest["database"]
    if manifest["engine"] == "sqlite":
        connection.ensure_connection()
        backup = sqlite3.connect(source)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
        return
    connection.close()  # our idle session must not hold locks on tables being dropped
    env, name = _pg_env()
    _run(
        [
            shutil.which("pg_restore") or "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            name,
            str(source),
        ],
        env,
    )


def _restore_media(staging: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    source = staging / "media"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    if not source.is_dir():
        return 0
    count = 0
    for path in source.rglob("*"):
        if path.is_file():
            target = root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            count += 1
    return count


def restore_backup(archive_path: Path, *, force: bool = False) -> RestoreResult:
    """Check the archive against its manifest, then put the database and files back."""
    with tempfile.TemporaryDirectory(prefix="trustdesk-restore-") as tmp:
        staging = Path(tmp)
        manifest = _extract(archive_path, staging)
        current = engine()
        if manifest["engine"] != current:
            raise BackupError(
                f"the backup is of a {manifest['engine']} database; this one is {current}"
            )
        if not force and not target_is_empty():
            raise BackupError("the target database or MEDIA_ROOT is not empty; use --force")
        _restore_database(staging, manifest)
        files = _restore_media(staging)
    migrations = sum(len(names) for names in manifest["migrations"].values())
    return RestoreResult(engine=current, files=files, migrations=migrations)
