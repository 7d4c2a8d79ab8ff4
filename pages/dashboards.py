"""Diversity dashboards: composition, targets, over time, recruitment funnel, two networks side by side.

Every number here comes suppressed from crm_app.insight; no name is ever shown.
"""
import pandas as pd
import streamlit as st

from crm_app.core import clock
from crm_app.core.i18n import label as i18n_label
from crm_app.insight.composition import compare_screen, composition_screen
from crm_app.insight.counted import PERIODS, Filters
from crm_app.insight.funnel import FUNNEL_STAGES, REACH_DIMENSIONS, funnel_screen
from crm_app.insight.history import over_time_screen
from crm_app.insight.population import DIMENSIONS, LEVELS, POPULATIONS, min_cell_size, municipalities
from crm_app.insight.suppression import any_hidden
from crm_app.insight.targets import targets_screen
from crm_app.networks import reasons, registry
from crm_app.ui import charts, hidden_cells, session
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, fmt_date, label, lang, tr

user = session.require("dashboards.view")
store = get_store()
actor = session.actor()
state = st.session_state

st.set_page_config(layout="wide")
st.title(tr("dash.title"), anchor=False)
network_list = list(registry.list_networks(store, actor))
names = {n.id: n.name for n in network_list}
municipality_list = municipalities(store, actor)

left, middle, right = st.columns(3)
network_id = left.selectbox(tr("dash.network"), [None, *names], key="dashboards_network", placeholder=tr("app.choose"),
                            format_func=lambda i: tr("dash.all_networks") if i is None else names[i])
period = middle.selectbox(tr("dash.period"), PERIODS, key="dashboards_period", placeholder=tr("app.choose"),
                          format_func=lambda p: tr(f"dash.period.{p}"))
municipality = right.selectbox(tr("dash.municipality"), [None, *municipality_list], key="dashboards_municipality",
                               placeholder=tr("app.choose"),
                               format_func=lambda m: tr("dash.all_municipalities") if m is None else m)
filters = Filters(network_id, municipality, period)
k = min_cell_size(store)
st.caption(tr("dash.intro", k=k, k_minus=k - 1))
slug = "all" if network_id is None else str(network_id)
png_title = charts.export_title(names.get(network_id), clock.today(), k, period, municipality)

# One view at a time (not st.tabs, which would compute every view on every rerun).
VIEWS = ("composition", "targets", "over_time", "funnel", "compare")
view = st.segmented_control(tr("dash.view"), VIEWS, key="dashboards_view", default="composition",
                            format_func=lambda v: tr(f"dash.tab.{v}"), label_visibility="collapsed") or "composition"
shown_texts: list[str] = []   # every cell text shown in this view: any "<k" or "×" gets explained below


def _population_view(view, key: str, dimension: str, title: dict) -> None:
    """One population on one dimension: chart, table, downloads — or why nothing is shown."""
    if view.withheld_reason == "too_few":
        st.info(tr("dash.too_few", k=k))
        return
    if view.withheld_reason == "filter_too_close":
        st.warning(tr("dash.filter_too_close", k=k))
        return
    st.caption(tr("dash.total", count=view.total))
    if not view.total:
        return
    shown = next(d for d in view.dimensions if d.dimension == dimension)
    if shown.table.withheld:
        st.info(tr("dash.withheld"))
        return
    if shown.coarser:
        st.caption(tr("dash.coarser", level=label("dash_level", shown.level)))
    shown_texts.extend(shown.table.texts())
    title = f"{label('dash_population', view.population)} · {label('dash_dimension', dimension)}"
    charts.show(charts.bar_chart(shown.level, shown.table, title), charts.table_frame(shown.level, shown.table),
                key, f"dashboard_{view.population}_{dimension}_{slug}", title)


if view == "composition":
    a, b = st.columns(2)
    population = a.radio(tr("dash.population"), POPULATIONS, key="dashboards_population",
                         format_func=lambda p: label("dash_population", p), horizontal=True)
    dimension = b.selectbox(tr("dash.dimension"), DIMENSIONS, key="dashboards_dimension", placeholder=tr("app.choose"),
                            format_func=lambda d: label("dash_dimension", d))
    screen = composition_screen(store, actor, filters, populations=(population,))
    if population == "members" and screen.members_as_of and screen.members_as_of != screen.as_of:
        st.caption(tr("dash.members_as_of", date=fmt_date(screen.members_as_of), k=k))
    _population_view(screen.populations[population], "dashboards_composition", dimension, png_title)

elif view == "targets":
    rows = targets_screen(store, actor, network_id=network_id)
    st.caption(tr("dash.targets_note"))
    if not rows:
        st.info(tr("dash.no_targets"))
    else:
        grid = []
        table = []
        for r in rows:
            text = f"{r.network}: {reasons.target_text(r.target, r.places, lang())}"
            grid += [{"target": text, "column": tr("dash.now"), "status": r.now,
                      "text": label("dash_target", r.now)},
                     {"target": text, "column": tr("dash.with_offers"), "status": r.with_offers,
                      "text": label("dash_target", r.with_offers)}]
            table.append({tr("dash.network"): r.network, tr("dash.target"): reasons.target_text(r.target, r.places, lang()),
                          tr("dash.now"): label("dash_target", r.now),
                          tr("dash.with_offers"): label("dash_target", r.with_offers)})
        chart = charts.status_chart(pd.DataFrame(grid))
        st.altair_chart(chart, width="stretch", key="dashboards_targets_chart")
        frame = pd.DataFrame(table)
        st.dataframe(frame, hide_index=True, width="stretch", key="dashboards_targets_table")
        charts.downloads(chart, frame, "dashboards_targets", f"dashboard_targets_{slug}",
                         charts.export_title(names.get(network_id), clock.today(), k))

