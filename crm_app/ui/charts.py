"""Altair charts for the dashboards, drawn only from suppressed tables, and their downloads.

A chart's Vega-Lite spec carries its data inline: every chart here is built from a frame that
crm_app.insight.suppression already made safe (hidden counts are null, their text "<k" or "×"), so the
spec, its tooltips, the PNG made from it and the CSV beside it show nothing more than the table.
"""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from crm_app.core import formats, i18n, reference
from crm_app.privacy import exports
from crm_app.ui.text import lang, tr

COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)   # whole people: no "0.000000" when every count is hidden
TEXT_COLOURS = ("#ffffff", "#1b1b1b")
STATUS_COLORS = {"met": "#2e7d32", "at_risk": "#f9a825", "not_met": "#c62828"}
_LABEL_GROUPS = {"gender": "gender", "education_level": "education_level", "education_band": "education_band",
                 "integration_route": "integration_route", "region": "region_group", "continent": "region_group"}


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: str) -> str:
    """White or near-black, whichever reads better on the background (at least 4.5:1 on any colour we use)."""
    return max(TEXT_COLOURS, key=lambda text: contrast(text, background))


def localised(chart: alt.Chart) -> alt.Chart:
    """The chart with the user's month, day and number names (Vega's `config.locale`), also in its PNG."""
    return chart.configure(locale=formats.d3_locale(lang()))


def category_label(level: str, value: str) -> str:
    """A category as the user reads it: country and language names, translated option labels."""
    if value == "unknown":
        return i18n.label("dash_unknown", "unknown", lang())
    group = _LABEL_GROUPS.get(level)
    if group is not None:
        try:
            return i18n.label(group, value, lang())
        except KeyError:   # a value the catalogue has no label for: shown as it is stored
            return value
    if level == "country":
        return reference.countries(lang()).get(value, value)
    if level == "language":
        return reference.language_name(value, lang())
    return value


def table_frame(level: str, table) -> pd.DataFrame:
    """The suppressed table with the user's column names: value, count ("<5", "×" or a number), share."""
    frame = table.frame()
    return pd.DataFrame({
        tr("dash.category"): [category_label(level, c) for c in frame["category"]],
        tr("dash.count"): frame["text"],
        tr("dash.share"): [f"{s:.0%}" if pd.notna(s) else "" for s in frame["share"]],
    })


