"""The rows an import did not take, as a file to correct and import again.

The file has the original columns (cells as read, formulas neutralised) and one more column with the
reason in the user's language. Imported again, that column maps to nothing and is left out.
"""
from __future__ import annotations

import pandas as pd

from crm_app.core import i18n
from crm_app.core.cells import csv_bytes
from crm_app.people.imports.batch import Report, RowResult

REFUSED = ("rejected", "duplicate")


def reason(result: RowResult, lang: str = i18n.DEFAULT_LANG) -> str:
    """Why a row was not taken, in one line: each field and its problem, or whom it may duplicate."""
    if result.status == "rejected":
        parts = []
        for error in result.errors:
            text = i18n.error_text(error, lang)
            parts.append(text if error.field in ("row", "map") else f"{field_label(error.field, lang)}: {text}")
        return " ".join(parts)
    if result.status == "duplicate":
        parts = []
        if result.persons:
            parts.append(i18n.t("import.reason_person", lang, ids=", ".join(str(p) for p in result.persons)))
        if result.rows:
            parts.append(i18n.t("import.reason_row", lang, rows=", ".join(str(r) for r in result.rows)))
        return "; ".join(parts)
    return ""


def field_label(name: str, lang: str) -> str:
    return i18n.t(f"field.{name}", lang)


def frame(report: Report, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    """The refused rows: their row number, their cells and the reason."""
    sheet = report.sheet
    index = {number: position for position, number in enumerate(sheet.numbers)}
    records = [[*sheet.rows[index[result.row]], reason(result, lang)]
               for result in report.results if result.status in REFUSED]
    column = i18n.t("import.reason_column", lang)
    return pd.DataFrame(records, columns=[*sheet.headers, column])


def csv_file(report: Report, lang: str = i18n.DEFAULT_LANG) -> bytes:
    """The refused rows as CSV (UTF-8 with a BOM, so Excel shows accents right)."""
    return b"\xef\xbb\xbf" + csv_bytes(frame(report, lang))
