"""Reference values: countries and languages, named in the user's language by CLDR (Babel), and the fixed option lists.

Stored codes are ISO: 3166 alpha-2 for countries, 639-3 for languages. Which languages the pickers offer, and
in what order, is data (data/languages.txt, data/language_aliases.txt); their names are never a hand list.
"""
from __future__ import annotations

import functools
import gettext
import unicodedata

import pycountry
from babel import Locale, UnknownLocaleError

from crm_app.core.formats import cldr_locale
from crm_app.core.paths import DATA_DIR

GENDERS = ("woman", "man", "other")
EDUCATION_LEVELS = ("none", "primary", "secondary", "vocational", "higher_professional", "university")
INTEGRATION_ROUTES = ("b1", "education", "z_route", "not_obligated")
SOURCE_KINDS = ("market", "coach_referral", "internal_coach", "alumni_referral", "partner_org",
                "self_registration", "event", "other")
CONSENT_PURPOSES = ("contact", "diversity_statistics", "share_with_referrer", "photo")
# The sources with someone who referred the person: only then can "share with referrer" be given.
REFERRER_SOURCE_KINDS = ("coach_referral", "alumni_referral", "partner_org")
CONSENT_METHODS = ("verbal", "written", "form")
ACTIVITY_KINDS = ("call", "message", "visit", "market_conversation", "meeting", "other", "renewal_conversation",
                  "exit_conversation")
ROLES = ("outreach", "program_manager", "coordinator", "admin", "kiosk")
CONSENT_TEXT_VERSION = "2026-11"
KIOSK_CONSENT_TEXT = "kiosk-2026-12"   # the kiosk's consent text (kiosk.consent_text); recorded as "kiosk-2026-12:<lang>"


def kiosk_consent_version(lang: str) -> str:
    """The consent text a kiosk showed, in the language it showed it: "kiosk-2026-12:ar"."""
    return f"{KIOSK_CONSENT_TEXT}:{lang}"


def sort_key(name: str) -> str:
    """Alphabetical as people expect it: Åland among the A's, case ignored."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=8)
def countries(lang: str = "nl") -> dict[str, str]:
    """ISO 3166 alpha-2 → the country's name in `lang` (CLDR), sorted by that name."""
    names = cldr_locale(lang).territories
    found = {c.alpha_2: names.get(c.alpha_2) or c.name for c in pycountry.countries}
    return dict(sorted(found.items(), key=lambda kv: sort_key(kv[1])))


def _data_lines(name: str) -> list[str]:
    """The lines of a data file without comments and blank lines."""
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [text for line in lines if (text := line.split("#", 1)[0].strip())]


@functools.lru_cache(maxsize=1)
def _offered() -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    """data/languages.txt: (common languages in order, the other languages, ISO 639-3 → CLDR code where it differs)."""
    lines = _data_lines("languages.txt")
    split = lines.index("---")
    rows = [line.split() for line in lines if line != "---"]
    codes = [row[0] for row in rows]
    return tuple(codes[:split]), tuple(codes[split:]), {row[0]: row[1] for row in rows if len(row) > 1}


@functools.lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, ...]]:
    """data/language_aliases.txt: ISO 639-3 code → other names people type (Farsi, عربي)."""
    rows = (line.split(":", 1) for line in _data_lines("language_aliases.txt"))
    return {code.strip(): tuple(name.strip() for name in names.split(",")) for code, names in rows}


def cldr_code(code: str) -> str:
    """CLDR names a language by its ISO 639-1 code where there is one (ara → ar), else mostly by ISO 639-3."""
    override = _offered()[2].get(code)
    if override:
        return override
    found = pycountry.languages.get(alpha_3=code)
    return getattr(found, "alpha_2", None) or code


@functools.lru_cache(maxsize=4)
def _iso_translator(lang: str):
    tr = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
    return tr.gettext


@functools.lru_cache(maxsize=4096)
def language_name(code: str, lang: str = "nl") -> str:
    """A language's name in `lang` from CLDR; the ISO 639-3 name where CLDR has none (Hazaragi), else the code."""
    name = cldr_locale(lang).languages.get(cldr_code(code))
    if name:
        return name
    found = pycountry.languages.get(alpha_3=code)
    return _iso_translator(lang)(found.name) if found else code


@functools.lru_cache(maxsize=512)
def autonym(code: str) -> str | None:
    """A language's name for itself (فارسی, ትግርኛ), when CLDR knows the language as a locale."""
    cldr = cldr_code(code)
    try:
        own = Locale.parse(cldr)
    except (ValueError, UnknownLocaleError):
        return None
    return own.languages.get(cldr)


@functools.lru_cache(maxsize=8)
def languages(lang: str = "nl") -> dict[str, str]:
    """The offered languages, ISO 639-3 code → name in `lang`: the common languages of newcomers first (in
    data/languages.txt's order), then the rest alphabetically."""
    common, rest, _ = _offered()
    names = {code: language_name(code, lang) for code in common + rest}
    return {code: names[code] for code in common + tuple(sorted(rest, key=lambda c: sort_key(names[c])))}


def language_label(code: str, lang: str = "nl") -> str:
    """A language as the pickers show it, so that typing any of its names finds it: the name in `lang`,
    the other names people use, and its own name: "Perzisch (Farsi) — فارسی"."""
    name = language_name(code, lang)
    own = autonym(code)
    known = f"{name} {own or ''}".casefold()
    others = [alias for alias in _aliases().get(code, ()) if alias.casefold() not in known]
    text = f"{name} ({', '.join(others)})" if others else name
    return f"{text} — {own}" if own and own.casefold() != name.casefold() else text


@functools.lru_cache(maxsize=8)
def language_labels(lang: str = "nl") -> dict[str, str]:
    """The offered languages in `languages`' order, code → the label a picker shows."""
    return {code: language_label(code, lang) for code in languages(lang)}


@functools.lru_cache(maxsize=16)
def language_labels_with_english(lang: str) -> dict[str, str]:
    """`language_labels` with the English name added where the label lacks it: at the kiosk a visitor may know
    their language's own name, its name in the chosen language, or only the English one ("Farsi", "Persian")."""
    labels = {}
    for code, text in language_labels(lang).items():
        english = language_name(code, "en")
        labels[code] = text if english.casefold() in text.casefold() else f"{text} · {english}"
    return labels


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
