"""Which column of a file holds which field: guessed from the header (Dutch or English), given
explicitly, and remembered per source so the next list from the same partner maps itself.
"""
from __future__ import annotations

import json
import re
import unicodedata

from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, ValidationError

# The fields a column can fill; "" means the column is left out.
FIELDS = (
    "given_name", "family_name", "phone", "phone_country", "email", "preferred_language", "other_languages",
    "note", "consent_contact", "consent_diversity_statistics", "gender", "birth_year", "country_of_origin",
    "education_level", "municipality", "district", "arrival_year", "integration_route",
    "source_kind", "source_name", "source_org", "source_date",
)

# Header words per field, compared folded (lower case, no accents, only letters and digits).
_ALIASES = {
    "given_name": ("voornaam", "voornamen", "roepnaam", "given_name", "given name", "first name", "firstname",
                   "forename"),
    "family_name": ("achternaam", "familienaam", "family_name", "family name", "last name", "lastname",
                    "surname"),
    "phone": ("telefoon", "telefoonnummer", "tel", "mobiel", "mobiele nummer", "06", "phone", "phone number",
              "mobile", "telephone"),
    "phone_country": ("landcode", "land telefoon", "phone_country", "phone country", "dialing country"),
    "email": ("e-mail", "email", "e-mailadres", "emailadres", "mail", "email address"),
    "preferred_language": ("taal", "voorkeurstaal", "preferred_language", "language", "preferred language"),
    "other_languages": ("andere talen", "talen", "other_languages", "other languages", "languages"),
    "note": ("notitie", "opmerking", "opmerkingen", "note", "notes", "remark", "comment"),
    "consent_contact": ("toestemming contact", "toestemming", "consent_contact", "consent contact", "consent"),
    "consent_diversity_statistics": ("toestemming diversiteit", "toestemming statistiek",
                                     "consent_diversity_statistics", "consent diversity", "diversity consent"),
    "gender": ("gender", "geslacht", "sekse"),
    "birth_year": ("geboortejaar", "birth_year", "birth year", "year of birth"),
    "country_of_origin": ("land van herkomst", "herkomstland", "herkomst", "country_of_origin", "country of origin",
                          "origin"),
    "education_level": ("opleiding", "opleidingsniveau", "education_level", "education level", "education"),
    "municipality": ("gemeente", "woonplaats", "municipality", "city"),
    "district": ("wijk", "buurt", "stadsdeel", "district", "neighbourhood", "neighborhood"),
    "arrival_year": ("jaar van aankomst", "aankomstjaar", "in nederland sinds", "arrival_year", "arrival year"),
    "integration_route": ("inburgeringsroute", "route", "leerroute", "integration_route", "integration route"),
    "source_kind": ("bron", "soort bron", "source", "source_kind", "source kind"),
    "source_name": ("naam bron", "bronnaam", "markt", "coach", "organisatie", "source_name", "source name"),
    "source_org": ("organisatie coach", "source_org", "source organisation", "source organization"),
    "source_date": ("datum", "datum bron", "source_date", "source date", "date"),
}


def fold(header: str) -> str:
    text = unicodedata.normalize("NFKD", header or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", text)


_BY_WORD = {fold(word): name for name, words in _ALIASES.items() for word in words}


def guess(headers: list[str]) -> dict[str, str]:
    """Header → field for every header recognised; a field is taken by its first column only."""
    mapping: dict[str, str] = {}
    for header in headers:
        field = _BY_WORD.get(fold(header))
        if field and field not in mapping.values() and header not in mapping:
            mapping[header] = field
    return mapping


def parse_pairs(pairs: list[str], headers: list[str]) -> dict[str, str]:
    """`COLUMN=FIELD` pairs from the command line, checked against the file's header and the fields."""
    mapping: dict[str, str] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        column, sep, field = pair.partition("=")
        column, field = column.strip(), field.strip()
        if not sep or column not in headers:
            errors.append(FieldError("map", "import_unknown_column", {"column": column[:60]}))
        elif field and field not in FIELDS:
            errors.append(FieldError("map", "import_unknown_field", {"field": field[:60]}))
        else:
            mapping[column] = field
    if errors:
        raise ValidationError(errors)
    return mapping


def complete(headers: list[str], given: dict[str, str], remembered: dict[str, str] | None) -> dict[str, str]:
    """The mapping to use: what was given, else what was remembered for this source, else the header guess."""
    base = dict(guess(headers))
    for column, field in (remembered or {}).items():
        if column in headers and (not field or field in FIELDS):
            base[column] = field
    base.update(given)
    mapping, taken = {}, set()
    for column in headers:
        field = base.get(column, "")
        if field and field not in taken:
            mapping[column] = field
            taken.add(field)
    return mapping


def check(mapping: dict[str, str]) -> None:
    """A mapping must name the given name; a field mapped twice cannot be told apart."""
    fields = [field for field in mapping.values() if field]
    errors = []
    if "given_name" not in fields:
        errors.append(FieldError("map", "import_given_name_unmapped"))
    if len(fields) != len(set(fields)):
        errors.append(FieldError("map", "import_field_twice"))
    if errors:
        raise ValidationError(errors)


def source_key(kind: str | None, name: str | None) -> str:
    return f"{kind or ''}|{(name or '').strip().casefold()}"


def remembered(cur, key: str) -> dict[str, str] | None:
    row = cur.execute("SELECT mapping FROM import_mapping WHERE source_key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


def remember(cur, key: str, mapping: dict[str, str]) -> None:
    cur.execute("INSERT OR REPLACE INTO import_mapping (source_key, mapping, updated_utc) VALUES (?, ?, ?)",
                [key, json.dumps(mapping, ensure_ascii=False, sort_keys=True), utcnow()])
