"""Reference values: countries and languages (pycountry, with Dutch names) and the fixed option lists."""
from __future__ import annotations

import functools
import gettext

import pycountry

from crm_app.core.paths import DATA_DIR

GENDERS = ("woman", "man", "other")
EDUCATION_LEVELS = ("none", "primary", "secondary", "vocational", "higher_professional", "university")
INTEGRATION_ROUTES = ("b1", "education", "z_route", "not_obligated")
SOURCE_KINDS = ("market", "coach_referral", "internal_coach", "alumni_referral", "partner_org",
                "self_registration", "event", "other")
CONSENT_PURPOSES = ("contact", "diversity_statistics", "share_with_referrer", "photo")
CONSENT_METHODS = ("verbal", "written", "form")
ACTIVITY_KINDS = ("call", "message", "visit", "market_conversation", "meeting", "other", "renewal_conversation",
                  "exit_conversation")
ROLES = ("outreach", "program_manager", "coordinator", "admin", "kiosk")
CONSENT_TEXT_VERSION = "2026-11"


@functools.lru_cache(maxsize=4)
def _translator(domain: str, lang: str):
    if lang == "en":
        return lambda s: s
    tr = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)
    return tr.gettext


@functools.lru_cache(maxsize=4)
def countries(lang: str = "nl") -> dict[str, str]:
    """ISO 3166 alpha-2 → country name in `lang`, sorted by name."""
    tr = _translator("iso3166-1", lang)
    names = {c.alpha_2: tr(getattr(c, "common_name", None) or c.name) for c in pycountry.countries}
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


@functools.lru_cache(maxsize=1)
def _selectable_language_codes() -> tuple[str, ...]:
    """Languages with an ISO 639-1 code, plus the ones newcomers speak that lack one (data/languages_extra.txt)."""
    codes = {lang.alpha_3 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    lines = (DATA_DIR / "languages_extra.txt").read_text(encoding="utf-8").splitlines()
    codes.update(code for line in lines if not line.startswith("#") for code in line.split())
    return tuple(codes)


@functools.lru_cache(maxsize=4)
def languages(lang: str = "nl") -> dict[str, str]:
    """ISO 639-3 code → language name in `lang`, for the selectable languages, sorted by name."""
    tr = _translator("iso639-3", lang)
    names = {code: tr(pycountry.languages.get(alpha_3=code).name) for code in _selectable_language_codes()}
    return dict(sorted(names.items(), key=lambda kv: kv[1].casefold()))


def language_code(value: str) -> str | None:
    """Any ISO 639 code (2 or 3 letters) or English name → ISO 639-3, or None when unknown."""
    value = value.strip()
    for key in ("alpha_3", "alpha_2", "name"):
        found = pycountry.languages.get(**{key: value.lower() if key != "name" else value})
        if found is not None:
            return found.alpha_3
    return None


def country_code(value: str) -> str | None:
    value = value.strip()
    if len(value) == 2 and pycountry.countries.get(alpha_2=value.upper()):
        return value.upper()
    found = pycountry.countries.get(alpha_3=value.upper()) if len(value) == 3 else None
    return found.alpha_2 if found else None
