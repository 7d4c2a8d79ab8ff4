"""The kiosk: a newcomer signs themselves up; the kiosk account sees nothing else."""
import pytest
from apptest_kit import (
    PAGES_DIR,
    count,
    elements,
    feedback_box,
    field_messages,
    first_run,
    main_text,
    new_app,
    sign_in,
    t,
    values,
)

from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


@pytest.fixture
def kiosk(login):
    return login("kiosk")   # no page chosen: the kiosk lands on its only page


@pytest.fixture
def known_person(store, staff) -> int:
    """Someone already registered by outreach, with details the kiosk must never show."""
    return persons.register(
        store, staff["outreach"].as_user().actor(),
        PersonInput(given_name="Amal", family_name="Haddad", phone="0944 123 456", phone_country="SY",
                    email="amal.private@example.org", note="Vertrouwelijke notitie", consent_contact=True),
        SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


def test_the_kiosk_sees_only_the_self_registration_page(kiosk):
    assert values(kiosk.main, "title") == [t("self.title")]
    assert not kiosk.sidebar.get("page_link") and not kiosk.main.get("page_link")
    for path in sorted(PAGES_DIR.glob("*.py")):
        if path.stem != "self_register":
            with pytest.raises(ValueError):   # not in the kiosk's navigation
                kiosk.switch_page(f"pages/{path.name}")


def test_a_newcomer_registers_and_the_source_is_self_registration(kiosk, store, staff):
    kiosk.text_input(key="kiosk_given_name").input("Yusuf")
    kiosk.text_input(key="kiosk_family_name").input("Demir")
    kiosk.text_input(key="kiosk_phone").input("06 12345678")
    kiosk.checkbox(key="kiosk_consent_contact").check()
    kiosk.button(key="kiosk_submit").click().run()

    assert values(kiosk.main, "success") == [t("self.thanks")]
    assert kiosk.text_input(key="kiosk_given_name").value == "", "the next newcomer starts with an empty form"
    with store.read() as cur:
        [(person_id, phone, created_by)] = cur.execute("SELECT id, phone_e164, created_by FROM person").fetchall()
        assert (phone, created_by) == ("+31612345678", staff["kiosk"].id)
        assert cur.execute("SELECT kind, source_name FROM person_source WHERE person_id = ?",
                           [person_id]).fetchall() == [("self_registration", staff["kiosk"].display_name)]
        assert cur.execute("SELECT purpose, granted, method FROM consent WHERE person_id = ?",
                           [person_id]).fetchall() == [("contact", True, "form")]


def test_a_refused_form_says_why_and_keeps_the_values(kiosk, store):
    kiosk.text_input(key="kiosk_given_name").input("Yusuf")
    kiosk.text_input(key="kiosk_phone").input("06 12345678")
    kiosk.button(key="kiosk_submit").click().run()

    assert field_messages(kiosk, "kiosk", "consent_contact") == [
        f":red[:material/error: {t('err.contact_consent_required')}]"]
    assert kiosk.text_input(key="kiosk_phone").value == "06 12345678"
    assert not kiosk.success
    assert count(store, "SELECT count(*) FROM person") == 0


def test_a_possible_duplicate_is_stored_without_showing_the_other_person(kiosk, store, known_person):
    kiosk.text_input(key="kiosk_given_name").input("Amal")
    kiosk.text_input(key="kiosk_family_name").input("Haddad")
    kiosk.selectbox(key="kiosk_phone_country").set_value("SY")
    kiosk.text_input(key="kiosk_phone").input("0944 123 456")
    kiosk.checkbox(key="kiosk_consent_contact").check()
    kiosk.button(key="kiosk_submit").click().run()

    assert values(kiosk.main, "success") == [t("self.thanks")]
    assert not kiosk.warning and not kiosk.table and not kiosk.main.get("page_link")
    text = main_text(kiosk)
    for secret in ("amal.private@example.org", "Vertrouwelijke notitie", "Markt Oost", f"#{known_person}",
                   "+963", "Haddad"):
        assert secret not in text
    assert count(store, "SELECT count(*) FROM person") == 2, "staff decide about the duplicate later"


def test_the_person_page_file_itself_refuses_the_kiosk(staff, known_person):
    # As on a freshly started server, where files in pages/ can be reached without app.py's navigation.
    at = new_app(str(PAGES_DIR / "person.py"))
    sign_in(at, staff["kiosk"].as_user())
    at.query_params["id"] = str(known_person)
    first_run(at)
    assert [(e.type, e.value) for e in elements(at.main)] == [("error", t("app.no_access"))]


def test_the_thanks_sits_right_above_the_button_and_shows_as_a_toast(kiosk):
    kiosk.text_input(key="kiosk_given_name").input("Yusuf")
    kiosk.button(key="kiosk_submit").click().run()

    shown, script = feedback_box(kiosk, "kiosk_submit")
    assert [(e.type, e.value) for e in shown] == [("success", t("self.thanks"))]
    assert [toast.value for toast in kiosk.toast] == [t("self.thanks")]
    assert script["box"] == "kiosk_submit_feedback" and script["fields"] == []


def test_a_refusal_focuses_the_wrong_fields_and_nothing_typed_reaches_the_script(kiosk):
    kiosk.text_input(key="kiosk_given_name").input("Yusuf")
    kiosk.text_input(key="kiosk_phone").input("0944 123 456")
    kiosk.text_input(key="kiosk_email").input("yusuf@example.org")    # and no contact consent
    kiosk.button(key="kiosk_submit").click().run()

    shown, script = feedback_box(kiosk, "kiosk_submit")
    assert shown == [] and not kiosk.toast, "the messages stand at the fields"
    assert script["fields"] == ["kiosk_phone", "kiosk_consent_contact"]
    assert "Yusuf" not in kiosk.get("html")[0].proto.body and "0944" not in kiosk.get("html")[0].proto.body


def test_after_a_registration_the_form_is_empty_and_the_phone_country_is_the_netherlands_again(kiosk, store):
    """The next person at the stall starts from a clean form: nothing of the previous one, and NL as the
    country of a phone number (not the first country of the list, nor the previous person's)."""
    kiosk.text_input(key="kiosk_given_name").input("Amal")
    kiosk.selectbox(key="kiosk_phone_country").set_value("SY")
    kiosk.text_input(key="kiosk_phone").input("0944 123 456")
    kiosk.checkbox(key="kiosk_consent_contact").check()
    kiosk.button(key="kiosk_submit").click().run()
    assert values(kiosk.main, "success") == [t("self.thanks")]
    for _ in range(2):                       # the next person's first taps rerun the form
        assert kiosk.selectbox(key="kiosk_phone_country").value == "NL"
        assert kiosk.text_input(key="kiosk_given_name").value == ""
        assert kiosk.text_input(key="kiosk_phone").value == ""
        kiosk.run()
