"""Bulk inserts through Arrow: many rows in one statement, for the demo store and the benchmarks.

No audit row per row and no validation here: the callers validate (or build valid rows) first.
"""
from __future__ import annotations

import pyarrow as pa

# the person table's columns a bulk insert writes, with their Arrow types
PERSON_COLUMNS = (
    ("id", pa.int64()), ("given_name", pa.string()), ("family_name", pa.string()),
    ("phone_e164", pa.string()), ("phone_country", pa.string()), ("email", pa.string()),
    ("preferred_language", pa.string()), ("other_languages", pa.list_(pa.string())), ("note", pa.string()),
    ("stage_manual", pa.string()), ("gender", pa.string()), ("birth_year", pa.int32()),
    ("country_of_origin", pa.string()), ("education_level", pa.string()), ("municipality", pa.string()),
    ("district", pa.string()), ("arrival_year", pa.int32()), ("integration_route", pa.string()),
    ("email_key", pa.string()), ("given_key", pa.string()), ("family_key", pa.string()),
    ("name_block", pa.string()), ("family_year_block", pa.string()), ("created_utc", pa.timestamp("us")),
    ("updated_utc", pa.timestamp("us")), ("created_by", pa.int64()),
)


def reserve_ids(cur, sequence: str, n: int) -> list[int]:
    """`n` fresh values of a sequence, ascending (so bulk-inserted rows never collide with later inserts)."""
    if n == 0:
        return []
    rows = cur.execute("SELECT nextval(?) AS v FROM range(?) ORDER BY v", [sequence, n]).fetchnumpy()
    return rows["v"].tolist()


def arrow_table(columns, rows: list[dict]) -> pa.Table:
    """Dict rows as an Arrow table with the given (name, type) columns; missing keys are NULL."""
    return pa.table({name: pa.array([row.get(name) for row in rows], type=kind) for name, kind in columns})


_BULK_TABLES = frozenset({"person", "person_source", "consent", "activity", "waitlist_entry"})


def insert_arrow(cur, table: str, columns, rows: list[dict] | pa.Table) -> int:
    """Insert dict rows (or an Arrow table) into `table` in one statement through Arrow."""
    if len(rows) == 0:
        return 0
    names = [name for name, _ in columns]
    # Identifiers cannot be parameters: they are checked against the schema instead (never user input).
    known = {r[0] for r in cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                       [table]).fetchall()}
    if table not in _BULK_TABLES or not set(names) <= known:
        raise ValueError(f"bulk insert into an unknown table or column: {table}")
    arrow = rows if isinstance(rows, pa.Table) else arrow_table(columns, rows)
    view = f"_bulk_{table}"
    cur.register(view, arrow)
    try:
        cur.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {view}")
    finally:
        cur.unregister(view)
    return len(rows)


def bulk_insert_persons(cur, rows: list[dict] | pa.Table) -> list[int]:
    """Insert person rows (from `crm_app.demo.people.person_row`, or `arrow_table(PERSON_COLUMNS, rows)`) in one statement.

    Ids come from the person sequence, so later registrations never collide; returns them in row order.
    """
    ids = reserve_ids(cur, "person_id_seq", len(rows))
    if isinstance(rows, pa.Table):
        rows = rows.set_column(rows.schema.get_field_index("id"), "id", pa.array(ids, type=pa.int64()))
    else:
        for row, new_id in zip(rows, ids):
            row["id"] = new_id
    insert_arrow(cur, "person", PERSON_COLUMNS, rows)
    return ids
