"""Name keys and the duplicate check at entry, on a real store through persons.register."""
from __future__ import annotations

import pytest

from crm_app.core.fields import display_name
from crm_app.people import dedupe, persons
from crm_app.people.names import fold, skeleton
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

MARKET = SourceInput(kind="market", source_name="Vredenburg", source_date="2026-11-28")


@pytest.mark.parametrize("given, family, shown", [
    ("Amira", "Haddad", "Amira Haddad"),
    ("Amira", None, "Amira"),
    ("Amira", "", "Amira"),
    (None, None, ""),
])
def test_display_name_leaves_out_a_missing_family_name(given, family, shown):
    assert display_name(given, family) == shown


# -- fold and skeleton ----------------------------------------------------------------------------
@pytest.mark.parametrize("written, folded", [
    ("Muḥammad al-Sayyid", "muhammad al sayyid"),
    ("José", "jose"),
    ("Jose\u0301", "jose"),
    ("N'Diaye", "n diaye"),
    ("  O'Neil  ", "o neil"),
    ("Олександр", "oleksandr"),
    ("ተስፋይ", "tesfay"),
    ("محمد", "mhmd"),
    ("", ""),
    (None, ""),
])
def test_fold_turns_any_script_into_lower_case_ascii(written, folded):
    assert fold(written) == folded


@pytest.mark.parametrize("variants", [
    ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "محمد"),
    ("Yusuf", "Youssef", "Joesoef", "Yousef"),
    ("Tesfay", "Tesfaye", "ተስፋይ"),
    ("Oleksandr", "Olexander", "Олександр"),
    ("Hussein", "Hoessein", "Husein"),
    ("Fatima", "Fatma", "Fatemeh"),
])
def test_transliteration_variants_share_a_skeleton(variants):
    keys = {skeleton(name) for name in variants}
    assert len(keys) == 1, {name: skeleton(name) for name in variants}
    assert keys != {""}


@pytest.mark.parametrize("one, other", [("Ahmed", "Samira"), ("Yusuf", "Hussein"), ("Tesfay", "Oleksandr"),
                                        ("Amina", "Omar")])
def test_different_names_have_different_skeletons(one, other):
    assert skeleton(one) != skeleton(other)


def test_skeleton_of_nothing_is_empty():
    assert skeleton(None) == skeleton("") == skeleton("--") == ""


# -- the duplicate check through persons.register ----------------------------------------------
def entry(given, family=None, *, phone=None, email=None, birth_year=None, **extra) -> PersonInput:
    return PersonInput(given_name=given, family_name=family, phone=phone, email=email, birth_year=birth_year,
                       consent_contact=bool(phone or email), consent_diversity_statistics=birth_year is not None,
                       **extra)


def register(store, actor, data: PersonInput, **kwargs) -> persons.Registration:
    return persons.register(store, actor, data, MARKET, **kwargs)


def person_count(store) -> int:
    with store.read() as cur:
        return cur.execute("SELECT count(*) FROM person").fetchone()[0]


def only_match(registration: persons.Registration, expected_id: int):
    assert not registration.saved
    assert [m.person_id for m in registration.duplicates] == [expected_id]
    return registration.duplicates[0]


def test_same_phone_in_another_notation_is_a_match(store, actor):
    first = register(store, actor, entry("Amina", "Haddad", phone="06 12345678"))
    assert first.saved and first.phone_e164 == "+31612345678"
    again = register(store, actor, entry("Samira", "Ouali", phone="+31 (0)6-1234 5678"))
    match = only_match(again, first.person_id)
    assert "same_phone" in match.reasons
    assert match.certain
    assert (match.given_name, match.family_name, match.phone_e164) == ("Amina", "Haddad", "+31612345678")
    assert person_count(store) == 1


def test_same_email_in_other_case_is_a_match(store, actor):
    first = register(store, actor, entry("Amina", "Haddad", email="Amina.Haddad@Example.org"))
    again = register(store, actor, entry("Samira", "Ouali", email="AMINA.HADDAD@example.ORG"))
    match = only_match(again, first.person_id)
    assert match.reasons[0] == "same_email"
    assert match.certain
    assert person_count(store) == 1


