"""Persons: register (with the duplicate check first), edit, open and find.

Pages and the `crm` command both call these; each checks the actor's permission and writes an
audit event (never the personal data itself).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, reference
from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, NotFound, PermissionDenied, ValidationError
from crm_app.core.fields import email_key, phone_variants
from crm_app.networks import memberships, offers, rotation, waitlists
from crm_app.people import activities, consents, dedupe, duplicates, interests, sources
from crm_app.people.names import fold, skeleton
from crm_app.people.sources import SourceInput
from crm_app.people.stages import MANUAL_STAGES
from crm_app.people.validation import CleanPerson, PersonInput, validate_person

FIND_LIMIT = 50


@dataclass
class Registration:
    """Outcome of a registration attempt: the new id, or the possible duplicates that stopped it."""
    person_id: int | None
    phone_e164: str | None
    duplicates: list[dedupe.Match] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.person_id is not None


def _validate(data: PersonInput, source: SourceInput | None, *, only_source: bool = False,
              contact_needed: bool = False) -> tuple[CleanPerson, sources.CleanSource | None]:
    """Check person and source together, every problem at once. With `only_source` (a new person), sharing
    with the referrer needs this source to have a referrer; with `contact_needed` (the kiosk: nobody to
    call back otherwise), a phone or an email is required."""
    errors: list[FieldError] = []
    try:
        person = validate_person(data)
    except ValidationError as exc:
        errors.extend(exc.errors)
        person = None
    clean_source = sources.validate_source(source, errors) if source is not None else None
    if only_source and data.consent_share_with_referrer and getattr(source, "kind", None) \
            not in reference.REFERRER_SOURCE_KINDS:
        errors.append(FieldError("consent_share_with_referrer", "referrer_source_needed"))
    if contact_needed and not ((data.phone or "").strip() or (data.email or "").strip()):
        errors.append(FieldError("phone", "contact_required"))
    if errors:
        raise ValidationError(errors)
    return person, clean_source


def _keys(person: CleanPerson) -> dedupe.Keys:
    return dedupe.Keys.of(person.given_name, person.family_name, person.phone_e164, person.email_key,
                          person.dimensions["birth_year"])


def check_duplicates(store, actor: Actor, data: PersonInput, *, exclude_id: int | None = None) -> list[dedupe.Match]:
    """Validate and look for possible duplicates without storing anything."""
    permissions.require(actor.role, "person.register")
    person, _ = _validate(data, None)
    with store.read() as cur:
        return dedupe.find_duplicates(cur, _keys(person), person.dimensions["birth_year"], exclude_id=exclude_id)


def register(store, actor: Actor, data: PersonInput, source: SourceInput, *,
             consent_method: str = "verbal", confirmed_new: bool = False, consent_version: str | None = None,
             interests_in: tuple[int, ...] = ()) -> Registration:
    """Store a new person with their first source and consents.

    Unless `confirmed_new`, possible duplicates stop the registration: nothing is stored and the
    matches are returned so a person can decide (open the existing record, or confirm a new one).
    A kiosk only self-registers: the source must say so, the person is always stored, and no
    matches are returned (the kiosk sees nobody else). A person stored despite matches (a kiosk, or
    `confirmed_new`) is put in the review queue with each match, for staff to decide.
    `consent_version` names the consent text shown (the kiosk's includes its language); `interests_in`: the
    open networks the person is interested in.
    """
    kiosk = actor.role == "kiosk"
    permissions.require(actor.role, "person.self_register" if kiosk else "person.register")
    if kiosk and getattr(source, "kind", None) != "self_registration":
        raise PermissionDenied("permission_denied", action="person.register")
    person, source_clean = _validate(data, source, only_source=True, contact_needed=kiosk)
    keys = _keys(person)

    def work(cur):
        matches = dedupe.find_duplicates(cur, keys, person.dimensions["birth_year"])
        if matches and not (confirmed_new or kiosk):
            return Registration(None, person.phone_e164, matches)
        now = utcnow()
        dims = person.dimensions
        person_id = cur.execute(
            """INSERT INTO person (given_name, family_name, phone_e164, phone_country, email, preferred_language,
                   other_languages, note, gender, birth_year, country_of_origin, education_level, municipality,
                   district, arrival_year, integration_route, email_key, given_key, family_key, name_block,
                   family_year_block, created_utc, updated_utc, created_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [person.given_name, person.family_name, person.phone_e164, person.phone_country, person.email,
             person.preferred_language, person.other_languages, person.note, dims["gender"], dims["birth_year"],
             dims["country_of_origin"], dims["education_level"], dims["municipality"], dims["district"],
             dims["arrival_year"], dims["integration_route"], keys.email_key, keys.given_key, keys.family_key,
             keys.name_block, keys.family_year_block, now, now, actor.user_id],
        ).fetchone()[0]
        dedupe.refresh_name_keys(cur, [person_id])
        sources.insert(cur, person_id, source_clean, actor)
        for purpose, given in person.consents_asked().items():
            if given:
                consents.record(cur, person_id, purpose, True, consent_method, actor, text_version=consent_version)
        interests.note(cur, person_id, interests_in, "kiosk" if kiosk else "staff")
        if matches:  # stored although it may be someone known: staff review the pair later
            duplicates.flag(cur, person_id, matches, "kiosk" if kiosk else "registration")
        audit.record(cur, actor, "person.register", "person", person_id)
        return Registration(person_id, person.phone_e164, [] if kiosk else matches)

    return store.write(work)


def update(store, actor: Actor, person_id: int, data: PersonInput, *, consent_method: str = "verbal") -> None:
    """Edit a person with the same validation as registration; consent changes are recorded as history.

    Withdrawing the contact consent removes the contact details (consents.record), so the form's phone
    and email go with it instead of refusing the form for holding them."""
    permissions.require(actor.role, "person.edit")
    with store.read() as cur:
        if consents.current(cur, person_id).get("contact") and not data.consent_contact:
            data = replace(data, phone=None, email=None)
    person, _ = _validate(data, None)
    store.write(_apply_update, actor, person_id, person, consent_method)


def _apply_update(cur, actor: Actor, person_id: int, person: CleanPerson, consent_method: str) -> None:
    if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
        raise NotFound("person_not_found")
    keys = _keys(person)
    given = consents.current(cur, person_id)
    for purpose, wanted in person.consents_asked().items():
        if given.get(purpose, False) != wanted:
            consents.record(cur, person_id, purpose, wanted, consent_method, actor)
            audit.record(cur, actor, f"consent.{'give' if wanted else 'withdraw'}.{purpose}", "person", person_id)
    dims = person.dimensions
    cur.execute(
        """UPDATE person SET given_name = ?, family_name = ?, phone_e164 = ?, phone_country = ?, email = ?,
               preferred_language = ?, other_languages = ?, note = ?, gender = ?, birth_year = ?,
               country_of_origin = ?, education_level = ?, municipality = ?, district = ?, arrival_year = ?,
               integration_route = ?, email_key = ?, given_key = ?, family_key = ?, name_block = ?,
               family_year_block = ?, updated_utc = ? WHERE id = ?""",
        [person.given_name, person.family_name, person.phone_e164, person.phone_country, person.email,
         person.preferred_language, person.other_languages, person.note, dims["gender"], dims["birth_year"],
         dims["country_of_origin"], dims["education_level"], dims["municipality"], dims["district"],
         dims["arrival_year"], dims["integration_route"], keys.email_key, keys.given_key, keys.family_key,
         keys.name_block, keys.family_year_block, utcnow(), person_id],
    )
    dedupe.refresh_name_keys(cur, [person_id])
    audit.record(cur, actor, "person.edit", "person", person_id)


# What "Same person" can take over from a registration form: field → the PersonInput attributes it sets.
TYPED_FIELDS: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name",), "family_name": ("family_name",), "phone": ("phone", "phone_country"),
    "email": ("email",), "preferred_language": ("preferred_language",), "other_languages": ("other_languages",),
    "note": ("note",), "consent_contact": ("consent_contact",),
    "consent_diversity_statistics": ("consent_diversity_statistics",),
    "consent_share_with_referrer": ("consent_share_with_referrer",), "consent_photo": ("consent_photo",),
    **{name: (name,) for name in ("gender", "birth_year", "country_of_origin", "education_level", "municipality",
                                  "district", "arrival_year", "integration_route")},
}


