"""A spreadsheet file as a header and rows of text, whatever program wrote it.

The kind is decided by the bytes, not the name: an XLSX is a ZIP holding `xl/workbook.xml`; anything
else must be text. Text encodings come from coaches' and partners' programs: UTF-8 with or without a
BOM, UTF-16 (Excel's "Unicode text", with a BOM or recognised by its zero bytes) and Windows-1252
(older Excel on Windows). The separator is `,`, `;` or a tab, whichever splits the header best; quoted
cells may hold line breaks. A file over the limits is refused before it is read whole, with the limit
in the message; every other problem is an `ImportRefused` too, never a traceback.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass

from crm_app.core.errors import CrmError

MAX_BYTES = 30 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 60
SEPARATORS = (",", ";", "\t")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"   # the old binary .xls


class ImportRefused(CrmError):
    """The file cannot be imported at all (too large, not a spreadsheet, empty); nothing was stored."""


@dataclass
class Sheet:
    """The file's header and its data rows (text, padded to the header's width), and how it was read."""
    kind: str                 # "csv" or "xlsx"
    encoding: str | None
    separator: str | None
    headers: list[str]
    rows: list[list[str]]
    numbers: list[int]        # each row's number as a spreadsheet shows it (the header is row 1)
    overflowing: frozenset[int] = frozenset()   # rows (0-based) with filled cells beyond the header


def read(data: bytes, *, max_rows: int = MAX_ROWS) -> Sheet:
    if len(data) > MAX_BYTES:
        raise ImportRefused("import_too_large", count=MAX_BYTES // (1024 * 1024))
    if not data.strip(b"\x00\t\r\n \xef\xbb\xbf\xff\xfe"):
        raise ImportRefused("import_empty")
    if data.startswith(_ZIP_MAGIC):
        sheet = _read_xlsx(data, max_rows)
    elif data.startswith(_OLE_MAGIC):
        raise ImportRefused("import_old_excel")
    else:
        sheet = _read_text(data, max_rows)
    return sheet


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was written in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data[:4000]
    if len(head) >= 2 and head.count(0) * 3 >= len(head):   # UTF-16 without a BOM: every other byte zero
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in head:
        raise ImportRefused("import_not_spreadsheet")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _separator(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max(SEPARATORS, key=lambda sep: (first.count(sep), -SEPARATORS.index(sep)))


def _read_text(data: bytes, max_rows: int) -> Sheet:
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")
    separator = _separator(text)
    try:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        table = _limited(records, max_rows)
    except csv.Error as exc:
        raise ImportRefused("import_not_spreadsheet") from exc
    return _sheet("csv", encoding, separator, table)


def _read_xlsx(data: bytes, max_rows: int) -> Sheet:
    from openpyxl import load_workbook  # only when an XLSX comes in: it takes a while to import

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise ImportRefused("import_not_spreadsheet")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ImportRefused:
        raise
    except Exception as exc:   # a damaged or foreign ZIP: openpyxl raises many kinds
        raise ImportRefused("import_not_spreadsheet") from exc
    try:
        sheet = book.worksheets[0]
        rows = ([_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True))
        table = _limited(rows, max_rows)
    finally:
        book.close()
    return _sheet("xlsx", None, None, table)


def _cell_text(value) -> str:
    """A cell as text; a formula stays its text (it is never run) and validation refuses it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _limited(records, max_rows: int) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) up to the limit plus the header; blank rows dropped. More rows:
    refused, never cut."""
    table = []
    for number, record in enumerate(records, start=1):
        if not any(cell.strip() for cell in record):
            continue
        if len(table) > max_rows:
            raise ImportRefused("import_too_many_rows", count=max_rows)
        if len(record) > MAX_COLUMNS:
            raise ImportRefused("import_too_many_columns", count=MAX_COLUMNS)
        table.append((number, record))
    return table


def _unique(headers: list[str]) -> list[str]:
    """Every column a name of its own: an empty header becomes its position, a repeated one gets a number."""
    seen: dict[str, int] = {}
    named = []
    for position, header in enumerate(headers, start=1):
        name = header or f"({position})"
        seen[name] = seen.get(name, 0) + 1
        named.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return named


def _sheet(kind: str, encoding: str | None, separator: str | None, table: list[tuple[int, list[str]]]) -> Sheet:
    if not table:
        raise ImportRefused("import_empty")
    headers = _unique([cell.strip() for cell in table[0][1]])
    width = len(headers)
    body = table[1:]
    rows = [(row + [""] * (width - len(row)))[:width] for _, row in body]
    overflowing = frozenset(i for i, (_, row) in enumerate(body) if any(cell.strip() for cell in row[width:]))
    return Sheet(kind, encoding, separator, headers, rows, [number for number, _ in body], overflowing)
