"""Back up and restore Luneo: the database and every stored file, as one folder.

A backup folder holds ``database.dump`` (``pg_dump`` custom format, restorable with
``pg_restore``), ``files/`` (every key under ``brands/`` of the store, local or S3, copied
byte for byte) and ``manifest.json`` (when, which server, each file's size and SHA-256).
:func:`restore` loads the dump into the configured (fresh) database and puts the files into
the configured (fresh) store, checking each file against the manifest.

The PostgreSQL client programs must match the server's major version (``pg_dump`` refuses a
newer server); :func:`pg_program` picks ``/usr/lib/postgresql/<major>/bin`` for the
server's major version, falling back to the programs on ``PATH``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..core.clock import utcnow
from ..extensions import db

FILES_PREFIX = "brands/"


class BackupError(RuntimeError):
    """A backup or restore step failed (the message says which and why)."""


@dataclass(frozen=True)
class BackupReport:
    folder: str
    server_version: str
    files: int
    bytes: int


def server_major() -> int:
    """The connected PostgreSQL server's major version."""
    with db.engine.connect() as conn:
        return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def pg_program(name: str, major: int) -> str:
    """``pg_dump`` / ``pg_restore`` of the server's major version."""
    matching = glob.glob(f"/usr/lib/postgresql/{major}/bin/{name}")
    if matching:
        return matching[0]
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client-{major})")
    return found


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options and environment for the client programs, the password kept out of
    the command line (``PGPASSWORD``)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise BackupError("backups need PostgreSQL (DATABASE_URL)")
    args = ["--dbname", parsed.database or "postgres"]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(folder: str | Path) -> BackupReport:
    """Write a backup of the database and the store into ``folder`` (created; must be empty)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    major = server_major()
    args, env = _libpq(current_app.config["SQLALCHEMY_DATABASE_URI"])
    dump = target / "database.dump"
    _run(
        [pg_program("pg_dump", major), "--format=custom", "--no-owner", "--file", str(dump), *args],
        env,
    )
    storage = current_app.extensions["luneo.storage"]
    files: dict[str, dict[str, object]] = {}
    total = 0
    for key in storage.list(FILES_PREFIX):
        path = target / "files" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with path.open("wb") as out:
            for chunk in storage.stream(key):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        files[key] = {
            "size": size,
            "sha256": digest.hexdigest(),
            "type": storage.stat(key).content_type,
        }
        total += size
    manifest = {
        "createdAt": utcnow().isoformat(),
        "serverMajor": major,
        "database": dump.name,
        "databaseSha256": hashlib.sha256(dump.read_bytes()).hexdigest(),
        "files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return BackupReport(str(target), str(major), len(files), total)


def restore(folder: str | Path) -> BackupReport:
    """Restore a backup folder into the configured database (empty) and store."""
    source = Path(folder)
    manifest = json.loads((source / "manifest.json").read_text())
    dump = source / manifest["database"]
    if hashlib.sha256(dump.read_bytes()).hexdigest() != manifest["databaseSha256"]:
        raise BackupError("database.dump does not match its manifest")
    for key, meta in manifest["files"].items():
        data = (source / "files" / key).read_bytes()
        if len(data) != meta["size"] or hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise BackupError(f"file {key} does not match its manifest")
    major = server_major()
    db.engine.dispose()
    args, env = _libpq(current_app.config["SQLALCHEMY_DATABASE_URI"])
    _run(
        [
            pg_program("pg_restore", major),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env,
    )
    storage = current_app.extensions["luneo.storage"]
    total = 0
    for key, meta in manifest["files"].items():
        with (source / "files" / key).open("rb") as handle:
            storage.put(key, handle, str(meta.get("type") or "application/octet-stream"))
        total += int(meta["size"])
    return BackupReport(str(source), str(major), len(manifest["files"]), total)