def typed_differences(existing: PersonInput, typed: PersonInput) -> list[str]:
    """The fields where the form holds a value the existing record lacks or has otherwise (in form order)."""
    found = []
    try:
        clean = validate_person(typed)   # a phone in any notation, an email in any case: compared normalised
    except ValidationError:
        clean = None
    for name, attrs in TYPED_FIELDS.items():
        new, old = getattr(typed, attrs[0]), getattr(existing, attrs[0])
        if clean is not None and name in ("phone", "email"):
            new = clean.phone_e164 if name == "phone" else clean.email_key
            old = old if name == "phone" else email_key(old) if old else None
        if name == "other_languages":
            if set(new or ()) - set(old or ()):
                found.append(name)
        elif new not in (None, "", False) and str(new).strip() != str(old or "").strip():
            found.append(name)
    return found


def add_to_existing(store, actor: Actor, person_id: int, typed: PersonInput, source: SourceInput,
                    take: list[str], *, consent_method: str = "verbal") -> None:
    """"Same person" at registration: the typed source is added to the existing person and the fields in `take`
    get the typed values (languages are added to theirs), validated as an edit, all in one unit of work."""
    permissions.require(actor.role, "person.edit")
    with store.read() as cur:
        if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
            raise NotFound("person_not_found")
    data = to_input(get(store, actor, person_id, record_view=False))
    for name in take:
        for attr in TYPED_FIELDS[name]:
            value = getattr(typed, attr)
            if name == "other_languages":
                value = list(dict.fromkeys([*data.other_languages, *value]))
            setattr(data, attr, value)
    person, source_clean = _validate(data, source)

    def work(cur):
        sources.insert(cur, person_id, source_clean, actor)   # first: a referring source allows sharing with them
        if take:
            _apply_update(cur, actor, person_id, person, consent_method)
        audit.record(cur, actor, "person.add_source", "person", person_id)

    store.write(work)


