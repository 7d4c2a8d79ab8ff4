"""Small-cell suppression as an onlooker would attack it: random populations and values of k.

- no shown count of 1..k−1, in the table, its CSV, or a chart's inline data;
- no hidden cell can be pinned to one value from the shown cells and total (the onlooker is
  assumed to know that "<k" holds 1..k−1 and "×" at least k) — checked here by enumerating the
  sums the other hidden cells can make, independently of crm_app.insight.suppression.ranges;
- a filter result and a wider one never differ by a small group, so two filters that differ by
  one person never reveal that person;
- two released points of the membership history never differ by 1..k−1 persons.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crm_app.insight import suppression
from crm_app.insight.funnel import funnel_table
from crm_app.insight.history import MemberHistory, month_ends
from crm_app.insight.population import suppress_population
from crm_app.insight.suppression import PRIMARY, SECONDARY, SHOWN
from crm_app.privacy import exports

ks = st.integers(min_value=3, max_value=8)
cells = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=7)
# small groups are where it matters: most cells small
N = settings.default.max_examples   # the Hypothesis profile's count (tests/conftest.py): 200 in ci, 30 in dev
small_cells = st.lists(st.one_of(st.integers(0, 9), st.integers(0, 40)), min_size=1, max_size=7)


def reachable_sums(boxes: list[tuple[int, int]]) -> set[int]:
    sums = {0}
    for low, high in boxes:
        sums = {s + v for s in sums for v in range(low, high + 1)}
    return sums


def feasible_values(table: suppression.Table, counts: list[int], cap: int) -> dict[int, set[int]]:
    """What an onlooker can conclude about each hidden cell, by brute force (values capped at `cap`)."""
    k = table.k
    shown = table.shown_counts()
    hidden = [i for i, v in enumerate(shown) if v is None]
    boxes = {i: (1, k - 1) if table.texts()[i] == f"<{k}" else (k, cap) for i in hidden}
    if table.shown_total is None:
        return {i: set(range(boxes[i][0], boxes[i][1] + 1)) for i in hidden}
    rest = table.shown_total - sum(v for v in shown if v is not None)
    out = {}
    for i in hidden:
        others = reachable_sums([boxes[j] for j in hidden if j != i])
        out[i] = {v for v in range(boxes[i][0], boxes[i][1] + 1) if rest - v in others}
    return out


def assert_safe(table: suppression.Table, counts: list[int]) -> None:
    k = table.k
    for value in table.shown_counts():
        assert value is None or not 1 <= value <= k - 1
    if table.shown_total is not None:
        assert not 1 <= table.shown_total <= k - 1
    frame = table.frame()
    for value in frame["count"].dropna():
        assert not 1 <= int(value) <= k - 1
    assert set(frame.loc[frame["count"].isna(), "text"]) <= {f"<{k}", "×"}
    if table.withheld:
        assert frame["count"].isna().all() and table.shown_total is None
        return
    for i, values in feasible_values(table, counts, cap=max(counts) + k).items():
        assert counts[i] in values, "the true value is consistent with what is shown"
        assert len(values) >= 2, f"hidden cell {i} ({counts[i]}) pinned from the margins: {values}"


@pytest.mark.slow
@settings(max_examples=2 * N, deadline=None)
@given(counts=small_cells, k=ks)
def test_no_small_count_is_shown_and_no_hidden_cell_is_pinned_by_the_total(counts, k):
    table = suppression.suppress([f"c{i}" for i in range(len(counts))], counts, k)
    assert_safe(table, counts)
    for count, status in zip(counts, table.status):
        if 1 <= count <= k - 1:
            assert status == PRIMARY or table.withheld


@settings(max_examples=N, deadline=None)
@given(counts=small_cells, k=ks)
def test_a_table_without_a_total_hides_only_the_small_cells(counts, k):
    table = suppression.suppress([f"c{i}" for i in range(len(counts))], counts, k, additive=False)
    assert [s == PRIMARY for s in table.status] == [1 <= c <= k - 1 for c in counts]
    assert_safe(table, counts)


# -- populations with a filter ------------------------------------------------------------------------
people = st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=0, max_size=60)


def tables_for(population, k):
    """The wider table (everyone) and the filtered one (those with the flag), suppressed as the dashboards do."""
    categories = [f"c{i}" for i in range(5)]
    wide = [sum(1 for c, _ in population if c == i) for i in range(5)]
    narrow = [sum(1 for c, f in population if c == i and f) for i in range(5)]
    wider = suppression.suppress(categories, wide, k)
    filtered = suppression.suppress(categories, narrow, k, wider=wider, wider_counts=wide)
    return wide, narrow, wider, filtered


@pytest.mark.slow
@settings(max_examples=2 * N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=people, k=ks)
def test_a_filter_and_the_wider_view_never_differ_by_a_small_group(population, k):
    wide, narrow, wider, filtered = tables_for(population, k)
    assert_safe(wider, wide)
    assert_safe(filtered, narrow)
    if filtered.shown_total is not None and wider.shown_total is not None:
        assert not 1 <= wider.shown_total - filtered.shown_total <= k - 1
    for a, b in zip(wider.shown_counts(), filtered.shown_counts()):
        if a is not None and b is not None:
            assert not 1 <= a - b <= k - 1, (wide, narrow)


@settings(max_examples=N * 3 // 2, deadline=None)
@given(population=people.filter(lambda p: len(p) > 0), k=ks, data=st.data())
def test_two_filters_that_differ_by_one_person_never_reveal_that_person(population, k, data):
    """The onlooker picks a filter that leaves out exactly one person x; the dashboards refuse it."""
    x = data.draw(st.integers(0, len(population) - 1))
    # municipality "A" for everyone but x: "all municipalities" vs "A" differ by x alone
    fine_all = _fine(population)
    fine_a = _fine([p for i, p in enumerate(population) if i != x])
    view = suppress_population("members", {(None, "all"): fine_all, ("A", "all"): fine_a}, k)
    assert view.withheld_reason is not None
    assert view.total is None and not view.dimensions


@settings(max_examples=N * 3 // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=st.lists(st.tuples(st.integers(0, 4), st.sampled_from("ABC")), min_size=0, max_size=60),
       k=ks, data=st.data())
def test_no_shown_filter_result_differs_from_the_whole_by_1_to_k_minus_1_in_any_cell(population, k, data):
    municipality = data.draw(st.sampled_from("ABC"))
    fine_all = _fine([(c, True) for c, _ in population])
    fine_m = _fine([(c, True) for c, m in population if m == municipality])
    whole = suppress_population("members", {(None, "all"): fine_all}, k)
    part = suppress_population("members", {(None, "all"): fine_all, (municipality, "all"): fine_m}, k)
    if whole.total is None or part.total is None:
        return
    assert not 1 <= whole.total - part.total <= k - 1
    for w, p in zip(whole.dimensions, part.dimensions):
        if w.level != p.level:
            continue
        shown_w = dict(zip(w.table.categories, w.table.shown_counts()))
        for category, value in zip(p.table.categories, p.table.shown_counts()):
            if value is not None and shown_w.get(category) is not None:
                assert not 1 <= shown_w[category] - value <= k - 1


def _fine(population) -> dict:
    """Fine counts for persons who each have a gender code and nothing else known."""
    genders = ["woman", "man", "other", "unknown", "woman"]
    counts: dict[str, int] = {}
    for code, _ in population:
        counts[genders[code]] = counts.get(genders[code], 0) + 1
    return {"_total": {"": len(population)}, "gender": counts}


# -- membership history ------------------------------------------------------------------------------
@settings(max_examples=N, deadline=None)
@given(spans=st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), min_size=0, max_size=40), k=ks)
def test_two_released_months_never_differ_by_1_to_k_minus_1_members(spans, k):
    history = MemberHistory.__new__(MemberHistory)
    history.n = len(spans)
    history.index = np.arange(len(spans))
    base = np.datetime64("2024-01-01", "D")
    history.start = np.array([base + np.timedelta64(s * 30, "D") for s, _ in spans], dtype="datetime64[D]")
    history.end = np.array([base + np.timedelta64((s + d) * 30, "D") if d < 25 else np.datetime64("9999-12-31")
                            for s, d in spans], dtype="datetime64[D]")
    history.in_part = None
    dates = month_ends(pd.Timestamp("2026-06-15").date(), 30)
    released = history.released(dates, k)
    shown = sorted(set(released))
    sets = {day: history.active(day) for day in shown}
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert not 1 <= int(np.count_nonzero(sets[a] != sets[b])) <= k - 1


# -- funnel ---------------------------------------------------------------------------------------------
funnel_rows = st.lists(st.lists(st.integers(0, 40), min_size=5, max_size=5).map(lambda r: sorted(r, reverse=True)),
                       min_size=1, max_size=6)


@settings(max_examples=N * 3 // 2, deadline=None)
@given(rows=funnel_rows, k=ks)
def test_funnel_shows_no_small_count_no_small_drop_and_no_pinned_cell(rows, k):
    table = funnel_table(k, [f"r{i}" for i in range(len(rows))], rows, [[] for _ in rows])
    for r, shown in enumerate(table.counts):
        last = None
        for s, value in enumerate(shown):
            if value is None:
                assert table.texts[r][s] in (f"<{k}", "×")
                continue
            assert not 1 <= value <= k - 1
            if last is not None:
                assert not 1 <= last - value <= k - 1
            last = value
    for s in range(5):          # each stage column, with its total shown
        column = [rows[r][s] for r in range(len(rows))]
        status = [SHOWN if table.counts[r][s] is not None else
                  PRIMARY if 1 <= column[r] <= k - 1 else SECONDARY for r in range(len(rows))]
        withheld = all(table.counts[r][s] in (None, 0) for r in range(len(rows)))
        # the funnel shows no column total; were it known, no hidden cell could be pinned from it —
        # unless the whole column is withheld (then nothing in it is shown at all)
        assert withheld or not suppression.pinned(column, status, sum(column), k)


# -- what reaches the browser ------------------------------------------------------------------------------
@pytest.mark.slow
@settings(max_examples=N * 3 // 10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=small_cells, k=ks)
def test_chart_data_tooltips_and_csv_hold_no_small_count(counts, k):
    from crm_app.ui import charts
    assume(sum(counts) > 0)
    table = suppression.suppress([f"c{i}" for i in range(len(counts))], counts, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = charts.bar_chart("municipality", table).to_dict()
        csv_text = exports.csv_bytes(charts.table_frame("municipality", table)).decode()
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            assert row["count"] is None or not 1 <= row["count"] <= k - 1
            assert row["text"] in (f"<{k}", "×") or int(row["text"]) == row["count"]
    for line in csv_text.splitlines()[1:]:
        count = line.split(",")[1]
        assert count in (f"<{k}", "×") or not 1 <= int(count) <= k - 1
    assert json.dumps(spec).count('"count": 1,') == 0 or k <= 1


# -- districts inside municipalities -------------------------------------------------------------------------
@settings(max_examples=N, deadline=None)
@given(cells=st.lists(st.tuples(st.sampled_from("AB"), st.integers(0, 3), st.integers(0, 12)), min_size=1, max_size=8),
       k=ks)
def test_a_hidden_district_cannot_be_worked_out_from_its_municipality(cells, k):
    districts: dict[str, int] = {}
    for municipality, district, n in cells:
        districts[f"{municipality} · d{district}"] = districts.get(f"{municipality} · d{district}", 0) + n
    municipalities: dict[str, int] = {}
    for name, n in districts.items():
        municipalities[name[0]] = municipalities.get(name[0], 0) + n
    total = sum(districts.values())
    fine = {"_total": {"": total}, "municipality": municipalities, "district": districts}
    view = suppress_population("members", {(None, "all"): fine}, k)
    if view.total is None or not view.dimensions:
        return
    shown_m = dict(zip(*(lambda t: (t.categories, t.shown_counts()))(
        next(d for d in view.dimensions if d.dimension == "municipality").table)))
    district = next(d for d in view.dimensions if d.dimension == "district")
    if district.level != "district" or district.table.withheld:
        return
    table = district.table
    for municipality, known in shown_m.items():
        if known is None:
            continue
        cells_of = [i for i, c in enumerate(table.categories) if c.startswith(f"{municipality} · ")]
        sub = suppression.Table(k, [table.categories[i] for i in cells_of],
                                [districts[table.categories[i]] for i in cells_of],
                                [table.status[i] for i in cells_of], known)
        assert_safe(sub, [districts[table.categories[i]] for i in cells_of])
