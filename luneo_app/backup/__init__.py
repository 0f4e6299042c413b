"""Backups: the PostgreSQL database (``pg_dump``) and the object store, restored together."""