def set_stage(store, actor: Actor, person_id: int, stage: str | None) -> None:
    """Record a stage that no fact shows (interested, not interested, unreachable, withdrawn), or clear it."""
    permissions.require(actor.role, "person.edit")
    if stage is not None and stage not in MANUAL_STAGES:
        raise ValidationError([FieldError("stage", "invalid_choice")])

    def work(cur):
        if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
            raise NotFound("person_not_found")
        cur.execute("UPDATE person SET stage_manual = ?, updated_utc = ? WHERE id = ?", [stage, utcnow(), person_id])
        audit.record(cur, actor, "person.set_stage", "person", person_id)

    store.write(work)


_PERSON_QUERY = (
    "SELECT p.id, p.given_name, p.family_name, p.phone_e164, p.phone_country, p.email, p.preferred_language, "
    "p.other_languages, p.note, p.stage_manual, p.gender, p.birth_year, p.country_of_origin, p.education_level, "
    "p.municipality, p.district, p.arrival_year, p.integration_route, p.created_utc, p.updated_utc, s.stage "
    "FROM person p JOIN person_stage s ON s.person_id = p.id WHERE p.id = ?"
)


def get(store, actor: Actor, person_id: int, *, record_view: bool = True) -> dict:
    """Everything about one person: record, stage, sources, consents, contact moments.

    The read is audited; a screen that redraws the same person passes `record_view=False` after the first time.
    """
    permissions.require(actor.role, "person.view")

    def work(cur):
        row = cur.execute(_PERSON_QUERY, [person_id]).fetchone()
        if row is None:
            raise NotFound("person_not_found")
        person = dict(zip((column[0] for column in cur.description), row))
        person["sources"] = sources.of_person(cur, person_id)
        person["consents"] = consents.current(cur, person_id)
        person["consent_history"] = consents.history(cur, person_id)
        person["interests"] = interests.of_person(cur, person_id)
        person["activities"] = activities.of_person(cur, person_id)
        person["waitlists"] = waitlists.of_person(cur, person_id)
        person["offers"] = offers.of_person(cur, person_id)
        person["memberships"] = memberships.of_person(cur, person_id)
        person["resting"] = [s for s in rotation.status_of_person(cur, person_id) if s["resting"]]
        if record_view:
            audit.record(cur, actor, "person.view", "person", person_id)
        return person

    return store.write(work)