@pytest.mark.parametrize("stored, typed", [
    (("Mohammed", "Al-Hassan", 1990), ("Muhammad", "Al-Hasan", 1990)),
    (("Mohamed", "Haddad", 1990), ("Mohammed", "Haddad", 1991)),
    (("Yusuf", "Haddad", 1985), ("Joesoef", "Haddad", 1985)),
    (("Youssef", "Benali", 1985), ("Yusuf", "Benali", None)),
    (("Tesfay", "Gebremedhin", 1992), ("Tesfaye", "Gebremedhin", 1993)),
    (("Oleksandr", "Kovalenko", 1979), ("Olexander", "Kovalenko", 1979)),
    (("Hussein", "Ahmadi", 2001), ("Hoessein", "Ahmadi", 2000)),
    (("Олександр", "Коваленко", 1979), ("Oleksandr", "Kovalenko", 1979)),
])
def test_transliteration_variant_with_compatible_birth_year_is_a_similar_name(store, actor, stored, typed):
    first = register(store, actor, entry(stored[0], stored[1], birth_year=stored[2]))
    again = register(store, actor, entry(typed[0], typed[1], birth_year=typed[2]))
    match = only_match(again, first.person_id)
    assert "similar_name" in match.reasons
    assert not match.certain
    if stored[2] is not None and typed[2] is not None:
        assert ("same_birth_year" if stored[2] == typed[2] else "near_birth_year") in match.reasons


def test_swapped_given_and_family_name_is_a_match(store, actor):
    first = register(store, actor, entry("Mohammed", "Hassan", birth_year=1990))
    again = register(store, actor, entry("Hassan", "Mohammed", birth_year=1990))
    match = only_match(again, first.person_id)
    assert "swapped_name" in match.reasons
    assert "similar_name" not in match.reasons


def test_similar_name_with_incompatible_birth_year_is_no_match(store, actor):
    register(store, actor, entry("Mohammed", "Al-Hassan", birth_year=1990))
    again = register(store, actor, entry("Muhammad", "Al-Hasan", birth_year=1970))
    assert again.saved
    assert again.duplicates == []
    assert person_count(store) == 2


def test_same_name_with_incompatible_birth_year_is_still_a_match_by_phone(store, actor):
    first = register(store, actor, entry("Mohammed", "Al-Hassan", birth_year=1990, phone="0612345678"))
    again = register(store, actor, entry("Mohammed", "Al-Hassan", birth_year=1970, phone="+31612345678"))
    match = only_match(again, first.person_id)
    assert match.reasons[0] == "same_phone"
    assert not {"same_birth_year", "near_birth_year"} & set(match.reasons)


@pytest.mark.parametrize("stored, typed", [
    (("Ahmed", "Yilmaz", 1990), ("Samira", "Benali", 1990)),
    (("Ahmed", None, None), ("Samira", None, None)),
    # Siblings (or namesakes) share a family name and may share a birth year: still different people.
    (("Ahmed", "Haddad", 1990), ("Samira", "Haddad", 1990)),
    (("Dawit", "Tesfamariam", 1995), ("Semhar", "Tesfamariam", 1995)),
])
def test_genuinely_different_name_is_no_match(store, actor, stored, typed):
    register(store, actor, entry(stored[0], stored[1], birth_year=stored[2]))
    again = register(store, actor, entry(typed[0], typed[1], birth_year=typed[2]))
    assert again.saved
    assert again.duplicates == []


def test_given_name_variant_outside_the_skeleton_is_found(store, actor):
    # Mehmet/Mehmed do not share a skeleton (mhmt/mhmd); they share one with a letter left out (mhm)
    first = register(store, actor, entry("Mehmet", "Yilmaz", birth_year=1988))
    again = register(store, actor, entry("Mehmed", "Yilmaz", birth_year=1988))
    match = only_match(again, first.person_id)
    assert "similar_name" in match.reasons


def test_confirmed_new_stores_despite_matches_and_still_reports_them(store, actor):
    first = register(store, actor, entry("Mohammed", "Al-Hassan", birth_year=1990, phone="0612345678"))
    stopped = register(store, actor, entry("Muhammad", "Al-Hasan", birth_year=1990, phone="0612345678"))
    assert not stopped.saved
    confirmed = register(store, actor, entry("Muhammad", "Al-Hasan", birth_year=1990, phone="0612345678"),
                         confirmed_new=True)
    assert confirmed.saved and confirmed.person_id != first.person_id
    assert [m.person_id for m in confirmed.duplicates] == [first.person_id]
    assert person_count(store) == 2


def test_register_never_merges_or_changes_the_existing_person(store, actor):
    first = register(store, actor, entry("Amina", "Haddad", phone="0612345678", email="amina@example.org",
                                         birth_year=1990, note="ontmoet op de markt"))
    with store.read() as cur:
        before = cur.execute("SELECT * FROM person").fetchall()
        sources_before = cur.execute("SELECT count(*) FROM person_source").fetchone()
    for attempt in (entry("Amina", "Hadad", phone="+31612345678", birth_year=1991),
                    entry("Aminah", "Haddad", email="AMINA@example.org"),
                    entry("Haddad", "Amina", birth_year=1990)):
        result = register(store, actor, attempt)
        assert not result.saved
        assert first.person_id in [m.person_id for m in result.duplicates]
    with store.read() as cur:
        assert cur.execute("SELECT * FROM person").fetchall() == before
        assert cur.execute("SELECT count(*) FROM person_source").fetchone() == sources_before
    assert person_count(store) == 1