elif view == "over_time":
    time_dimension = st.selectbox(tr("dash.dimension"), DIMENSIONS, key="dashboards_time_dimension",
                                  placeholder=tr("app.choose"),
                                  format_func=lambda d: label("dash_dimension", d))
    history = over_time_screen(store, actor, filters, time_dimension)
    st.caption(tr("dash.over_time_note", k=k))
    frame = history.frame()
    if frame.empty or frame["count"].isna().all():
        st.info(tr("dash.too_few", k=k))
    else:
        if history.level != LEVELS[time_dimension][0]:
            st.caption(tr("dash.coarser", level=label("dash_level", history.level)))
        shown_texts.extend(frame["text"])
        table = pd.DataFrame({
            tr("dash.month"): [fmt_date(m) for m in frame["month"]],
            tr("dash.category"): [charts.category_label(history.level, c) for c in frame["category"]],
            tr("dash.count"): frame["text"],
            tr("dash.held"): ["✓" if h else "" for h in frame["held"]],
        })
        charts.show(charts.over_time_chart(history.level, frame), table, "dashboards_over_time",
                    f"dashboard_over_time_{time_dimension}_{slug}", png_title)

elif view == "funnel":
    funnel = funnel_screen(store, actor, filters)

    def _funnel_frame(result, row_label) -> tuple[pd.DataFrame, pd.DataFrame]:
        stages = [i18n_label("dash_stage", s, lang()) for s in FUNNEL_STAGES]
        table, long = [], []
        for name, counts, texts, conversion, days in zip(result.rows, result.counts, result.texts, result.conversion,
                                                        result.median_days):
            shown_texts.extend(texts)
            shown = row_label(name)
            table.append({tr("dash.source"): shown, **dict(zip(stages, texts)),
                          tr("dash.conversion"): f"{conversion:.0%}" if conversion is not None else "",
                          tr("dash.median_days"): f"{days:.0f}" if days is not None else ""})
            long += [{"source": shown, "stage": stage, "count": count, "text": text}
                     for stage, count, text in zip(stages, counts, texts)]
        return pd.DataFrame(table), pd.DataFrame(long)

    def _channel_label(name: str) -> str:
        kind, channel = name.split("|", 1)
        if channel == "_small":
            return tr("dash.small_channels", kind=label("source_kind", kind), k=k)
        return f"{label('source_kind', kind)}: {channel}"

    st.subheader(tr("dash.funnel_by_kind"), anchor=False)
    table, long = _funnel_frame(funnel.by_kind, lambda kind: label("source_kind", kind))
    if not table.empty:
        charts.show(charts.funnel_chart(long), table, "dashboards_funnel_kind", f"dashboard_funnel_{slug}", png_title)
    st.subheader(tr("dash.funnel_by_channel"), anchor=False)
    table, _ = _funnel_frame(funnel.by_channel, _channel_label)
    if not table.empty:
        st.dataframe(table, hide_index=True, width="stretch", key="dashboards_funnel_channel_table")
        charts.downloads(None, table, "dashboards_funnel_channel", f"dashboard_funnel_channels_{slug}")
    st.subheader(tr("dash.funnel_reach"), anchor=False)
    reach_dimension = st.selectbox(tr("dash.dimension"), REACH_DIMENSIONS, key="dashboards_reach_dimension",
                                   placeholder=tr("app.choose"),
                                   format_func=lambda d: label("dash_dimension", d))
    reach_rows = []
    for key, table_ in funnel.reach.items():
        kind, dim = key.split("|")
        if dim != reach_dimension:
            continue
        frame = table_.frame()
        for category, text, share in zip(frame["category"], frame["text"], frame["share"]):
            shown_texts.append(text)
            reach_rows.append({tr("dash.source"): label("source_kind", kind),
                               tr("dash.category"): charts.category_label(reach_dimension, category),
                               tr("dash.count"): text, tr("dash.share"): f"{share:.0%}" if pd.notna(share) else ""})
    reach = pd.DataFrame(reach_rows)
    if not reach.empty:
        st.dataframe(reach, hide_index=True, width="stretch", key="dashboards_reach_table")
        charts.downloads(None, reach, "dashboards_reach", f"dashboard_reach_{reach_dimension}_{slug}")

else:
    other_options = [i for i in names if i != network_id]
    if network_id is None or not other_options:
        st.info(tr("dash.compare_pick"))
    else:
        a, b = st.columns(2)
        other = a.selectbox(tr("dash.compare_with"), other_options, key="dashboards_compare_network",
                            placeholder=tr("app.choose"),
                            format_func=names.get)
        compare_dimension = b.selectbox(tr("dash.dimension"), DIMENSIONS, key="dashboards_compare_dimension",
                                        placeholder=tr("app.choose"),
                                        format_func=lambda d: label("dash_dimension", d))
        result = compare_screen(store, actor, network_id, other)
        if result.refused:
            st.warning(tr("dash.compare_refused"))
        else:
            for column, nid, view in zip(st.columns(2), (network_id, other), (result.left, result.right)):
                with column:
                    st.markdown(f"**{escape(names[nid])}**")
                    _population_view(view, f"dashboards_compare_{nid}", compare_dimension,
                                     charts.export_title(names[nid], clock.today(), k))

if any_hidden(shown_texts, k):
    hidden_cells.explain(k, user.role)
