"""Long lists as one table with row selection, and one place for the actions on the picked row.

A page never draws widgets per row of an unbounded list: every Streamlit widget copies the whole session
state, so a list with a popover, a radio and a text input per row took 33 s per rerun at 1,000 rows. A
list is one st.dataframe (sortable by its headers, searched by the page's search field) and the actions
for the picked row sit below it.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

import pandas as pd
import streamlit as st

from crm_app.people.names import fold

Row = TypeVar("Row")
_NOT_DIGIT = str.maketrans("", "", "+-() ./")


def picked(key: str, frame: pd.DataFrame, ids: Sequence[Hashable], *, column_config: dict | None = None,
           select: Hashable | None = None, clear: Iterable[str] = ()) -> Hashable | None:
    """Draw `frame` (row i is the record `ids[i]`) as a table with single-row selection; return the picked id.

    The selection is a row number. When the rows shown change (another network, a search, a row gone after
    an action), a remembered number would point at someone else, so the selection is dropped. `select`
    picks a record when the table is drawn afresh (a link that names it, the only row); `clear` are the
    action widgets, emptied when another record is picked so nothing typed for one person is saved for the next.
    """
    state = st.session_state
    shown = hash(tuple(ids))
    if key not in state or state.get(f"{key}_rows") != shown:   # not in state: the page was left, or first drawn
        state[f"{key}_rows"] = shown
        rows = [ids.index(select)] if select in ids else []
        state[key] = {"selection": {"rows": rows, "columns": []}}
    event = st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", hide_index=True,
                         width="stretch", column_config=column_config)
    rows = [i for i in event.selection.rows if 0 <= i < len(ids)]
    chosen = ids[rows[0]] if rows else None
    if state.get(f"{key}_picked") != chosen:
        state[f"{key}_picked"] = chosen
        for widget in clear:
            state.pop(widget, None)
    return chosen


def call_column(header: str) -> st.column_config.LinkColumn:
    """A `tel:` link (crm_app.core.fields.tel_url) shown as a phone icon that dials on a tap. The number itself
    goes in a text column beside it: a link's text taken from its address would lose the "+" (Streamlit
    reads a "+" in a link as a space)."""
    return st.column_config.LinkColumn(header, display_text=":material/call:", width="small")


def search(rows: Iterable[Row], query: str, name_of: Callable[[Row], str],
           phone_of: Callable[[Row], str | None] = lambda _row: None) -> list[Row]:
    """The rows whose name holds every word of `query` (any script, any case), or whose phone holds its digits."""
    words = fold(query).split()
    digits = query.translate(_NOT_DIGIT)
    if not words and not digits:
        return list(rows)
    if digits.isdigit():
        return [row for row in rows if digits.lstrip("0") in (phone_of(row) or "")]
    return [row for row in rows if all(word in fold(name_of(row)) for word in words)]
