"""Row counts and checksums per table: written beside a backup, compared with the restored copy.

A table's checksum is the md5 of its rows' md5s in sorted order, each row taken as JSON: it does not depend on
the order a copy stores rows in, and it reads every value, so a damaged block fails here instead of passing.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

MANIFEST_SUFFIX = ".manifest.json"
_TABLES = ("SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
           "AND table_type = 'BASE TABLE' ORDER BY table_name")


def of_catalog(con, catalog: str) -> dict[str, dict]:
    """{table: {"rows": n, "md5": hex}} for every table of an attached catalog (names are ours, not input)."""
    result = {}
    for (table,) in con.execute(_TABLES, [catalog]).fetchall():
        rows, digest = con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
            f'FROM (SELECT md5(CAST(to_json(t) AS VARCHAR)) AS h FROM "{catalog}".main."{table}" AS t)').fetchone()
        result[table] = {"rows": rows, "md5": digest}
    return result


def of_file(path: Path) -> dict[str, dict]:
    """The fingerprints of a closed database file, read without writing to it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return of_catalog(con, con.execute("SELECT current_database()").fetchone()[0])
    finally:
        con.close()


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def write_manifest(backup: Path, tables: dict[str, dict], **about) -> Path:
    """The manifest beside the backup, readable by its owner only, like the backup itself."""
    path = manifest_path(backup)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({**about, "tables": tables}, indent=1, sort_keys=True), "utf-8")
    partial.chmod(0o600)
    partial.replace(path)
    return path


def read_manifest(backup: Path) -> dict[str, dict] | None:
    """The tables of the manifest beside `backup`, or None when there is none (a copy moved without it)."""
    path = manifest_path(backup)
    if not path.is_file():
        return None
    return json.loads(path.read_text("utf-8"))["tables"]


def differences(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """The tables whose count or checksum differ, or that are missing on one side."""
    return sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))
