"""One file row → a person and a source, checked by the same validators as a registration.

A file states consent in a column or not at all: an empty or missing consent column is a no, never
assumed. A cell that starts with `=` or `@` is a spreadsheet formula, not a value, and is refused. A cell
that an earlier download neutralised (a leading apostrophe) is read back as it was.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass

from crm_app.core import i18n, reference
from crm_app.core.cells import restore
from crm_app.core.errors import FieldError, ValidationError
from crm_app.people import dedupe, names
from crm_app.people.sources import CleanSource, SourceInput, validate_source
from crm_app.people.validation import CleanPerson, PersonInput, validate_person

_YES = frozenset({"ja", "j", "yes", "y", "1", "true", "waar", "x", "v"})
_NO = frozenset({"nee", "n", "no", "0", "false", "onwaar", "-"})
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_LIST_SPLIT = re.compile(r"\s*[,;/|]\s*")
CONSENT_METHOD = "written"   # the consent came in on a list: given in writing to whoever made it


@dataclass(frozen=True)
class Defaults:
    """What applies to a row that does not say it itself."""
    source_kind: str | None = None
    source_name: str | None = None
    phone_country: str = "NL"


@dataclass
class Checked:
    """A valid row, ready to store: the person, the source, the duplicate-check keys and its identity."""
    person: CleanPerson
    source: CleanSource
    keys: dedupe.Keys
    row_key: str


@functools.cache
def _kind_words() -> dict[str, str]:
    words = {kind: kind for kind in reference.SOURCE_KINDS}
    for lang in i18n.LANGS:
        words.update({i18n.label("source_kind", kind, lang).casefold(): kind for kind in reference.SOURCE_KINDS})
    return words


def _source_kind(raw: str) -> str:
    """A source kind as its code, or its label in Dutch or English ("Markt" → market)."""
    return _kind_words().get(raw.strip().casefold(), raw)


def _date(raw: str) -> str:
    match = _DUTCH_DATE.match(raw.strip())
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return raw
    return raw


def _yes_no(raw: str, field: str, errors: list[FieldError]) -> bool:
    folded = raw.strip().casefold()
    if folded in _YES:
        return True
    if folded and folded not in _NO:
        errors.append(FieldError(field, "import_not_yes_no"))
    return False


def values(row: list[str], headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Field → the row's cell, for every mapped column."""
    index = {header: position for position, header in enumerate(headers)}
    return {field: restore(row[index[column]]) for column, field in mapping.items() if field and column in index}


def check(cells: dict[str, str], defaults: Defaults) -> Checked:
    """Validate one row; raise one ValidationError naming every field that is wrong."""
    errors = [FieldError(field, "import_formula") for field, value in cells.items()
              if value.lstrip().startswith(("=", "@"))]
    if errors:
        raise ValidationError(errors)
    get = lambda name: (cells.get(name) or "").strip() or None
    consent_contact = _yes_no(cells.get("consent_contact", ""), "consent_contact", errors)
    consent_diversity = _yes_no(cells.get("consent_diversity_statistics", ""), "consent_diversity_statistics", errors)
    data = PersonInput(
        given_name=get("given_name"), family_name=get("family_name"), phone=get("phone"),
        phone_country=get("phone_country") or defaults.phone_country, email=get("email"),
        preferred_language=get("preferred_language"),
        other_languages=[part for part in _LIST_SPLIT.split(get("other_languages") or "") if part],
        note=get("note"), consent_contact=consent_contact, consent_diversity_statistics=consent_diversity,
        gender=get("gender"), birth_year=get("birth_year"), country_of_origin=get("country_of_origin"),
        education_level=get("education_level"), municipality=get("municipality"), district=get("district"),
        arrival_year=get("arrival_year"), integration_route=get("integration_route"),
    )
    kind = get("source_kind")
    source_in = SourceInput(kind=_source_kind(kind) if kind else defaults.source_kind,
                            source_name=get("source_name") or defaults.source_name,
                            source_org=get("source_org"), source_date=_date(get("source_date") or "") or None)
    try:
        person = validate_person(data)
    except ValidationError as exc:
        errors.extend(exc.errors)
        person = None
    source = validate_source(source_in, errors)
    if errors:
        raise ValidationError(errors)
    keys = _keys(person)
    return Checked(person, source, keys, row_key(person, keys, source))


def _keys(person: CleanPerson) -> dedupe.Keys:
    """The person's stored keys as dedupe.Keys.of makes them, without the typo-tolerant look-up keys: the file's
    duplicate check builds those in SQL. Names repeat down a list, so their folds and skeletons are cached."""
    given, family, year = _skeleton(person.given_name), _skeleton(person.family_name), person.dimensions["birth_year"]
    return dedupe.Keys(person.phone_e164, person.email_key, _fold(person.given_name), _fold(person.family_name),
                       f"{given}|{family}", f"{family}|{given}", f"{family}|{year}" if family and year else None)


_fold = functools.lru_cache(maxsize=50_000)(names.fold)
_skeleton = functools.lru_cache(maxsize=50_000)(names.skeleton)


def row_key(person: CleanPerson, keys: dedupe.Keys, source: CleanSource) -> str:
    """The row's identity: the same person from the same source, however the file spelled the cells."""
    canonical = json.dumps([keys.given_key, keys.family_key, person.phone_e164, person.email_key,
                            person.preferred_language, person.dimensions["birth_year"], source.kind,
                            (source.source_name or "").casefold()], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
