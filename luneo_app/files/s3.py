"""S3-compatible object storage (AWS S3, MinIO, SeaweedFS, Cloudflare R2 ...) through boto3.

Chosen by ``STORAGE_URL=s3://bucket/prefix``. Credentials come from boto3's usual chain
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` or an instance role), never from Luneo's
settings. Downloads are presigned URLs on ``STORAGE_PUBLIC_ENDPOINT_URL`` (the address browsers
reach, which may differ from the one the app uses inside a private network). Large files go
up in parts (``STORAGE_MULTIPART_THRESHOLD``) through boto3's transfer manager.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from .storage import (
    CHUNK,
    NoSuchFile,
    StorageError,
    StorageUnavailable,
    StoredFile,
    check_key,
    origin_of,
)

log = logging.getLogger("luneo.storage")

MIN_PART = 5 * 1024 * 1024  # S3's smallest part (all but the last)
MAX_PRESIGN = 7 * 24 * 3600  # SigV4 presigned URLs live at most a week
_MISSING = {"NoSuchKey", "404", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    """``s3://bucket/prefix`` parsed: the bucket and the key prefix ("" or ending in /)."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
        prefix = parts.path.strip("/")
        return cls(parts.netloc, f"{prefix}/" if prefix else "")


@contextmanager
def mapped_errors(key: str) -> Iterator[None]:
    """Turn boto errors into the storage interface's errors."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise NoSuchFile(f"no file at {key}") from exc
        log.warning("object storage refused a request: %s", code)
        raise StorageUnavailable(
            f"File storage refused the request ({code}). Try again shortly."
        ) from exc
    except BotoCoreError as exc:  # connection refused, timeouts, closed connections
        log.warning("object storage unreachable: %s", type(exc).__name__)
        raise StorageUnavailable("File storage is unreachable. Try again shortly.") from exc


class S3Storage:
    """The storage interface on an S3 bucket, every key under the configured prefix."""

    def __init__(
        self,
        location: S3Location,
        *,
        endpoint_url: str | None = None,
        public_endpoint_url: str | None = None,
        region: str | None = None,
        path_style: bool = False,
        multipart_threshold: int = 16 * 1024 * 1024,
        default_ttl: int = 3600,
    ) -> None:
        self.location = location
        self.endpoint_url = endpoint_url
        self.public_endpoint_url = public_endpoint_url or endpoint_url
        self.region = region or "us-east-1"
        self.default_ttl = default_ttl
        self._boto_config = BotoConfig(
            region_name=self.region,
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=3,
            read_timeout=30,
        )
        self.transfer = TransferConfig(
            multipart_threshold=max(multipart_threshold, MIN_PART),
            multipart_chunksize=max(multipart_threshold, MIN_PART),
            max_concurrency=4,
        )
        self._clients: tuple[int, Any, Any] | None = None
        self._public_origin: str | None = None

    @classmethod
    def from_config(cls, config: dict) -> S3Storage:
        """Build from the app's settings."""
        return cls(
            S3Location.parse(config["STORAGE_URL"]),
            endpoint_url=config.get("STORAGE_ENDPOINT_URL"),
            public_endpoint_url=config.get("STORAGE_PUBLIC_ENDPOINT_URL"),
            region=config.get("STORAGE_REGION"),
            path_style=bool(config.get("STORAGE_PATH_STYLE")),
            multipart_threshold=config.get("STORAGE_MULTIPART_THRESHOLD") or 16 * 1024 * 1024,
            default_ttl=config["STORAGE_URL_TTL"],
        )

    # --- clients ---------------------------------------------------------------------------
    def _pair(self) -> tuple[Any, Any]:
        # One client per process: a client made before a fork (Celery prefork, gunicorn
        # preload) would share its connection pool with the parent.
        if self._clients is None or self._clients[0] != os.getpid():
            session = boto3.session.Session()
            client = session.client("s3", endpoint_url=self.endpoint_url, config=self._boto_config)
            public = session.client(
                "s3", endpoint_url=self.public_endpoint_url, config=self._boto_config
            )
            self._clients = (os.getpid(), client, public)
        return self._clients[1], self._clients[2]

    @property
    def client(self) -> Any:
        """The boto3 S3 client the app talks to the bucket with."""
        return self._pair()[0]

    @property
    def bucket(self) -> str:
        return self.location.bucket

    def object_key(self, key: str) -> str:
        """The bucket key of a storage key (the prefix in front)."""
        return self.location.prefix + check_key(key)

    # --- the storage interface ---------------------------------------------------------------
    def put(
        self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream"
    ) -> None:
        body = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
        with mapped_errors(key):
            self.client.upload_fileobj(
                body,
                self.bucket,
                self.object_key(key),
                ExtraArgs={"ContentType": content_type},
                Config=self.transfer,
            )

    def get(self, key: str) -> bytes:
        with mapped_errors(key):
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
            return answer["Body"].read()

    def stream(self, key: str) -> Iterator[bytes]:
        with mapped_errors(key):
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        return self._chunks(key, answer["Body"])

    @staticmethod
    def _chunks(key: str, body: Any) -> Iterator[bytes]:
        with mapped_errors(key):
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

    def stat(self, key: str) -> StoredFile:
        with mapped_errors(key):
            head = self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        return StoredFile(
            key,
            int(head["ContentLength"]),
            head.get("ContentType") or "application/octet-stream",
            str(head.get("ETag", "")).strip('"'),
        )

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except NoSuchFile:
            return False
        return True

    def delete(self, key: str) -> None:
        with mapped_errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def _object_keys(self, prefix: str) -> Iterator[str]:
        full = self.location.prefix + (check_key(prefix.rstrip("/")) + "/" if prefix else "")
        paginator = self.client.get_paginator("list_objects_v2")
        with mapped_errors(prefix):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for item in page.get("Contents", []):
                    yield item["Key"]

    def delete_prefix(self, prefix: str) -> int:
        keys = list(self._object_keys(prefix))
        for start in range(0, len(keys), 1000):  # DeleteObjects takes 1000 keys at most
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            with mapped_errors(prefix):
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StorageError(f"could not delete {first.get('Key')}: {first.get('Code')}")
        return len(keys)

    def list(self, prefix: str) -> list[str]:
        cut = len(self.location.prefix)
        return sorted(key[cut:] for key in self._object_keys(prefix))

    def copy(self, source: str, target: str) -> None:
        with mapped_errors(source):
            # Managed copy: server-side, in parts for large files; the content type goes along.
            self.client.copy(
                {"Bucket": self.bucket, "Key": self.object_key(source)},
                self.bucket,
                self.object_key(target),
                Config=self.transfer,
            )

    def url(self, key: str, expires_in: int | None = None, filename: str | None = None) -> str:
        params: dict[str, str] = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        public = self._pair()[1]
        ttl = min(expires_in or self.default_ttl, MAX_PRESIGN)
        return public.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl)

    @property
    def public_origin(self) -> str:
        if self._public_origin is None:
            # Where presigned URLs point (virtual-hosted or path style), read off one.
            probe = self._pair()[1].generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": "probe"}, ExpiresIn=60
            )
            self._public_origin = origin_of(probe)
        return self._public_origin

    def check(self) -> None:
        with mapped_errors(""):
            self.client.head_bucket(Bucket=self.bucket)

    def describe(self) -> str:
        where = self.endpoint_url or f"AWS {self.region}"
        return f"s3://{self.bucket}/{self.location.prefix} on {where}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
