"""Prepare a bucket for Luneo: create it, let the widget's origin fetch files (CORS), and
clean up abandoned multipart uploads (lifecycle). Safe to run again: it converges."""

from __future__ import annotations

from botocore.exceptions import ClientError

from .s3 import S3Storage, mapped_errors
from .storage import origin_of

ABANDONED_UPLOAD_DAYS = 1


def cors_origins(app_url: str, extra: str) -> list[str]:
    """The app's own origin (the widget iframe and admin) plus the configured ones."""
    origins = [origin_of(app_url)]
    for item in extra.split(","):
        origin = origin_of(item.strip()) if item.strip() != "*" else "*"
        if origin and origin not in origins:
            origins.append(origin)
    return [o for o in origins if o]


def setup_bucket(storage: S3Storage, origins: list[str]) -> list[str]:
    """Create the bucket when missing, set its CORS rules and lifecycle; returns what it did."""
    client, bucket, done = storage.client, storage.bucket, []
    with mapped_errors(""):
        try:
            client.head_bucket(Bucket=bucket)
            done.append(f"bucket {bucket}: exists")
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) not in ("404", "NoSuchBucket"):
                raise
            args: dict = {"Bucket": bucket}
            if storage.region != "us-east-1":
                args["CreateBucketConfiguration"] = {"LocationConstraint": storage.region}
            client.create_bucket(**args)
            done.append(f"bucket {bucket}: created")
        client.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": origins,
                        "AllowedMethods": ["GET", "HEAD"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag", "Content-Length", "Content-Type"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
        done.append(f"CORS: GET/HEAD from {', '.join(origins)}")
        try:
            client.put_bucket_lifecycle_configuration(
                Bucket=bucket,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": "luneo-abandoned-uploads",
                            "Status": "Enabled",
                            "Filter": {"Prefix": storage.location.prefix},
                            "AbortIncompleteMultipartUpload": {
                                "DaysAfterInitiation": ABANDONED_UPLOAD_DAYS
                            },
                        }
                    ]
                },
            )
            done.append(f"lifecycle: unfinished uploads aborted after {ABANDONED_UPLOAD_DAYS} day")
        except ClientError as exc:
            # Some S3-compatible servers do not implement lifecycle rules; files are still
            # fine, only abandoned parts stay until removed by hand.
            code = exc.response.get("Error", {}).get("Code")
            done.append(f"lifecycle: not set ({code}); this server does not take lifecycle rules")
    return done
