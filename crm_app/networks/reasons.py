"""Plain sentences for selection reasons and targets, in the user's language."""
from __future__ import annotations

from babel.numbers import format_percent

from crm_app.core import i18n, reference
from crm_app.networks import composition
from crm_app.networks.composition import Target
from crm_app.networks.selection import Reason

_COUNTED_BY = {"waited": "months", "waited_days": "days", "alumni_rested": "months"}   # plural messages
_LABELLED = {"gender": "gender", "education_level": "education_level", "integration_route": "integration_route",
             "education_band": "education_band"}


def dimension_label(dimension: str | None, lang: str) -> str:
    return i18n.t(f"dimension.{dimension}", lang) if dimension else "—"


def value_label(dimension: str | None, value: str | None, lang: str) -> str:
    """A value in the user's language; one no person can hold (an old store's `vrouw`) says so, never fails."""
    if value is None:
        return "—"
    if dimension in composition.DIMENSIONS and composition.known_value(dimension, value) != value:
        return i18n.t("target.unknown_value", lang, value=value)
    if dimension in _LABELLED:
        return i18n.label(_LABELLED[dimension], value, lang)
    if dimension == "country_of_origin":
        return reference.countries(lang).get(value, value)
    if dimension == "language":
        return reference.language_name(value, lang)
    return value


def value_options(dimension: str, lang: str) -> dict[str, str] | None:
    """code → the label a picker shows for `dimension`, in the dimension's order; None for free text."""
    if dimension == "language":
        return reference.language_labels(lang)
    if dimension == "country_of_origin":
        return reference.countries(lang)
    codes = composition.dimension_values(dimension)
    return None if codes is None else {code: value_label(dimension, code, lang) for code in codes}


def target_text(target: Target, places: int, lang: str) -> str:
    """`Gender woman: at least 6 (40% of 15)`, `Country of origin: at least 3 different`, `Municipality: at most 4 each`."""
    low, high = target.bounds(places)
    subject = dimension_label(target.dimension, lang)
    if target.dim_value is not None:
        subject += f" {value_label(target.dimension, target.dim_value, lang)}"
    parts = []
    if low is not None:
        parts.append(i18n.t("target.at_least", lang, n=low))
    if high is not None:
        parts.append(i18n.t("target.at_most", lang, n=high))
    bound = " " + i18n.t("target.and", lang) + " " if len(parts) == 2 else ""
    text = f"{subject}: {bound.join(parts)}"
    if target.measure == "distinct":
        text += " " + i18n.t("target.different", lang)
    elif target.dim_value is None:
        text += " " + i18n.t("target.each", lang)
    elif target.measure == "share":
        shares = [f"{v:.0%}" for v in (target.min_value, target.max_value) if v is not None]
        text += " " + i18n.t("target.share_of", lang, share="–".join(shares), places=places)
    return text[0].upper() + text[1:]


def percent(value: float, lang: str) -> str:
    """A chance as the user's language writes it: 12,3% or 12.3%."""
    return format_percent(value, "#,##0.0%", locale=lang)


def describe(reason: Reason, lang: str) -> str:
    params = dict(reason.params)
    if "chance" in params:
        params["chance"] = percent(params["chance"], lang)
    dimension = params.get("dimension")
    params["dimension_label"] = dimension_label(dimension, lang)
    params["value_label"] = value_label(dimension, params.get("value"), lang)
    params["subject"] = params["dimension_label"] + (f" {params['value_label']}" if params.get("value") else "")
    code = reason.code
    if code == "waited" and params.get("months", 0) == 0:
        code = "waited_days"
    if code in _COUNTED_BY:
        return i18n.tn(f"reason.{code}", params.pop(_COUNTED_BY[code]), lang, **params)
    return i18n.t(f"reason.{code}", lang, **params)


def describe_all(reasons: list[Reason], lang: str) -> str:
    return "; ".join(describe(r, lang) for r in reasons)
