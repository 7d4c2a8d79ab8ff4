"""Small-cell suppression: no output shows a count of persons between 1 and k−1.

Every count a dashboard shows passes through here, and only the result of this module reaches a
table, a chart's data, a tooltip, a CSV or a PNG.

- Primary suppression: a cell of 1..k−1 persons is hidden and shows "<k".
- Secondary suppression: when the total of a table is shown, the hidden cells add up to
  total − sum(shown). More cells are hidden (smallest first, shown as "×") until no hidden cell
  can be pinned to one value from the shown cells, the total and what an onlooker knows about
  hidden cells (a "<k" cell holds 1..k−1, a "×" cell at least k). When even that is not enough,
  the whole table is withheld.
- Linked suppression (differencing): a filtered table (a subset of a wider one, e.g. one
  municipality of a network) also hides the cells where the part left out by the filter holds
  1..k−1 persons, and every cell the wider table hides; a filter that leaves out 1..k−1 persons
  as a whole is withheld. So the difference between two filter results never shows a small
  group — not one person either.
- Percentages are computed from shown cells over the shown total only; a hidden cell has none.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

PRIMARY = "primary"        # 1..k−1 persons
SECONDARY = "secondary"    # hidden so that a primary cell cannot be worked out
SHOWN = "shown"


def hidden_text(k: int) -> str:
    return f"<{k}"


SECONDARY_TEXT = "×"


def any_hidden(texts, k: int) -> bool:
    """Whether any of these shown cell texts is a hidden count ("<k" or "×")."""
    return any(text in (hidden_text(k), SECONDARY_TEXT) for text in texts)


@dataclass
class Table:
    """One suppressed table of counts: category → count. Only `shown_counts()` may leave this module."""
    k: int
    categories: list[str]
    _counts: list[int] = field(repr=False)
    status: list[str]
    total: int | None            # the shown total (None: not shown)
    additive: bool = True        # cells partition the total (False: a person may count in several cells)
    withheld: bool = False       # nothing of this table may be shown

    def shown_counts(self) -> list[int | None]:
        """The counts to show, None where hidden. Everything is None when the table is withheld."""
        if self.withheld:
            return [None] * len(self.categories)
        return [c if s == SHOWN else None for c, s in zip(self._counts, self.status)]

    def texts(self) -> list[str]:
        if self.withheld:
            return [SECONDARY_TEXT] * len(self.categories)
        return [str(c) if s == SHOWN else hidden_text(self.k) if s == PRIMARY else SECONDARY_TEXT
                for c, s in zip(self._counts, self.status)]

    def shares(self) -> list[float | None]:
        """Share of the shown total (0..1), only for shown cells of a table with a shown total."""
        if self.withheld or not self.total:
            return [None] * len(self.categories)
        return [None if c is None else c / self.total for c in self.shown_counts()]

    @property
    def shown_total(self) -> int | None:
        return None if self.withheld else self.total

    def frame(self) -> pd.DataFrame:
        """category, count (None if hidden), text ("12", "<5", "×"), share: the table as it may be shown."""
        return pd.DataFrame({"category": self.categories, "count": pd.array(self.shown_counts(), dtype="Int64"),
                             "text": self.texts(), "share": pd.array(self.shares(), dtype="Float64")})


# -- what an onlooker can work out -------------------------------------------------------------------
def _bounds(status: str, k: int, upper: int | None) -> tuple[float, float]:
    low, high = (1, k - 1) if status == PRIMARY else (k, math.inf)
    if upper is not None:
        high = min(high, upper)
    return low, high


def ranges(counts: list[int], status: list[str], total: int | None, k: int,
           upper: list[int | None] | None = None) -> dict[int, tuple[float, float]]:
    """For each hidden cell: the smallest and largest value consistent with what is shown.

    An onlooker knows the shown cells, the total (if shown: hidden cells then sum to
    total − sum(shown)), that a "<k" cell holds 1..k−1 and a "×" cell at least k, and, from a
    wider table, upper bounds per cell (`upper`). One linear equation with box bounds: the range
    of a cell is the box intersected with what the others leave over.
    """
    hidden = [i for i, s in enumerate(status) if s != SHOWN]
    box = {i: _bounds(status[i], k, upper[i] if upper else None) for i in hidden}
    if total is None:
        return box
    rest = total - sum(c for c, s in zip(counts, status) if s == SHOWN)
    out = {}
    for i in hidden:
        lo, hi = box[i]
        others_low = sum(box[j][0] for j in hidden if j != i)
        others_high = sum(box[j][1] for j in hidden if j != i)      # inf - inf never happens this way
        out[i] = (max(lo, rest - others_high), min(hi, rest - others_low))
    return out


def pinned(counts, status, total, k, upper=None) -> list[int]:
    """The hidden cells an onlooker can pin down to one value. A "<k" cell pinned shows its small count;
    a "×" cell pinned would show the small difference it was hidden for, so neither may be."""
    return [i for i, (lo, hi) in ranges(counts, status, total, k, upper).items() if math.floor(hi) <= math.ceil(lo)]


# -- suppression ---------------------------------------------------------------------------------------
def suppress(categories, counts, k: int, *, total: int | None = None, additive: bool = True,
             wider: Table | None = None, wider_counts: list[int] | None = None) -> Table:
    """Suppress one table of counts.

    `total`: the population total shown with the table (for an additive table it is the sum of the
    cells; pass it explicitly when it is shown). `wider`: the suppressed table this one is a subset
    of (the same categories), with `wider_counts` its true counts — for linked suppression.
    """
    categories = list(categories)
    counts = [int(c) for c in counts]
    if k < 2:
        raise ValueError("k must be at least 2")
    if additive and total is None:
        total = sum(counts)
    table = Table(k, categories, counts, [SHOWN] * len(counts), total, additive)
    if total is not None and 1 <= total <= k - 1:
        table.withheld = True
        return table
    upper = None
    if wider is not None:
        if wider.withheld:
            table.withheld = True
            return table
        wider_total = wider.total if wider.total is not None else sum(wider_counts)
        if total is not None and 1 <= wider_total - total <= k - 1:
            table.withheld = True          # the filter leaves out a small group: the difference would show it
            return table
        upper = wider.shown_counts()
    status = table.status
    for i, c in enumerate(counts):
        if 1 <= c <= k - 1:
            status[i] = PRIMARY
        elif wider is not None and c > 0:
            left_out = wider_counts[i] - c
            if wider.status[i] != SHOWN or 1 <= left_out <= k - 1:
                status[i] = SECONDARY
    if not additive or total is None:
        return table
    while True:
        if not any(s != SHOWN for s in status):
            return table
        if not pinned(counts, status, total, k, upper):
            return table
        candidates = [i for i, (c, s) in enumerate(zip(counts, status)) if s == SHOWN and c > 0]
        if not candidates:
            table.withheld = True
            return table
        status[min(candidates, key=lambda i: (counts[i], i))] = SECONDARY


def suppress_series(values: pd.Series, k: int, *, total: int | None = None, additive: bool = True,
                    wider: Table | None = None, wider_counts: list[int] | None = None) -> Table:
    """`suppress` for a Series indexed by category."""
    return suppress([str(i) for i in values.index], values.tolist(), k, total=total, additive=additive,
                    wider=wider, wider_counts=wider_counts)


def median_if_enough(values, k: int) -> float | None:
    """A median is shown only when at least k persons are behind it."""
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if len(values) < k:
        return None
    return float(pd.Series(values).median())


def nested_counts(counts: list[int], k: int) -> list[int | None]:
    """A funnel row: each count a subset of the one before. A count is shown only when it is 0 or at
    least k and differs from the last shown count by 0 or at least k, so the drop between two shown
    steps never shows a small group."""
    shown: list[int | None] = []
    last = None
    for c in counts:
        ok = not (1 <= c <= k - 1) and (last is None or not (1 <= last - c <= k - 1))
        shown.append(c if ok else None)
        if ok:
            last = c
    return shown
