"""The dashboards page in AppTest, on the demo data: every tab for the roles that may open it, filters,
and what reaches the browser — tables and the charts' inline data — holds no count of 1..k−1 and no name."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from apptest_kit import PAGES_DIR, elements, first_run, main_text, new_app, page_links, t

from crm_app.core import i18n
from crm_app.core.store import Store
from crm_app.demo.fill import fill_demo
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape

K = 5
VIEWERS = ("coordinator", "program_manager", "admin")


@pytest.fixture(scope="module")
def demo_template(template_db, tmp_path_factory):
    """The staff users plus the demo data set (600 persons, three networks), made once for this file."""
    path = tmp_path_factory.mktemp("dashboards") / "crm.duckdb"
    shutil.copyfile(template_db[0], path)
    store = Store(path)
    try:
        fill_demo(store, persons=600, seed=11)
    finally:
        store.close()
    return path


@pytest.fixture(autouse=True)
def demo_store(crm_db, demo_template):
    shutil.copyfile(demo_template, crm_db)
    return crm_db


def names_in_store() -> set[str]:
    with get_store().read() as cur:
        rows = cur.execute("SELECT given_name, family_name FROM person").fetchall()
    return {f"{g} {f}" for g, f in rows if f}


def charts_of(at) -> list:
    return [e for e in elements(at.main) if e.type == "vega_lite_chart"]


def chart_values(at) -> list:
    """Every value in every chart's inline data (the Vega-Lite spec and the data frames sent with it)."""
    out = []
    for element in charts_of(at):
        spec = json.loads(element.proto.spec)
        for rows in spec.get("datasets", {}).values():
            for row in rows:
                out.extend(row.values())
        for dataset in element.proto.datasets:
            frame = _arrow_frame(dataset.data.data)
            for column in frame.columns:
                out.extend(frame[column].tolist())
        if element.proto.data.data:
            frame = _arrow_frame(element.proto.data.data)
            for column in frame.columns:
                out.extend(frame[column].tolist())
    return out


def _arrow_frame(data: bytes):
    import pyarrow as pa
    return pa.ipc.open_stream(data).read_all().to_pandas()


def small_counts(at) -> list:
    """Cells of the tables on screen that show a count of 1..k−1 as a number (median days aside)."""
    found = []
    for element in elements(at.main):
        if element.type not in ("arrow_data_frame", "dataframe"):
            continue
        frame = element.value
        for column in frame.columns:
            if column == t("dash.median_days"):
                continue
            for cell in frame[column]:
                if re.fullmatch(r"\d+", str(cell)) and 1 <= int(cell) <= K - 1:
                    found.append((column, cell))
    return found


def all_elements(at):
    return elements(at.main)


VIEWS = ("composition", "targets", "over_time", "funnel", "compare")


def assert_nothing_small(at, where) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not small_counts(at), (where, small_counts(at))
    for value in chart_values(at):
        assert not (isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value <= K - 1), \
            (where, value)


@pytest.mark.parametrize("role", VIEWERS)
def test_roles_that_may_open_the_dashboards_see_every_view(login, role):
    at = login(role, "dashboards")
    assert at.title[0].value == t("dash.title")
    names = names_in_store()
    drawn = 0
    for view in VIEWS:
        at.session_state["dashboards_view"] = view
        at.run()
        assert_nothing_small(at, view)
        text = main_text(at)
        assert not [n for n in names if n in text], view
        drawn += len(charts_of(at))
    assert drawn >= 3      # composition, targets and funnel draw a chart on the demo data


@pytest.mark.parametrize("role", ("outreach", "kiosk"))
def test_outreach_and_kiosk_cannot_open_the_dashboards(login, staff, role):
    at = login(role)
    with pytest.raises(ValueError):          # not in their navigation
        at.switch_page("pages/dashboards.py")
    page = new_app(str(PAGES_DIR / "dashboards.py"))   # and the page itself refuses them
    page.session_state["auth_user"] = staff[role].as_user()
    first_run(page)
    assert [(e.type, e.value) for e in elements(page.main)] == [("error", t("app.no_access"))]


