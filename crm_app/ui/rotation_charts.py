"""The rotation screen's charts: the seat timeline (a Gantt chart with a line for today) and the
forecast of places opening per month, each with the table shown beside it and downloaded as CSV."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from crm_app.core import formats
from crm_app.ui.charts import TEXT_COLOURS, localised, text_colour_on
from crm_app.ui.text import fmt_date, lang, tr

# status → colour, in the order the legend lists them
TIMELINE_COLOURS = {
    "term": "#4c78a8", "renewal_proposed": "#f58518", "overdue": "#e45756", "renewal_confirmed": "#54a24b",
    "next_term": "#9ecae9", "renewal_declined": "#b279a2", "last_term": "#72b7b2", "offer": "#eeca3b",
    "opens": "#d8d8d8", "open": "#ececec",
}
ROW_HEIGHT = 34
DARK_TEXT = TEXT_COLOURS[1]   # near-black: readable on the white chart background
CHART_PIXELS, PIXELS_PER_LETTER = 560, 6.5   # the narrowest desktop chart column; 10 px text


def _name_fits(frame: pd.DataFrame, row: int) -> bool:
    """Whether the holder's name fits inside its bar. A name longer than its bar runs onto the white
    background, where light text on a dark bar's colour would vanish: it is drawn dark instead."""
    span = (frame["end"].max() - frame["start"].min()).days or 1
    bar_pixels = (frame["end"][row] - frame["start"][row]).days / span * CHART_PIXELS
    return bar_pixels >= len(str(frame["holder"][row] or "")) * PIXELS_PER_LETTER + 8


def seat_timeline(bars: list[dict], today: dt.date) -> tuple[alt.Chart, pd.DataFrame, int]:
    """(chart, table, chart height in pixels) for rotation.timeline's bars."""
    frame = pd.DataFrame(bars)
    frame["status_text"] = [tr(f"rotation.status.{s}") for s in frame["status"]]
    frame["place"] = [f"{tr('rotation.col.seat')} {s:02d}" for s in frame["seat"]]
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    frame["label_colour"] = [text_colour_on(TIMELINE_COLOURS[status]) if _name_fits(frame, i) else DARK_TEXT
                             for i, status in enumerate(frame["status"])]
    present = [s for s in TIMELINE_COLOURS if s in set(frame["status"])]
    scale = alt.Scale(domain=[tr(f"rotation.status.{s}") for s in present],
                      range=[TIMELINE_COLOURS[s] for s in present])
    base = alt.Chart(frame).encode(
        y=alt.Y("place:N", title=None, sort=sorted(frame["place"].unique()), axis=alt.Axis(labelOverlap=False)),
        x=alt.X("start:T", title=None, axis=alt.Axis(format=formats.d3_month(lang()))), x2="end:T",
        tooltip=[alt.Tooltip("place:N", title=tr("rotation.col.seat")),
                 alt.Tooltip("holder:N", title=tr("rotation.col.holder")),
                 alt.Tooltip("status_text:N", title=tr("rotation.col.status")),
                 alt.Tooltip("start:T", title=tr("rotation.col.start"), format=formats.d3_date(lang())),
                 alt.Tooltip("end:T", title=tr("rotation.col.end"), format=formats.d3_date(lang()))])
    gantt = base.mark_bar(cornerRadius=3).encode(color=alt.Color("status_text:N", title=None, scale=scale,
                                                                 legend=alt.Legend(orient="bottom", columns=2)))
    labels = base.mark_text(align="left", dx=4, fontSize=10).encode(   # light text on dark bars, dark on light
        text="holder:N", color=alt.Color("label_colour:N", scale=None, legend=None))
    now = alt.Chart(pd.DataFrame({"day": [pd.Timestamp(today)], "text": [tr("rotation.today")]}))
    today_line = now.mark_rule(color="#1b1b1b", strokeDash=[4, 3]).encode(x="day:T")
    today_text = now.mark_text(align="left", baseline="top", dx=3, y=0, fontSize=10).encode(x="day:T", text="text:N")
    height = max(260, ROW_HEIGHT * frame["seat"].nunique() + 90)
    table = pd.DataFrame({
        tr("rotation.col.seat"): frame["seat"], tr("rotation.col.holder"): frame["holder"],
        tr("rotation.col.status"): frame["status_text"], tr("rotation.col.term"): frame["term"],
        tr("rotation.col.start"): [fmt_date(d.date()) for d in frame["start"]],
        tr("rotation.col.end"): [fmt_date(d.date()) for d in frame["end"]]})
    return localised((gantt + labels + today_line + today_text).properties(height=height - 90)), table, height


def opening_forecast(forecast: list[dict]) -> tuple[alt.Chart, pd.DataFrame]:
    """(chart, table) for rotation.forecast's months: certain and possible openings side by side."""
    months = pd.DataFrame(forecast)
    months["label"] = [formats.month(m, lang()) for m in months["month"]]
    certain, possible = tr("rotation.col.certain"), tr("rotation.col.possible")
    long = pd.concat([pd.DataFrame({"label": months["label"], "kind": certain, "count": months["certain"]}),
                      pd.DataFrame({"label": months["label"], "kind": possible, "count": months["possible"]})])
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("label:N", title=tr("rotation.col.month"), sort=list(months["label"])),
        y=alt.Y("count:Q", title=tr("rotation.col.count"), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=[certain, possible], range=["#4c78a8", "#f2b880"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("label:N", title=tr("rotation.col.month")), alt.Tooltip("kind:N", title=" "),
                 alt.Tooltip("count:Q", title=tr("rotation.col.count"))])
    table = pd.DataFrame({tr("rotation.col.month"): months["label"], certain: months["certain"],
                          possible: months["possible"]})
    return localised(chart.properties(height=260)), table
