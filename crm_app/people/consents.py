"""Consent per purpose, kept as a history: every give and withdraw is a row, the latest counts."""
from __future__ import annotations

from crm_app.access import audit
from crm_app.access.audit import Actor
from crm_app.core import permissions, reference
from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, NotFound, ValidationError
from crm_app.networks import registry
from crm_app.people import dedupe

# Withdrawing diversity_statistics removes every optional dimension (validation.DIMENSION_FIELDS) at once.
_CLEAR_DIMENSIONS = (
    "UPDATE person SET gender = NULL, birth_year = NULL, country_of_origin = NULL, education_level = NULL, "
    "municipality = NULL, district = NULL, arrival_year = NULL, integration_route = NULL, "
    "family_year_block = NULL WHERE id = ?"
)


def record(cur, person_id: int, purpose: str, granted: bool, method: str, actor: Actor, *,
           text_version: str | None = None) -> None:
    """One give or withdraw; `text_version` names the consent text shown (default: the staff screens' text)."""
    if purpose not in reference.CONSENT_PURPOSES:
        raise ValidationError([FieldError("consent_purpose", "invalid_choice")])
    if method not in reference.CONSENT_METHODS:
        raise ValidationError([FieldError("consent_method", "invalid_choice")])
    if purpose == "share_with_referrer" and granted and not has_referrer(cur, person_id):
        raise ValidationError([FieldError("consent_share_with_referrer", "referrer_source_needed")])
    cur.execute(
        "INSERT INTO consent (person_id, purpose, granted, method, text_version, recorded_utc, recorded_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [person_id, purpose, granted, method, text_version or reference.CONSENT_TEXT_VERSION, utcnow(), actor.user_id],
    )
    if purpose == "contact" and not granted:
        # Without consent to contact, the contact details have no basis to be kept.
        cur.execute("UPDATE person SET phone_e164 = NULL, phone_country = NULL, email = NULL, email_key = NULL "
                    "WHERE id = ?", [person_id])
        _off_waiting_lists(cur, person_id, actor)
    if purpose == "diversity_statistics" and not granted:
        # Withdrawal removes the optional dimensions at once (the birth year in the name keys too).
        cur.execute(_CLEAR_DIMENSIONS, [person_id])
        dedupe.refresh_name_keys(cur, [person_id])


def has_referrer(cur, person_id: int) -> bool:
    """Whether a coach, an alumnus or an organisation referred the person: only then is there someone to share with."""
    return cur.execute("SELECT 1 FROM person_source WHERE person_id = ? AND kind IN (SELECT unnest(?))",
                       [person_id, list(reference.REFERRER_SOURCE_KINDS)]).fetchone() is not None


def _off_waiting_lists(cur, person_id: int, actor: Actor) -> None:
    """Nobody may contact them about a place: active entries end `withdrawn` (reason
    `contact_consent_withdrawn`), open offers are withdrawn, each with an audit event."""
    rows = cur.execute("SELECT id, network_id FROM waitlist_entry WHERE person_id = ? AND status IN ('waiting', 'offered') "
                       "ORDER BY id", [person_id]).fetchall()
    now = utcnow()
    for entry_id, network_id in rows:
        registry.lock(cur, network_id)       # places change: serialise with fills of this network
        if cur.execute("UPDATE offer SET status = 'withdrawn', responded_utc = ? WHERE waitlist_entry_id = ? "
                       "AND status = 'open' RETURNING id", [now, entry_id]).fetchall():
            audit.record(cur, actor, "offer.withdraw", "person", person_id, "contact_consent_withdrawn")
        cur.execute("UPDATE waitlist_entry SET status = 'withdrawn', status_reason = 'contact_consent_withdrawn', "
                    "status_utc = ? WHERE id = ?", [now, entry_id])
        audit.record(cur, actor, "waitlist.withdrawn", "person", person_id, "contact_consent_withdrawn")


def current(cur, person_id: int) -> dict[str, bool]:
    """Purpose → whether consent is given now (purposes never asked are absent)."""
    rows = cur.execute(
        "SELECT purpose, arg_max(granted, id) FROM consent WHERE person_id = ? GROUP BY purpose", [person_id]
    ).fetchall()
    return dict(rows)


def history(cur, person_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT c.purpose, c.granted, c.method, c.text_version, c.recorded_utc, u.display_name "
        "FROM consent c LEFT JOIN app_user u ON u.id = c.recorded_by WHERE c.person_id = ? ORDER BY c.id DESC",
        [person_id],
    ).fetchall()
    keys = ("purpose", "granted", "method", "text_version", "recorded_utc", "recorded_by")
    return [dict(zip(keys, row)) for row in rows]


def set_consent(store, actor: Actor, person_id: int, purpose: str, granted: bool, method: str) -> None:
    """Give or withdraw one consent; withdrawing removes the data that depended on it."""
    permissions.require(actor.role, "person.edit")

    def work(cur):
        if not cur.execute("SELECT 1 FROM person WHERE id = ?", [person_id]).fetchone():
            raise NotFound("person_not_found")
        record(cur, person_id, purpose, granted, method, actor)
        audit.record(cur, actor, f"consent.{'give' if granted else 'withdraw'}.{purpose}", "person", person_id)

    store.write(work)