def test_every_population_and_dimension_shows_no_small_count_and_no_name(login):
    at = login("coordinator", "dashboards")
    names = names_in_store()
    for population in ("members", "waiting", "pool", "alumni"):
        at.radio(key="dashboards_population").set_value(population).run()
        for dimension in ("gender", "age", "origin", "language", "education", "municipality", "district",
                          "years_in_nl", "integration_route"):
            at.selectbox(key="dashboards_dimension").set_value(dimension).run()
            assert not at.exception, (population, dimension)
            assert_nothing_small(at, (population, dimension))
            assert charts_of(at) or t("dash.withheld") in main_text(at) or t("dash.too_few", k=K) in main_text(at)
            if charts_of(at):
                assert any(isinstance(v, (int, float)) for v in chart_values(at)), "the check reads the chart data"
            text = main_text(at)
            assert not [n for n in names if n in text]


def test_filters_network_period_municipality_and_compare(login):
    at = login("coordinator", "dashboards")
    networks = at.selectbox(key="dashboards_network").options
    assert len(networks) == 4          # all networks and the demo's three
    at.selectbox(key="dashboards_network").set_value(at.selectbox(key="dashboards_network").options[2]).run()
    at.selectbox(key="dashboards_period").set_value("12").run()
    municipalities = at.selectbox(key="dashboards_municipality").options
    at.selectbox(key="dashboards_municipality").set_value(municipalities[-1]).run()
    assert not at.exception
    assert_nothing_small(at, "filtered")
    at.session_state["dashboards_view"] = "compare"
    at.run()
    assert at.selectbox(key="dashboards_compare_network")       # two networks side by side
    assert_nothing_small(at, "compare")


def test_targets_show_a_status_and_never_a_count(login):
    at = login("coordinator", "dashboards")
    at.session_state["dashboards_view"] = "targets"
    at.run()
    text = main_text(at)
    assert t("dash.targets_note") in text
    table = [e for e in elements(at.main) if e.type in ("dataframe", "arrow_data_frame")][0].value
    statuses = {i18n.label("dash_target", s) for s in ("met", "at_risk", "not_met")}
    assert set(table[t("dash.now")]) <= statuses and set(table[t("dash.with_offers")]) <= statuses
    assert set(table[t("dash.now")]) & statuses
    for column in table.columns:        # no column holds a number
        assert not any(re.fullmatch(r"\d+", str(cell)) for cell in table[column])


def _encodings(spec: dict):
    for part in (spec, *spec.get("layer", [])):
        yield from part.get("encoding", {}).values()


def test_charts_speak_dutch_and_count_in_whole_numbers(login):
    """Month and day names and numbers from the Dutch locale; a count axis has no decimals (Compare drew
    "0.000000" when every count of a network was hidden)."""
    at = login("coordinator", "dashboards")
    at.selectbox(key="dashboards_network").set_value(at.selectbox(key="dashboards_network").options[2]).run()
    specs = []
    for view in VIEWS:
        at.session_state["dashboards_view"] = view
        at.run()
        specs += [json.loads(e.proto.spec) for e in charts_of(at)]
    assert len(specs) >= 4
    for spec in specs:
        locale = spec["config"]["locale"]
        assert locale["time"]["shortMonths"][9] == "okt" and locale["number"]["decimal"] == ","
        for channel in _encodings(spec):
            if isinstance(channel, dict) and channel.get("type") == "quantitative" and "title" in channel:
                assert channel.get("axis", {}).get("format") == "d", channel   # the axis that draws the labels


def test_a_hidden_cell_is_explained_with_a_link_to_the_whole_target_status(login):
    """A view that hides a cell says why, and a coordinator gets a link to Open places; a view without one does not."""
    at = login("coordinator", "dashboards")
    at.session_state["dashboards_view"] = "funnel"
    at.run()
    assert "<5" in main_text(at) or "×" in main_text(at), "the demo data hides a cell in the funnel"
    assert t("dash.hidden_why", k=K, k_minus=K - 1) in main_text(at)
    assert [(text, path) for text, path, _ in page_links(at.main)] == [(escape(t("dash.hidden_targets_link")), "places")]
    at.session_state["dashboards_view"] = "targets"
    at.run()
    assert t("dash.hidden_why", k=K, k_minus=K - 1) not in main_text(at)
    assert not page_links(at.main)