def test_check_duplicates_stores_nothing_and_can_exclude_the_person_being_edited(store, actor):
    first = register(store, actor, entry("Tesfay", "Gebremedhin", birth_year=1992))
    found = persons.check_duplicates(store, actor, entry("Tesfaye", "Gebremedhin", birth_year=1992))
    assert [m.person_id for m in found] == [first.person_id]
    assert persons.check_duplicates(store, actor, entry("Tesfay", "Gebremedhin", birth_year=1992),
                                    exclude_id=first.person_id) == []
    assert person_count(store) == 1


def test_matches_ordered_most_certain_first(store, actor):
    by_name = register(store, actor, entry("Mohammed", "Al-Hassan", birth_year=1990)).person_id
    by_phone = register(store, actor, entry("Omar", "Benali", phone="0612345678")).person_id
    result = register(store, actor, entry("Muhammad", "Al-Hasan", birth_year=1990, phone="06-12 34 56 78"))
    assert [m.person_id for m in result.duplicates] == [by_phone, by_name]
    assert result.duplicates[0].score > result.duplicates[1].score


# -- typos and birth-year ranking -------------------------------------------------------------------
def test_dropped_letter_with_a_birth_year_one_off_is_a_match(store, actor):
    # Amed/Ahmed: the dropped h changes the skeleton (amd/ahmd), and the year one off leaves no exact block
    first = register(store, actor, entry("Ahmed", "Karimi", birth_year=1990))
    again = register(store, actor, entry("Amed", "Karimi", birth_year=1991))
    match = only_match(again, first.person_id)
    assert {"similar_name", "near_birth_year"} <= set(match.reasons)


def test_swapped_letters_without_a_birth_year_is_a_match(store, actor):
    # Amhed/Ahmed: amhd/ahmd; nothing but the name to go on
    first = register(store, actor, entry("Ahmed", "Karimi", birth_year=1990))
    again = register(store, actor, entry("Amhed", "Karimi"))
    match = only_match(again, first.person_id)
    assert "similar_name" in match.reasons


def test_typo_in_the_family_name_is_a_match(store, actor):
    # Abdulai/Abdullahi: abdl/abdlh
    first = register(store, actor, entry("Yusuf", "Abdullahi", birth_year=1985))
    again = register(store, actor, entry("Yusuf", "Abdulai", birth_year=1986))
    only_match(again, first.person_id)


def test_a_key_rewritten_on_edit_finds_the_new_name_not_the_old_one(store, actor):
    first = register(store, actor, entry("Ahmed", "Karimi", birth_year=1990))
    persons.update(store, actor, first.person_id, entry("Samira", "Benali", birth_year=1990))
    assert register(store, actor, entry("Amed", "Karimi")).saved
    assert not register(store, actor, entry("Smira", "Benali")).saved


def test_birth_year_agreement_ranks_above_namesakes_of_unknown_age(store, actor):
    # ten namesakes without a birth year registered first used to fill the ten places shown
    for _ in range(10):
        register(store, actor, entry("Yusuf", "Haddad"), confirmed_new=True)
    one_off = register(store, actor, entry("Yusuf", "Haddad", birth_year=1986), confirmed_new=True).person_id
    same_year = register(store, actor, entry("Yusuf", "Haddad", birth_year=1985), confirmed_new=True).person_id
    found = register(store, actor, entry("Youssef", "Haddad", birth_year=1985)).duplicates
    assert len(found) == 10
    assert [m.person_id for m in found[:2]] == [same_year, one_off]
    assert "same_birth_year" in found[0].reasons and "near_birth_year" in found[1].reasons


