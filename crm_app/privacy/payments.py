"""The monthly payment list of reimbursements for the finance department, as CSV or XLSX.

One row per reimbursement (person, meeting), amounts as exact decimals with a point (`12.50`) so that
finance software reads them the same in every locale; XLSX cells are numbers shown with two decimals.
Text cells are neutralised like every file written (crm_app.core.cells), and the list is audited.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import i18n
from crm_app.core.cells import neutralise
from crm_app.core.fields import display_name
from crm_app.networks import reimbursements

FORMATS = ("csv", "xlsx")
_COLUMNS = ("person_id", "name", "network", "meeting_date", "travel", "allowance", "total", "override_reason")


def frame(store, actor: Actor, month: dt.date, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    rows = reimbursements.payment_list(store, actor, month)
    data = {column: [display_name(r["given_name"], r["family_name"]) if column == "name" else r[column]
                     for r in rows] for column in _COLUMNS}
    table = pd.DataFrame(data, columns=list(_COLUMNS))
    return table.rename(columns={c: i18n.t(f"payments.col.{c}", lang) for c in _COLUMNS})


def to_bytes(table: pd.DataFrame, fmt: str) -> bytes:
    safe = table.map(neutralise)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(fmt)
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as xl:
        safe.to_excel(xl, index=False, sheet_name="payments")
        sheet, book = xl.sheets["payments"], xl.book
        euros = book.add_format({"num_format": "#,##0.00"})
        for index in (4, 5, 6):   # travel, allowance, total
            sheet.set_column(index, index, 12, euros)
    return out.getvalue()


def make(store, actor: Actor, month: dt.date, fmt: str, lang: str = i18n.DEFAULT_LANG) -> tuple[bytes, int]:
    """The list as file bytes and its number of rows; audited (month, rows and format, never the content)."""
    table = frame(store, actor, month, lang)
    data = to_bytes(table, fmt)
    store.write(lambda cur: audit.record(cur, actor, "export.payments", None, None,
                                         f"month={month:%Y-%m} rows={len(table)} format={fmt}"))
    return data, len(table)


def write(store, actor: Actor, month: dt.date, path: str | Path, lang: str = i18n.DEFAULT_LANG) -> int:
    """Write the list to `path`: XLSX when its name ends in .xlsx, CSV otherwise; returns the number of rows."""
    path = Path(path)
    data, rows = make(store, actor, month, "xlsx" if path.suffix.lower() == ".xlsx" else "csv", lang)
    path.write_bytes(data)
    return rows