def to_input(person: dict) -> PersonInput:
    """The stored record as form input, for editing with the same validation."""
    return PersonInput(
        given_name=person["given_name"], family_name=person["family_name"],
        phone=person["phone_e164"], phone_country=person["phone_country"] or "NL", email=person["email"],
        preferred_language=person["preferred_language"], other_languages=list(person["other_languages"] or []),
        note=person["note"], consent_contact=person["consents"].get("contact", False),
        consent_diversity_statistics=person["consents"].get("diversity_statistics", False),
        consent_share_with_referrer=person["consents"].get("share_with_referrer"),
        consent_photo=person["consents"].get("photo"),
        gender=person["gender"], birth_year=person["birth_year"], country_of_origin=person["country_of_origin"],
        education_level=person["education_level"], municipality=person["municipality"],
        district=person["district"], arrival_year=person["arrival_year"],
        integration_route=person["integration_route"],
    )


def count(store, actor: Actor) -> int:
    """How many persons the CRM holds (the start screen's figure; a number, so not audited)."""
    permissions.require(actor.role, "person.search")
    with store.read() as cur:
        return cur.execute("SELECT count(*) FROM person").fetchone()[0]


def find(store, actor: Actor, text: str, limit: int = FIND_LIMIT) -> list[dict]:
    """Persons matching a name typed in part or spelled otherwise (any script), a phone number in any
    notation, or an email. Each result says how it matched (`matched`: name, name_variant, phone, email);
    exact word matches come before spelling variants."""
    permissions.require(actor.role, "person.search")
    text = (text or "").strip()[:200]
    if not text:
        return []
    phones = phone_variants(text)
    email = email_key(text) if "@" in text else None
    tokens = fold(text).split()[:MAX_FIND_WORDS]
    with store.read() as cur:
        hits: dict[int, set[str]] = {}
        if phones:
            national = "".join(c for c in text if c.isdigit()).lstrip("0")
            suffix = f"%{national}" if not text.lstrip().startswith("+") and len(national) >= 7 else None
            # a foreign number typed nationally (0944 123 456): matched on its national digits
            for (pid,) in cur.execute(
                    f"SELECT id FROM person WHERE phone_e164 IN ({', '.join('?' * len(phones))}) "
                    "OR phone_e164 LIKE ?", [*phones, suffix]).fetchall():
                hits.setdefault(pid, set()).add("phone")
        if email:
            for (pid,) in cur.execute("SELECT id FROM person WHERE email_key = ?", [email]).fetchall():
                hits.setdefault(pid, set()).add("email")
        if tokens and not phones and not email:
            for pid, exact in _name_hits(cur, tokens, limit):
                hits.setdefault(pid, set()).add("name" if exact else "name_variant")
        rows = _rows(cur, hits, limit)

    def work(cur):  # a search shows personal data: audited, without the search text
        audit.record(cur, actor, "person.search", None, None, f"results={len(rows)}")

    store.write(work)
    return rows


MAX_FIND_WORDS = 6
FIND_CANDIDATES = 500   # persons a name search orders by name; a broader one is cut to the first by number
_MATCH_ORDER = ("phone", "email", "name", "name_variant")