def bar_chart(level: str, table, title: str = "") -> alt.Chart:
    """Horizontal bars of the shown counts; a hidden cell has no bar and says "<k" or "×"."""
    frame = table.frame()
    counts = frame["count"].astype("float")
    data = pd.DataFrame({"category": [category_label(level, c) for c in frame["category"]],
                         "count": counts, "bar": counts.fillna(0.0), "text": frame["text"]})
    base = alt.Chart(data, title=title).encode(
        y=alt.Y("category:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("category:N", title=tr("dash.category")), alt.Tooltip("text:N", title=tr("dash.count"))])
    bars = base.mark_bar().encode(x=alt.X("bar:Q", title=tr("dash.count"), axis=COUNT_AXIS))   # hidden: no bar, "<k"
    labels = base.mark_text(align="left", dx=3).encode(x=alt.X("bar:Q"), text="text:N")
    return localised((bars + labels).properties(width="container", height=alt.Step(26)))


def over_time_chart(level: str, frame: pd.DataFrame) -> alt.Chart:
    data = pd.DataFrame({"month": pd.to_datetime(frame["month"]),
                         "category": [category_label(level, c) for c in frame["category"]],
                         "count": frame["count"].astype("float"), "text": frame["text"], "held": frame["held"]})
    return localised(alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("yearmonth(month):T", title=tr("dash.month"), axis=alt.Axis(format=formats.d3_month(lang()))),
        y=alt.Y("count:Q", title=tr("dash.count"), axis=COUNT_AXIS),
        color=alt.Color("category:N", title=tr("dash.category")),
        strokeDash=alt.StrokeDash("held:N", legend=None),
        tooltip=[alt.Tooltip("yearmonth(month):T", title=tr("dash.month"), format=formats.d3_month(lang())),
                 alt.Tooltip("category:N", title=tr("dash.category")), alt.Tooltip("text:N", title=tr("dash.count"))],
    ).properties(width="container", height=280))


def status_chart(frame: pd.DataFrame) -> alt.Chart:
    """Targets as a grid of coloured cells (met / at risk / not met): no counts at all."""
    return localised(alt.Chart(frame).mark_rect(stroke="white").encode(
        x=alt.X("column:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("target:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
        color=alt.Color("status:N", scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
                        legend=alt.Legend(title=None, labelExpr=_status_legend())),
        tooltip=[alt.Tooltip("target:N", title=tr("dash.target")), alt.Tooltip("text:N", title=" ")],
    ).properties(width="container", height=alt.Step(28)))


def _status_legend() -> str:
    names = {s: i18n.label("dash_target", s, lang()) for s in STATUS_COLORS}
    return " : ".join(f"datum.label == '{s}' ? '{names[s]}'" for s in STATUS_COLORS) + " : datum.label"


def funnel_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stages per source, grouped bars of shown counts (hidden: no bar)."""
    return localised(alt.Chart(frame).mark_bar().encode(
        x=alt.X("stage:N", sort=list(dict.fromkeys(frame["stage"])) if len(frame) else None, title=None,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title=tr("dash.count"), axis=COUNT_AXIS),
        color=alt.Color("source:N", title=tr("dash.source")),
        xOffset="source:N",
        tooltip=[alt.Tooltip("source:N", title=tr("dash.source")), alt.Tooltip("stage:N", title=" "),
                 alt.Tooltip("text:N", title=tr("dash.count"))],
    ).properties(width="container", height=280))


def export_title(network: str | None, day: dt.date, k: int, period: str | None = None,
                 municipality: str | None = None) -> dict:
    """A PNG's title and subtitle: which network, on which day, with which filters and which hidden counts.

    A downloaded picture travels without the screen around it, so it says this itself. Period and
    municipality are None where the view does not filter by them.
    """
    lines = []
    if period is not None:
        lines.append(tr("dash.png_filters", period=tr(f"dash.period.{period}"),
                        municipality=municipality or tr("dash.all_municipalities")))
    lines.append(tr("dash.png_min_cell", k=k, k_minus=k - 1))
    return {"text": tr("dash.png_title", network=network or tr("dash.all_networks"),
                       date=formats.date(day, lang())), "subtitle": lines}


def png_spec(chart: alt.Chart, title: dict | None = None) -> dict:
    """The Vega-Lite spec the PNG is drawn from: a fixed width (since "container" has none) and the export title,
    under which the chart's own title becomes the first subtitle line."""
    spec = chart.to_dict()
    spec["width"] = 640
    own = spec.pop("title", None)
    for layer in spec.get("layer", []):
        layer.pop("width", None)
        own = layer.pop("title", None) or own
    if title is not None:
        spec["title"] = {**title, "subtitle": ([own] if own else []) + title["subtitle"], "anchor": "start"}
    elif own:
        spec["title"] = own
    return spec


def png(chart: alt.Chart, title: dict | None = None) -> bytes:
    """The chart as a PNG (vl-convert, no browser needed)."""
    import vl_convert
    return vl_convert.vegalite_to_png(png_spec(chart, title), scale=2)


def show(chart: alt.Chart, table: pd.DataFrame, key: str, filename: str, title: dict | None = None) -> None:
    """Chart and its table side by side, with the PNG and CSV downloads below."""
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(chart, width="stretch", key=f"{key}_chart")
    with right:
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}_table")
    downloads(chart, table, key, filename, title)


def downloads(chart: alt.Chart | None, table: pd.DataFrame, key: str, filename: str, title: dict | None = None) -> None:
    """PNG (with `title`, see export_title) and CSV downloads of a chart and its table."""
    left, right = st.columns(2)
    if chart is not None:
        left.download_button(tr("dash.download_png"), lambda: png(chart, title), f"{filename}.png", "image/png",
                             key=f"{key}_png", icon=":material/image:")
    right.download_button(tr("dash.download_csv"), exports.csv_bytes(table), f"{filename}.csv", "text/csv",
                          key=f"{key}_csv", icon=":material/table:")