def test_the_migration_fills_the_same_name_keys_as_every_write(store, actor):
    # a store from before the key table gets its keys from the migration's own statement
    from crm_app.core.paths import SCHEMA_DIR
    register(store, actor, entry("Ahmed", "Karimi", birth_year=1990))
    register(store, actor, entry("Amina", None))
    register(store, actor, entry("Yusuf", "Al-Hassan"))
    migration = (SCHEMA_DIR / "019_person_name_key_int.sql").read_text(encoding="utf-8")
    backfill = migration[migration.index("INSERT INTO person_name_key"):migration.index("CREATE INDEX")]
    find_migration = (SCHEMA_DIR / "020_person_find_key.sql").read_text(encoding="utf-8")
    find_backfill = find_migration[find_migration.index("INSERT INTO person_find_key"):
                                   find_migration.index("CREATE INDEX")]

    def keys(cur):
        return sorted(cur.execute("SELECT name_key, person_id, exact FROM person_name_key").fetchall())

    def find_keys(cur):
        return sorted(cur.execute("SELECT find_key, person_id FROM person_find_key").fetchall())

    with store.read() as cur:
        written, find_written = keys(cur), find_keys(cur)
        cur.execute("DELETE FROM person_name_key")
        cur.execute(backfill)
        assert keys(cur) == written
        cur.execute("DELETE FROM person_find_key")
        cur.execute(find_backfill)
        assert find_keys(cur) == find_written
    expected = {("ahmd|krm", 255), ("ahmd|krm", 90), ("amd|krm", 90), ("ahmd|km", 90), ("amn|", 0), ("ysf|alhsn", 0)}
    assert {dedupe.name_key(variant, code) for variant, code in expected} <= {key for key, _, _ in written}
    assert dedupe.name_key("amn|", 255) not in {key for key, _, _ in written}   # unknown year: one row per variant
    assert {"s:alhsn", "p:a", "p:al", "p:hassan"} <= {key for key, _ in find_written}


def test_the_same_name_typed_a_year_off_ranks_above_another_name_born_that_year(store, actor):
    # the year is typed one off as often as the name is misspelt: the same skeletons outweigh it
    nasra = register(store, actor, entry("Nasra", "Mohamed", birth_year=1978)).person_id
    sara = register(store, actor, entry("Sara", "Mohamed", birth_year=1979), confirmed_new=True).person_id
    found = register(store, actor, entry("Nasrra", "Mohamed", birth_year=1979)).duplicates
    assert [m.person_id for m in found] == [nasra, sara]
    assert "near_birth_year" in found[0].reasons and "same_birth_year" in found[1].reasons


# -- find uses the same keys ------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["Muhammad Alhassan", "Muhamad", "Alhasan", "Mohammed Al-Hasan", "muhammad al hassan"])
def test_find_meets_the_person_the_check_matches(store, actor, typed):
    person = register(store, actor, entry("Muhammad", "Al-Hassan", birth_year=1990)).person_id
    register(store, actor, entry("Mahmoud", "Karimi", birth_year=1970), confirmed_new=True)
    if " " in typed:   # a whole name: the check itself matches it
        assert [m.person_id for m in register(store, actor, entry(*typed.split(" ", 1), birth_year=1990)).duplicates
                ] == [person]
    [found] = [r for r in persons.find(store, actor, typed) if r["id"] == person]
    assert found["matched"] in (["name"], ["name_variant"])


def test_find_yusuf_finds_youssef_and_joesoef_and_says_how(store, actor):
    ids = {name: register(store, actor, entry(name, "Haddad"), confirmed_new=True).person_id
           for name in ("Yusuf", "Youssef", "Joesoef", "Yasmin")}
    found = {r["id"]: r["matched"] for r in persons.find(store, actor, "Yusuf")}
    assert found == {ids["Yusuf"]: ["name"], ids["Youssef"]: ["name_variant"], ids["Joesoef"]: ["name_variant"]}
    assert [r["id"] for r in persons.find(store, actor, "Yusuf")][0] == ids["Yusuf"]   # the exact word first


def test_find_with_a_typo_in_both_names_through_the_checks_keys(store, actor):
    person = register(store, actor, entry("Ahmed", "Karimi", birth_year=1990)).person_id
    assert [r["id"] for r in persons.find(store, actor, "Ahmed Karini")] == [person]
    assert [r["id"] for r in persons.find(store, actor, "Karini Ahmed")] == [person]   # either way round


def test_find_reads_the_key_table_not_every_person(store, actor):
    register(store, actor, entry("Yusuf", "Haddad"))
    with store.read() as cur:
        cur.execute("DELETE FROM person_find_key")      # without its keys, a name finds nobody
    assert persons.find(store, actor, "Yusuf") == []


@pytest.mark.parametrize(("given", "family", "year"), [("Ahmed", "Karimi", 1990), ("Amina", None, None),
                                                       ("Yusuf", "Al-Hassan", 1900), ("Joesoef", "Achmadi", None)])
def test_the_sql_look_ups_are_the_keys_the_check_looks_up(store, given, family, year):
    # the import's whole-file check builds its look-ups in SQL: the same integers as Keys.of, one definition
    keys = dedupe.Keys.of(given, family, None, None, year)
    with store.read() as cur:
        one = "(SELECT 1 AS id, ? AS name_block, ?::INTEGER AS birth_year)"
        rows = cur.execute(f"SELECT name_key, exact FROM ({dedupe.lookup_keys_sql(one)})",
                           [keys.name_block, year]).fetchall()
    assert sorted(key for key, _ in rows) == sorted(keys.typo_keys)
    assert sorted(key for key, exact in rows if exact) == sorted(keys.exact_keys)
