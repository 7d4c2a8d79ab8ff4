"""Merging two records of one human keeps everything linked, never breaks a rule, and undoes exactly."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from networks_kit import network, seat

from crm_app.access.audit import Actor
from crm_app.core.errors import NotFound, ValidationError
from crm_app.networks import waitlists
from crm_app.people import activities, consents, duplicates, merges, persons, sources
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import erasure

# Written by the merge and its undo only as bookkeeping: the audit chain grows, the journal is the record of it,
# and network.version is the fill lock's counter (bumped by every lock, never read back as a value).
NOT_RESTORED = {"audit_event", "audit_head", "person_merge", "person_merge_change"}


def snapshot(store) -> dict[str, list]:
    """Every row of every table, sorted: what an exact undo must give back."""
    with store.read() as cur:
        tables = [r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        shot = {}
        for table in tables:
            if table in NOT_RESTORED:
                continue
            columns = "* EXCLUDE (version)" if table == "network" else "*"
            shot[table] = cur.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
        return shot


def add(store, actor, given, family, *, phone=None, email=None, birth_year=None, languages=(), note=None,
        source="Markt Oost") -> int:
    data = PersonInput(given_name=given, family_name=family, phone=phone, email=email, consent_contact=True,
                       consent_diversity_statistics=birth_year is not None, birth_year=birth_year,
                       other_languages=list(languages), note=note)
    return persons.register(store, actor, data, SourceInput(kind="market", source_name=source),
                            confirmed_new=True).person_id


@pytest.fixture
def boss(actor):
    return Actor(actor.user_id, "program_manager", "web")


@pytest.fixture
def pair(store, boss):
    """Two records of Yusuf: the second met at a kiosk with the same phone, a new email and a language."""
    kept = add(store, boss, "Yusuf", "Haddad", phone="06 12345678", birth_year=1990, languages=["ara"], note="Markt")
    merged = add(store, boss, "Youssef", "Haddad", phone="0612345678", email="youssef@example.org",
                 languages=["nld"], note="Kiosk", source="Bibliotheek")
    activities.log(store, boss, merged, "call", "Teruggebeld")
    return kept, merged


def linked(store, person_id):
    with store.read() as cur:
        return {table: sorted(r[0] for r in cur.execute(f"SELECT id FROM {table} WHERE person_id = ?",
                                                        [person_id]).fetchall())
                for table in ("person_source", "consent", "activity", "waitlist_entry", "offer", "membership")}


def test_merge_keeps_every_linked_record_and_the_chosen_fields(store, boss, pair):
    kept, merged = pair
    before = {table: linked(store, kept)[table] + linked(store, merged)[table] for table in linked(store, kept)}
    merge_id = merges.merge(store, boss, kept, merged, choices={"given_name": "kept", "email": "merged"})
    assert {table: sorted(ids) for table, ids in before.items()} == linked(store, kept)
    person = persons.get(store, boss, kept)
    assert person["email"] == "youssef@example.org"           # typed at the kiosk, not lost
    assert person["other_languages"] == ["ara", "nld"]        # both kept by default
    assert person["note"] == "Markt\nKiosk"
    assert [s["source_name"] for s in person["sources"]] == ["Markt Oost", "Bibliotheek"]
    with pytest.raises(NotFound):
        persons.get(store, boss, merged)
    with store.read() as cur:
        for table in ("person_name_key", "person_find_key"):     # the merged person's keys go with its row
            assert cur.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?", [merged]).fetchone() == (0,)
        assert cur.execute("SELECT result FROM audit_event WHERE action = 'person.merge'").fetchone() == (
            f"merge={merge_id} merged={merged}",)   # ids only


def test_undo_restores_every_row_exactly(store, boss, pair):
    kept, merged = pair
    net = network(store, boss)
    waitlists.add(store, boss, net, merged)
    duplicates.flag_possible_duplicates(store, merged, [kept], "kiosk")
    before = snapshot(store)
    merge_id = merges.merge(store, boss, kept, merged, choices={"given_name": "merged", "phone": "merged"})
    assert snapshot(store) != before
    assert merges.undo(store, boss, merge_id) == merged
    assert snapshot(store) == before
    with store.read() as cur:   # the journal held personal data; used, it is gone
        assert cur.execute("SELECT count(*) FROM person_merge_change").fetchone() == (0,)
    with pytest.raises(ValidationError):
        merges.undo(store, boss, merge_id)


def test_undo_refuses_when_the_kept_record_changed_since(store, boss, pair):
    kept, merged = pair
    merge_id = merges.merge(store, boss, kept, merged, choices={"email": "merged"})
    persons.update(store, boss, kept, PersonInput(given_name="Yusuf", family_name="Haddad", email="other@example.org",
                                                  consent_contact=True))
    with pytest.raises(ValidationError) as info:
        merges.undo(store, boss, merge_id)
    assert info.value.errors[0].code == "merge_changed_since"


def test_both_on_one_waiting_list_is_a_conflict_decided_not_a_broken_rule(store, boss, pair):
    kept, merged = pair
    net = network(store, boss)
    first, second = waitlists.add(store, boss, net, kept), waitlists.add(store, boss, net, merged)
    [conflict] = merges.preview(store, boss, kept, merged).conflicts
    assert (conflict.kind, conflict.kept_row, conflict.merged_row) == ("waitlist", first, second)
    with pytest.raises(ValidationError) as info:
        merges.merge(store, boss, kept, merged)
    assert info.value.errors[0].code == "merge_conflict_undecided"
    assert persons.get(store, boss, merged)          # refused: nothing changed
    merge_id = merges.merge(store, boss, kept, merged, decisions={conflict.key: second})
    statuses = {e["id"]: e["status"] for e in persons.get(store, boss, kept)["waitlists"]}
    assert statuses == {first: "withdrawn", second: "waiting"}    # both kept, one active
    before_undo = snapshot(store)
    merges.undo(store, boss, merge_id)
    assert snapshot(store) != before_undo
    assert {e["id"]: e["status"] for e in persons.get(store, boss, kept)["waitlists"]} == {first: "waiting"}


def test_two_places_in_one_network_end_one_of_them(store, boss, pair):
    kept, merged = pair
    net = network(store, boss)
    kept_place, merged_place = seat(store, boss, net, [kept, merged])
    [conflict] = merges.preview(store, boss, kept, merged).conflicts
    assert conflict.kind == "membership"
    merges.merge(store, boss, kept, merged, decisions={conflict.key: kept_place})
    with store.read() as cur:
        rows = dict(cur.execute("SELECT id, end_reason FROM membership WHERE person_id = ?", [kept]).fetchall())
        assert rows == {kept_place: None, merged_place: "removed"}
        assert cur.execute("SELECT count(*) FROM membership WHERE network_id = ? AND actual_end_date IS NULL",
                           [net]).fetchone() == (1,)


def test_merging_a_pair_closes_it_and_erasure_removes_the_journal(store, boss, pair):
    kept, merged = pair
    duplicates.flag_possible_duplicates(store, merged, [kept], "kiosk")
    [open_pair] = duplicates.open_pairs(store, boss)
    merges.merge(store, boss, kept, merged)
    assert duplicates.open_pairs(store, boss) == []
    with store.read() as cur:
        assert cur.execute("SELECT status FROM duplicate_pair WHERE id = ?", [open_pair["id"]]).fetchone() == ("merged",)
    admin = Actor(boss.user_id, "admin", "cli")
    erasure.erase(store, admin, kept)
    with store.read() as cur:
        for table in ("person_merge_change", "person_merge", "duplicate_pair"):
            assert cur.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    erased = {entry["person_id"] for entry in erasure.journal(store.path)}
    assert erased == {kept, merged}       # a restore from before the merge erases both again


def test_contact_consent_withdrawn_later_wins_and_takes_the_phone(store, boss, pair):
    kept, merged = pair
    consents.set_consent(store, boss, merged, "contact", False, "verbal")
    merges.merge(store, boss, kept, merged)
    person = persons.get(store, boss, kept)
    assert person["consents"]["contact"] is False and person["phone_e164"] is None


def test_merge_refuses_the_same_person_and_unknown_choices(store, boss, pair):
    kept, merged = pair
    with pytest.raises(ValidationError):
        merges.merge(store, boss, kept, kept)
    with pytest.raises(ValidationError):
        merges.merge(store, boss, kept, merged, choices={"given_name": "both"})
    with pytest.raises(NotFound):
        merges.merge(store, boss, kept, 99999)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kept_extra=st.lists(st.sampled_from(["source", "activity", "list", "consent"]), max_size=4),
       merged_extra=st.lists(st.sampled_from(["source", "activity", "list", "consent"]), max_size=4),
       pick=st.sampled_from(["kept", "merged"]))
def test_merging_preserves_all_linked_records(store, boss, kept_extra, merged_extra, pick):
    kept = add(store, boss, "Amal", "Haddad")
    merged = add(store, boss, "Amaal", "Hadad")
    net = network(store, boss, f"Net {kept}")
    for person_id, extra in ((kept, kept_extra), (merged, merged_extra)):
        for kind in extra:
            if kind == "source":
                sources.add_source(store, boss, person_id, SourceInput(kind="event", source_name="Feest"))
            elif kind == "activity":
                activities.log(store, boss, person_id, "visit", None)
            elif kind == "consent":
                consents.set_consent(store, boss, person_id, "photo", True, "verbal")
            elif not persons.get(store, boss, person_id, record_view=False)["waitlists"]:
                waitlists.add(store, boss, net, person_id)
    before = {t: sorted(linked(store, kept)[t] + linked(store, merged)[t]) for t in linked(store, kept)}
    decisions = {c.key: (c.kept_row if pick == "kept" else c.merged_row)
                 for c in merges.preview(store, boss, kept, merged).conflicts}
    merges.merge(store, boss, kept, merged, decisions=decisions)
    assert linked(store, kept) == before
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM waitlist_entry WHERE person_id = ? AND status = 'waiting'",
                           [kept]).fetchone()[0] <= 1


def test_subject_access_shows_the_pairs_and_the_records_merged_in(store, boss, pair):
    from crm_app.privacy import subject_access
    kept, merged = pair
    duplicates.flag_possible_duplicates(store, merged, [kept], "kiosk")
    merges.merge(store, boss, kept, merged)
    document = subject_access.collect(store, boss, kept)
    assert [(p["other_person_id"], p["status"]) for p in document["duplicate_pairs"]] == [(merged, "merged")]
    assert {row["merged_person_id"] for row in document["merges"]} == {merged}
    assert any(row["table_name"] == "person" and "Youssef" in row["old_value"] for row in document["merges"])
