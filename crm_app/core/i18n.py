"""Every text the user sees, from the gettext catalogues `crm_app/locale/<lang>/LC_MESSAGES/crm.po`.

`t(key, lang, **params)` formats a message; `tn(key, count, lang, **params)` picks the plural form
for `count` by the catalogue's Plural-Forms header. Option values (roles, sources, stages…) are
translated through `label(group, value, lang)`, message id `label.<group>.<value>`. A key that no
catalogue holds raises KeyError (no silent gaps); a key one language lacks falls back to Dutch.

The kiosk speaks more languages than the staff screens: its texts are a catalogue of their own,
`crm_app/locale/<lang>/LC_MESSAGES/kiosk.po` (`kt`, `kiosk_languages`), so a kiosk language never appears
half-translated among the staff screens. Whether a native speaker has reviewed a kiosk language is
data/translations.toml (`review_status`). Nothing is machine-translated at run time.

A language is added by dropping in its .po file: LANGS is the catalogues found on disk, in the
package and in the directories of CRM_LOCALE_DIR (os.pathsep-separated). A .po is compiled to .mo
at install (`make`); a .mo that is missing or older than its .po is compiled in memory instead.
"""
from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from crm_app.core import formats
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.core.paths import DATA_DIR

DEFAULT_LANG = "nl"
DOMAIN = "crm"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LOCALE_DIR_ENV = "CRM_LOCALE_DIR"


def locale_dirs(extra: str | None = None) -> tuple[Path, ...]:
    """The package's catalogues first, then those of CRM_LOCALE_DIR (a language found twice: the first wins)."""
    extra = os.environ.get(LOCALE_DIR_ENV, "") if extra is None else extra
    return (LOCALE_DIR, *(Path(part) for part in extra.split(os.pathsep) if part))


@functools.lru_cache(maxsize=8)
def _catalogue_files(extra: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in locale_dirs(extra):
        for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            found.setdefault(po.parents[1].name, po)
    return dict(sorted(found.items(), key=lambda item: (item[0] != DEFAULT_LANG, item[0])))


def catalogue_files() -> dict[str, Path]:
    """Language code → its .po file, Dutch first."""
    return _catalogue_files(os.environ.get(LOCALE_DIR_ENV, ""))


def languages() -> tuple[str, ...]:
    return tuple(catalogue_files())


def __getattr__(name: str):
    if name == "LANGS":   # computed on each use: CRM_LOCALE_DIR may add catalogues
        return languages()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def compile_catalogue(po: Path) -> bytes:
    """The .mo bytes of a .po file (untranslated and fuzzy messages left out, as msgfmt does)."""
    with po.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


def _load(po: Path) -> Translations:
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return Translations(compiled, domain=DOMAIN)
    return Translations(io.BytesIO(compile_catalogue(po)), domain=DOMAIN)


class _Missing(gettext.NullTranslations):
    """The end of every fallback chain: a message no catalogue holds is an error, not its id on screen."""

    def gettext(self, message):
        raise KeyError(message)

    def ngettext(self, msgid1, msgid2, n):
        raise KeyError(msgid1)


@functools.lru_cache(maxsize=16)
def _translations(lang: str, extra: str) -> Translations:
    files = _catalogue_files(extra)
    chain = _load(files[lang])
    if lang != DEFAULT_LANG:
        chain.add_fallback(_load(files[DEFAULT_LANG]))
    chain.add_fallback(_Missing())
    return chain


def translations(lang: str) -> Translations:
    """The catalogue of `lang` (an unknown language: Dutch), falling back to Dutch."""
    extra = os.environ.get(LOCALE_DIR_ENV, "")
    return _translations(lang if lang in _catalogue_files(extra) else DEFAULT_LANG, extra)


def translates(key: str, lang: str) -> bool:
    """Whether the catalogue of `lang` itself holds `key` (not through the Dutch fallback)."""
    files = catalogue_files()
    if lang not in files:
        return False
    return key in _translations(lang, os.environ.get(LOCALE_DIR_ENV, ""))._catalog


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    text = translations(lang).gettext(key)
    return text.format(**params) if params else text


def tn(key: str, count: int, lang: str = DEFAULT_LANG, **params) -> str:
    """A message with plural forms, chosen for `count` (which also fills `{count}`)."""
    return translations(lang).ngettext(key, key, count).format(count=count, **params)


def label(group: str, value: str | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return t("field.none", lang)
    return t(f"label.{group}.{value}", lang)


def error_text(error: FieldError | CrmError, lang: str = DEFAULT_LANG) -> str:
    """A refusal as a sentence for the user; a country code becomes its name, a count picks the plural form."""
    params = {name: formats.date(value, lang) if isinstance(value, dt.date) else value
              for name, value in error.params.items()}
    if "country" in params:
        from crm_app.core.reference import countries
        params["country_name"] = countries(lang).get(params["country"], params["country"])
    if "count" in params:
        return tn(f"err.{error.code}", params.pop("count"), lang, **params)
    return t(f"err.{error.code}", lang, **params)


def field_errors(error: ValidationError, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Field name → message, the first problem per field."""
    messages: dict[str, str] = {}
    for item in error.errors:
        messages.setdefault(item.field, error_text(item, lang))
    return messages


# -- the kiosk's own catalogue -------------------------------------------------------------------
KIOSK_DOMAIN = "kiosk"
KIOSK_FALLBACK = "en"
RTL_LANGS = frozenset({"ar", "fa"})
TRANSLATIONS_FILE = DATA_DIR / "translations.toml"


@functools.lru_cache(maxsize=1)
def kiosk_catalogue_files() -> dict[str, Path]:
    """Kiosk language code → its kiosk.po, in the order the kiosk's chooser shows them (review file order)."""
    found = {po.parents[1].name: po for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{KIOSK_DOMAIN}.po"))}
    order = list(_review_file())
    return dict(sorted(found.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def kiosk_languages() -> tuple[str, ...]:
    return tuple(kiosk_catalogue_files())


@functools.lru_cache(maxsize=16)
def _kiosk_translations(lang: str) -> Translations:
    files = kiosk_catalogue_files()
    chain = _load(files[lang if lang in files else KIOSK_FALLBACK])
    if lang != KIOSK_FALLBACK:
        chain.add_fallback(_load(files[KIOSK_FALLBACK]))
    chain.add_fallback(_Missing())
    return chain


def kt(key: str, lang: str, **params) -> str:
    """A kiosk text in `lang` (a kiosk language; English where a message is missing)."""
    text = _kiosk_translations(lang).gettext(key)
    return text.format(**params) if params else text


def direction(lang: str) -> str:
    """"rtl" for a language written from right to left, else "ltr"."""
    return "rtl" if lang in RTL_LANGS else "ltr"


@dataclass(frozen=True)
class Review:
    """A kiosk language's translation as its translator left it: `draft` until a native speaker reviewed it."""
    lang: str
    status: str          # draft | reviewed
    translator: str
    reviewer: str
    reviewed_on: str
    note: str


@functools.lru_cache(maxsize=1)
def _review_file() -> dict[str, dict]:
    with TRANSLATIONS_FILE.open("rb") as source:
        return tomllib.load(source)


def review_status() -> list[Review]:
    """Per kiosk language, who translated it and whether a native speaker has reviewed it (data/translations.toml)."""
    return [Review(lang, str(entry.get("status", "draft")), str(entry.get("translator", "")),
                   str(entry.get("reviewer", "")), str(entry.get("reviewed_on", "")), str(entry.get("note", "")))
            for lang, entry in _review_file().items()]
