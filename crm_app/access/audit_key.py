"""The audit chain's key: the secret of its HMAC, kept outside the store.

Whoever can write the database file can recompute plain hashes after deleting or editing events;
without the key they cannot recompute an HMAC. So the key never goes into the store: it is the
environment variable `CRM_AUDIT_KEY` (at least 32 characters), or else the key file `<db>.audit-key`
beside the store, created with owner-only permissions (0600) when the chain is first keyed.
Losing the key does not lose data, but nothing written before can be verified any more: back it up
apart from the store's backups (docs/privacy.md).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from crm_app.core.errors import CrmError

ENV = "CRM_AUDIT_KEY"
MIN_LENGTH = 32
_CHECK_TEXT = b"crm audit key check"


def key_file(store_path: str | Path) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".audit-key")


def store_path(cur) -> Path:
    """The database file a cursor works on (the key and the exported heads live beside it)."""
    (path,) = cur.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(path)


def load(path: str | Path) -> bytes | None:
    """The configured key, or None when there is none (no variable, no key file)."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        try:
            value = key_file(path).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
    if len(value) < MIN_LENGTH:
        raise CrmError("audit_key_too_short", length=MIN_LENGTH)
    return value.encode("utf-8")


def create(path: str | Path) -> bytes:
    """A new random key in the key file, readable by its owner only; never replaces an existing file."""
    target = key_file(path)
    value = secrets.token_hex(32)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    with contextlib.suppress(OSError):
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return value.encode("ascii")


def check_value(key: bytes) -> str:
    """What the audit head stores to recognise its key (an HMAC of a fixed text; reveals nothing of the key)."""
    return hmac.new(key, _CHECK_TEXT, hashlib.sha256).hexdigest()
