"""Exports of persons, networks, members and waiting lists as CSV, XLSX or JSON.

Spreadsheet programs run a cell that starts with =, +, -, @, tab or CR as a formula, so every such
text cell is prefixed with an apostrophe (CSV and XLSX, through crm_app.core.cells), and XLSX is written with xlsxwriter's
`strings_to_formulas` off: the file contains no formula at all. Every export is audited.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions
from crm_app.core.cells import csv_bytes, neutralise

__all__ = ["FORMATS", "KINDS", "csv_bytes", "neutralise", "render", "table", "write"]

KINDS = ("persons", "networks", "members", "waitlist")
FORMATS = ("csv", "xlsx", "json")

_QUERIES = {
    "persons": """
        SELECT p.id, p.given_name, p.family_name, p.phone_e164, p.email, p.preferred_language, s.stage,
               (SELECT kind FROM person_source ps WHERE ps.person_id = p.id ORDER BY ps.recorded_utc, ps.id LIMIT 1)
                   AS first_source, p.created_utc
        FROM person p JOIN person_stage s ON s.person_id = p.id ORDER BY p.id""",
    "networks": """
        SELECT n.id, n.name, n.kind, n.min_places, n.max_places, n.term_months, n.max_consecutive_terms,
               n.rest_months, n.meeting_cadence,
               (SELECT count(*) FROM membership m WHERE m.network_id = n.id AND m.actual_end_date IS NULL) AS members,
               (SELECT count(*) FROM offer o WHERE o.network_id = n.id AND o.status = 'open') AS on_offer
        FROM network n ORDER BY n.name""",
    "members": """
        SELECT n.name AS network, m.person_id, p.given_name, p.family_name, m.start_date, m.planned_end_date,
               m.term_number
        FROM membership m JOIN network n ON n.id = m.network_id JOIN person p ON p.id = m.person_id
        WHERE m.actual_end_date IS NULL ORDER BY n.name, m.planned_end_date""",
    "waitlist": """
        SELECT n.name AS network,
               row_number() OVER (PARTITION BY w.network_id ORDER BY w.joined_utc, w.id) AS position,
               w.person_id, p.given_name, p.family_name, w.joined_utc, w.last_check_utc
        FROM waitlist_entry w JOIN network n ON n.id = w.network_id JOIN person p ON p.id = w.person_id
        WHERE w.status = 'waiting' ORDER BY n.name, position""",
}


def table(store, actor: Actor, kind: str) -> pd.DataFrame:
    permissions.require(actor.role, "data.export")
    if kind not in KINDS:
        raise ValueError(kind)
    with store.read() as cur:
        frame = cur.execute(_QUERIES[kind]).df()
    return frame


def render(store, actor: Actor, kind: str, fmt: str) -> bytes:
    """One export as the bytes of its file (a screen's download); audited, its content is not."""
    return _audited(store, actor, kind, fmt)[0]


def write(store, actor: Actor, kind: str, fmt: str, path: str | Path) -> int:
    """Write one export to `path`; returns the number of rows."""
    data, rows = _audited(store, actor, kind, fmt)
    Path(path).write_bytes(data)
    return rows


def _audited(store, actor: Actor, kind: str, fmt: str) -> tuple[bytes, int]:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    frame = table(store, actor, kind)
    if fmt == "csv":
        data = frame.map(neutralise).to_csv(index=False).encode("utf-8")
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="xlsxwriter",
                            engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as xl:
            frame.map(neutralise).to_excel(xl, index=False, sheet_name=kind)
        data = buffer.getvalue()
    else:
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        data = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")

    def work(cur):
        audit.record(cur, actor, f"export.{kind}", None, None, f"rows={len(frame)} format={fmt}")

    store.write(work)
    return data, len(frame)
