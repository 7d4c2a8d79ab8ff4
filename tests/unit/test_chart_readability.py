"""Charts as a reader meets them: names readable on every timeline bar, exported PNGs that say what they show."""
from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd

from crm_app.ui import rotation_charts


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _wcag_contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _layer(spec: dict, mark: str) -> dict:
    return next(layer for layer in spec["layer"]
                if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == mark)


def _mark(layer: dict) -> dict:
    return layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}


def test_every_name_on_a_timeline_bar_has_at_least_4_5_to_1_contrast():
    start = dt.date(2026, 1, 1)
    bars = [{"seat": i + 1, "holder": f"Naam {i}", "status": status, "term": 1, "start": start,
             "end": start + dt.timedelta(days=365)} for i, status in enumerate(rotation_charts.TIMELINE_COLOURS)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chart, _, _ = rotation_charts.seat_timeline(bars, start + dt.timedelta(days=30))
        spec = chart.to_dict()
    bar_colour = _layer(spec, "bar")["encoding"]["color"]
    scale = dict(zip(bar_colour["scale"]["domain"], bar_colour["scale"]["range"]))
    text = _layer(spec, "text")
    rows = next(iter(spec["datasets"].values()))
    pairs = set()
    for row in rows:
        background = scale[row[bar_colour["field"]]]
        encoded = text["encoding"].get("color")
        if encoded is None:
            foreground = _mark(text).get("color", "#000000")
        else:
            assert encoded.get("scale") is None   # the field holds the colour itself
            foreground = row[encoded["field"]]
        pairs.add((background, foreground))
    assert len({b for b, _ in pairs}) == len(rotation_charts.TIMELINE_COLOURS)
    for background, foreground in pairs:
        assert _wcag_contrast(background, foreground) >= 4.5, (background, foreground)


def _exported_spec(monkeypatch, chart, title) -> tuple[dict, bytes]:
    """The spec charts.png hands to vl-convert, and the PNG it draws from it."""
    import vl_convert

    from crm_app.ui import charts
    handed = {}
    real = vl_convert.vegalite_to_png

    def spy(spec, **kwargs):
        handed["spec"] = spec
        return real(spec, **kwargs)
    monkeypatch.setattr(vl_convert, "vegalite_to_png", spy)
    image = charts.png(chart, title)
    return handed["spec"], image


def test_an_exported_png_says_which_network_day_filters_and_hidden_counts_it_shows(monkeypatch):
    from crm_app.insight import suppression
    from crm_app.ui import charts
    table = suppression.suppress(["woman", "man", "other"], [3, 9, 12], 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chart = charts.bar_chart("gender", table, "Leden · Geslacht")
        title = charts.export_title("De Stem", dt.date(2026, 11, 30), 5, "12", "Utrecht")
        spec, image = _exported_spec(monkeypatch, chart, title)
    assert image.startswith(b"\x89PNG")
    assert spec["title"]["text"] == "De Stem · stand op 30-11-2026"
    assert spec["title"]["subtitle"] == ["Leden · Geslacht", "Periode: Laatste 12 maanden · Gemeente: Utrecht",
                                         'Aantallen van 1 tot en met 4 staan er als "<5"; "×" is een verborgen aantal.']
    assert all("title" not in layer for layer in spec["layer"])   # drawn once, above the chart


def test_an_exported_png_of_every_network_says_so(monkeypatch):
    from crm_app.ui import charts
    frame = pd.DataFrame({"target": ["De Stem: Vrouw ≥ 6"], "column": ["Nu"], "status": ["met"],
                       "text": ["Gehaald"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        title = charts.export_title(None, dt.date(2026, 1, 5), 10, "all", None)
        spec, _ = _exported_spec(monkeypatch, charts.status_chart(frame), title)
    assert spec["title"]["text"] == "Alle netwerken · stand op 05-01-2026"
    assert spec["title"]["subtitle"][0] == "Periode: Alles · Gemeente: Alle gemeenten"
    assert "10" in spec["title"]["subtitle"][1] and "9" in spec["title"]["subtitle"][1]


def test_a_name_longer_than_its_short_bar_is_drawn_dark_on_the_background():
    """White text on a dark-blue bar of three weeks ran past the bar onto white: invisible."""
    start = dt.date(2026, 1, 1)
    bars = [{"seat": 1, "holder": "Ali", "status": "term", "term": 1, "start": start,
             "end": start + dt.timedelta(days=1460)},
            {"seat": 2, "holder": "Oleksandra Kovalenko-Shevchenko", "status": "term", "term": 1, "start": start,
             "end": start + dt.timedelta(days=21)}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = rotation_charts.seat_timeline(bars, start)[0].to_dict()
    field = _layer(spec, "text")["encoding"]["color"]["field"]
    colours = {row["holder"]: row[field] for row in next(iter(spec["datasets"].values()))}
    assert colours["Ali"] == "#ffffff", "a name inside its dark bar stays light"
    assert _wcag_contrast(colours["Oleksandra Kovalenko-Shevchenko"], "#ffffff") >= 4.5