def _name_hits(cur, tokens: list[str], limit: int) -> list[tuple[int, bool]]:
    """(person, every word matched exactly) through the key tables' indexes, never a scan of persons: each
    word typed is the start of a name word ('p:' keys of person_find_key) or has the skeleton of the given or
    the family name ('s:' keys); two or more words also meet the duplicate check's typo-tolerant given|family
    keys (person_name_key, either way round, any birth year), kept when the names are as similar as the check
    requires. Exact words first, then by name;
    of a very broad search (one letter) the first FIND_CANDIDATES persons by number are ordered."""
    parts, params = [], []
    for n, token in enumerate(tokens):
        # one equality per key: each is answered from the key's index (an IN list scans the table)
        parts.append(f"t{n} AS (SELECT person_id, bool_or(word) AS word FROM ("
                     "SELECT person_id, true AS word FROM person_find_key WHERE find_key = ? UNION ALL "
                     "SELECT person_id, false FROM person_find_key WHERE find_key = ?) GROUP BY person_id)")
        params += [f"p:{token}", f"s:{skeleton(token)}"]
    joined = " ".join(f"JOIN t{n} USING (person_id)" for n in range(1, len(tokens)))
    words = " AND ".join(f"t{n}.word" for n in range(len(tokens)))
    hits = dict(cur.execute(f"WITH {', '.join(parts)} SELECT t0.person_id, {words} FROM t0 {joined} "
                            f"ORDER BY 2 DESC, 1 LIMIT {FIND_CANDIDATES}", params).fetchall())
    if len(tokens) > 1:
        given, family = tokens[0], " ".join(tokens[1:])
        keys = sorted(set(dedupe.Keys.of(given, family, None, None, None).typo_keys)
                      | set(dedupe.Keys.of(family, given, None, None, None).typo_keys))
        lookups = " UNION ".join(["SELECT person_id FROM person_name_key WHERE name_key = ?"] * len(keys))
        for (pid,) in cur.execute(f"{lookups} LIMIT {FIND_CANDIDATES}", keys).fetchall():
            hits.setdefault(pid, None)      # None: found through the check's keys only, similarity decides
    if not hits:
        return []
    ids = list(hits)
    rows = cur.execute(
        "SELECT id, given_key, family_key, greatest("
        "(jaro_winkler_similarity(given_key, ?) + jaro_winkler_similarity(family_key, ?)) / 2, "
        "(jaro_winkler_similarity(given_key, ?) + jaro_winkler_similarity(family_key, ?)) / 2) "
        f"FROM person WHERE id IN ({', '.join('?' * len(ids))})",
        [tokens[0], " ".join(tokens[1:]), " ".join(tokens[1:]), tokens[0], *ids]).fetchall()
    kept = [(pid, bool(hits[pid]), given, family) for pid, given, family, similar in rows
            if hits[pid] is not None or similar >= dedupe.NAME_SIMILARITY_MIN]
    kept.sort(key=lambda r: (not r[1], r[2], r[3], r[0]))
    return [(pid, word) for pid, word, _, _ in kept[:limit]]


def _rows(cur, hits: dict[int, set[str]], limit: int) -> list[dict]:
    if not hits:
        return []
    keys = ("id", "given_name", "family_name", "phone_e164", "email", "stage", "created_utc")
    rows = cur.execute(
        "SELECT p.id, p.given_name, p.family_name, p.phone_e164, p.email, s.stage, p.created_utc "
        "FROM person p JOIN person_stage s ON s.person_id = p.id WHERE p.id IN (SELECT unnest(?::BIGINT[]))",
        [list(hits)]).fetchall()
    found = [dict(zip(keys, row)) | {"matched": [m for m in _MATCH_ORDER if m in hits[row[0]]]} for row in rows]
    found.sort(key=lambda r: (_MATCH_ORDER.index(r["matched"][0]), fold(r["given_name"]), fold(r["family_name"]), r["id"]))
    return found[:limit]
