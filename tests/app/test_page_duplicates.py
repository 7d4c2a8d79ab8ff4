"""Possible duplicates: the start page's count, the review screen (merge, undo, not a duplicate, conflicts),
and "Same person" on the register screen keeping what was typed."""
import pytest
from apptest_kit import count, main_text, open_page, pick_row, t, tn, values

from crm_app.access.audit import Actor
from crm_app.networks import registry, waitlists
from crm_app.people import duplicates, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


def frames(at) -> list:
    """The tables of the pair picked: the two records side by side, then their linked records."""
    return [e.value for e in at.get_by_key("duplicates_selected") if getattr(e, "type", "") == "dataframe"]


def add(store, actor, given, family, **fields) -> int:
    data = PersonInput(given_name=given, family_name=family, consent_contact=True, **fields)
    return persons.register(store, actor, data, SourceInput(kind="market", source_name="Markt Oost"),
                            confirmed_new=True).person_id


@pytest.fixture
def two(store, staff):
    """Yusuf twice: found at the market, and at a kiosk with the same phone and a new email (queued as a pair)."""
    actor = staff["outreach"].as_user().actor()
    first = add(store, actor, "Yusuf", "Haddad", phone="0612345678")
    kiosk = Actor(staff["kiosk"].id, "kiosk", "web")
    second = persons.register(store, kiosk, PersonInput(given_name="Youssef", family_name="Haddad", phone="+31612345678",
                                                        email="youssef@example.org", consent_contact=True),
                              SourceInput(kind="self_registration", source_name="Bibliotheek")).person_id
    return first, second


def test_a_kiosk_registration_with_a_known_phone_is_counted_on_the_start_page(login, two):
    at = login("outreach", "home")
    assert tn("home.duplicates", 1) in values(at.main, "warning")
    coordinator = login("coordinator", "home")
    assert tn("home.duplicates", 1) not in values(coordinator.main, "warning")


def test_review_merge_then_undo(login, store, two):
    first, second = two
    at = login("outreach", "duplicates")
    assert t("label.duplicate_origin.kiosk") in main_text(at)
    pick_row(at, "duplicates_table", 0)
    compare = frames(at)[0]
    assert list(compare.iloc[:, 0]) == [t("field.given_name"), t("field.family_name"), t("field.phone"),
                                        t("field.email")]   # what either record holds
    assert "✓" in list(compare[t("register.compare.agrees")])     # the phone agrees
    at.radio(key="duplicates_choice_email").set_value("merged")
    at.button(key="duplicates_merge").click().run()
    assert values(at.main, "success")[0] == t("duplicates.merged", merged=second, kept=first)
    assert count(store, "SELECT count(*) FROM person") == 1
    assert persons.get(store, Actor(None, "admin", "cli"), first)["email"] == "youssef@example.org"
    assert values(at.main, "info") == [t("duplicates.none")]

    at.button(key="duplicates_undo").click().run()
    assert values(at.main, "success")[0] == t("duplicates.undone", id=second)
    assert count(store, "SELECT count(*) FROM person") == 2
    assert persons.get(store, Actor(None, "admin", "cli"), first)["email"] is None
    assert at.get_by_key("duplicates_table") is not None, "the pair is back in the queue"


def test_not_a_duplicate_is_remembered(login, store, two):
    first, second = two
    at = login("outreach", "duplicates")
    pick_row(at, "duplicates_table", 0)
    at.button(key="duplicates_not_duplicate").click().run()
    assert values(at.main, "success")[0] == t("duplicates.marked_different")
    assert duplicates.flag_possible_duplicates(store, first, [second], "scan") == 0   # a later scan adds nothing
    assert count(store, "SELECT count(*) FROM duplicate_pair WHERE status = 'open'") == 0


def test_both_on_one_waiting_list_must_be_decided(login, store, staff, two):
    first, second = two
    manager = staff["program_manager"].as_user().actor()
    network = registry.save(store, manager, registry.NetworkInput(name="Klankbordgroep", kind="sounding_board",
                                                                  min_places=0, max_places=5, term_months=12))
    waitlists.add(store, manager, network, first)
    waitlists.add(store, manager, network, second)
    at = login("program_manager", "duplicates")
    pick_row(at, "duplicates_table", 0)
    assert t("merge.conflict.waitlist", network="Klankbordgroep") in values(at.main, "warning")
    at.button(key="duplicates_merge").click().run()
    assert count(store, "SELECT count(*) FROM person") == 2, "refused until decided"
    assert t("err.merge_conflict_undecided") in main_text(at)
    second_entry = count(store, "SELECT max(id) FROM waitlist_entry")
    at.radio(key=f"duplicates_conflict_waitlist_{network}").set_value(second_entry)
    at.button(key="duplicates_merge").click().run()
    assert count(store, "SELECT count(*) FROM person") == 1
    assert count(store, "SELECT count(*) FROM waitlist_entry WHERE status = 'waiting'") == 1


def test_same_person_offers_the_typed_details_beside_the_old(login, store, staff):
    actor = staff["outreach"].as_user().actor()
    first = add(store, actor, "Amal", "Haddad", phone="0612345678")
    at = login("outreach", "register")
    at.text_input(key="register_given_name").input("Amal")
    at.text_input(key="register_family_name").input("Haddad")
    at.checkbox(key="register_consent_contact").check()
    at.text_input(key="register_phone").input("06 12345678")
    at.text_input(key="register_email").input("amal@example.org")
    at.text_input(key="register_source_name").input("Markt West")
    at.button(key="register_submit").click().run()
    at.button(key=f"register_use_existing_{first}").click().run()

    panel = at.get_by_key("register_merge")
    [table] = [e.value for e in panel if getattr(e, "type", "") == "dataframe"]
    assert list(table.iloc[:, 0]) == [t("field.email")]          # only what differs; the phone is the same
    assert list(table.iloc[:, 2]) == ["amal@example.org"]
    assert at.checkbox(key="register_take_email").value is True   # the record had none
    at.button(key="register_merge_confirm").click().run()

    person = persons.get(store, actor, first)
    assert person["email"] == "amal@example.org"
    assert [s["source_name"] for s in person["sources"]] == ["Markt Oost", "Markt West"]
    assert count(store, "SELECT count(*) FROM person") == 1
    open_page(at, "register")
    assert at.text_input(key="register_email").value == "", "the form is empty for the next person"


def test_same_person_with_only_the_name_spelled_otherwise_adds_the_source_at_once(login, store, staff):
    actor = staff["outreach"].as_user().actor()
    first = add(store, actor, "Yusuf", "Demir", phone="0611223344")
    at = login("outreach", "register")
    at.text_input(key="register_given_name").input("Youssef")
    at.text_input(key="register_family_name").input("Demir")
    at.checkbox(key="register_consent_contact").check()
    at.text_input(key="register_phone").input("+31 6 1122 3344")
    at.text_input(key="register_source_name").input("Markt West")
    at.button(key="register_submit").click().run()
    at.button(key=f"register_use_existing_{first}").click().run()
    assert values(at.main, "title") == ["Yusuf Demir"]      # the person's page, the stored spelling kept
    assert [s["source_name"] for s in persons.get(store, actor, first)["sources"]] == ["Markt Oost", "Markt West"]
