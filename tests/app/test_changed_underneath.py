"""A record or an account that changes while a screen is open: the next click ends on a clear message or
the login, never on Streamlit's generic error screen."""
import pytest
from apptest_kit import main_text, t

from crm_app.access import users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import erasure


@pytest.fixture
def amal(store, staff) -> int:
    return persons.register(
        store, staff["outreach"].as_user().actor(),
        PersonInput(given_name="Amal", family_name="Haddad", phone="0612345678", phone_country="NL",
                    consent_contact=True),
        SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


def test_saving_a_person_erased_meanwhile_says_so(login, store, staff, amal):
    at = login("program_manager", "person", query={"id": str(amal)})
    erasure.erase(store, staff["admin"].as_user().actor(), amal)
    at.text_input(key="person_family_name").input("Haddad-Saleh")
    at.button(key="person_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("err.person_not_found") in main_text(at) or t("person.not_found") in main_text(at)


def test_a_click_after_the_account_was_disabled_ends_on_the_login(login, store, staff, amal):
    at = login("outreach", "person", query={"id": str(amal)})
    users.set_disabled(store, CLI_OPERATOR, staff["outreach"].username)
    at.text_input(key="person_family_name").input("Haddad-Saleh")
    at.button(key="person_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="login_username")
    with store.read() as cur:
        assert cur.execute("SELECT family_name FROM person WHERE id = ?", [amal]).fetchone() == ("Haddad",)


def test_an_address_with_an_arabic_indic_digit_opens_no_person(login, amal):
    """`person?id=٣` read as 3 opened a record nobody asked for; only 0-9 make an id."""
    at = login("outreach", "person", query={"id": "١"})
    assert t("person.choose") in main_text(at)
    assert "Amal" not in main_text(at)
