"""Copy a local storage folder into the S3 bucket, verify every file, and be safe to resume.

A file already in the bucket with the same bytes is skipped, so an interrupted run is
simply started again. "Same bytes" is checked with the object's ETag, which S3 and the
S3-compatible servers compute as the MD5 of a one-part upload, or the MD5 of the parts'
MD5s followed by ``-N`` for a multipart one; where the ETag is neither (server-side KMS
encryption) the object is read back and compared.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .s3 import S3Storage
from .storage import NoSuchFile, StorageError, StoredFile, check_key, guess_type

_MD5_ETAG = re.compile(r"^[0-9a-f]{32}(-\d+)?$")


@dataclass
class MigrationReport:
    """What a run did: files copied, already there, and those that failed."""

    copied: int = 0
    skipped: int = 0
    bytes_copied: int = 0
    failed: list[str] = field(default_factory=list)


def local_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(key, path)`` of every stored file under a local storage folder, in key order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".tmp-"):
            yield path.relative_to(root).as_posix(), path


def expected_etag(path: Path, multipart: bool, part_size: int) -> str:
    """The ETag S3 gives this file uploaded in one part, or in parts of ``part_size``."""
    if not multipart:
        return _md5_file(path).hexdigest()
    digests = []
    with path.open("rb") as handle:
        while part := handle.read(part_size):
            digests.append(hashlib.md5(part, usedforsecurity=False).digest())
    whole = hashlib.md5(b"".join(digests), usedforsecurity=False).hexdigest()
    return f"{whole}-{len(digests)}"


def _md5_file(path: Path):  # type: ignore[no-untyped-def]
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest


def same_file(storage: S3Storage, key: str, path: Path, remote: StoredFile) -> bool:
    """True when the object under ``key`` holds exactly the bytes of ``path``."""
    if remote.size != path.stat().st_size:
        return False
    etag = remote.etag.lower()
    if _MD5_ETAG.match(etag):
        part_size = storage.transfer.multipart_chunksize
        return etag == expected_etag(path, "-" in etag, part_size)
    local = hashlib.sha256(path.read_bytes()).hexdigest()
    remote_sha = hashlib.sha256()
    for chunk in storage.stream(key):
        remote_sha.update(chunk)
    return remote_sha.hexdigest() == local


def migrate_folder(
    root: Path, storage: S3Storage, progress: Callable[[str], None] = lambda _line: None
) -> MigrationReport:
    """Copy every file of ``root`` to ``storage`` unless it is already there; verify each."""
    report = MigrationReport()
    for key, path in local_files(root):
        try:
            check_key(key)
            try:
                remote: StoredFile | None = storage.stat(key)
            except NoSuchFile:
                remote = None
            if remote is not None and same_file(storage, key, path, remote):
                report.skipped += 1
                continue
            with path.open("rb") as handle:
                storage.put(key, handle, guess_type(key))
            if not same_file(storage, key, path, storage.stat(key)):
                raise StorageError("the bucket's copy differs from the local file")
        except StorageError as exc:
            report.failed.append(key)
            progress(f"FAILED {key}: {exc}")
            continue
        report.copied += 1
        report.bytes_copied += path.stat().st_size
        progress(f"copied {key}")
    return report
