"""Spreadsheet cells that stay text: the one formula neutraliser of every file the CRM writes.

Spreadsheet programs run a cell that starts with =, +, -, @, tab or CR as a formula, so every such
text cell gets a leading apostrophe. Exports, screen downloads and the rejected rows of an import use it.
"""
from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as a CSV download, every cell neutralised: screens offer downloads of names and
    network names typed by staff, and a spreadsheet must not run one as a formula."""
    return frame.map(neutralise).to_csv(index=False).encode("utf-8")


def restore(value: str) -> str:
    """A cell as it was before `neutralise`: a file of rejected rows, corrected and imported again, must
    not get an apostrophe in front of a phone number."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
