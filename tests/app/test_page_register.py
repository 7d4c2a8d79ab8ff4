"""Register a candidate (role outreach): validation per field, duplicates before saving."""
import pytest
from apptest_kit import count, feedback_box, field_messages, main_text, t, values


def fill(at, **fields):
    """Type into the register form: text fields by name, plus country=, consent=, diversity=."""
    if fields.pop("diversity", False):
        at.checkbox(key="register_consent_diversity_statistics").check().run()   # shows the characteristics
    if fields.pop("consent", False):
        at.checkbox(key="register_consent_contact").check()
    if "country" in fields:
        at.selectbox(key="register_phone_country").set_value(fields.pop("country"))
    for name, value in fields.items():
        at.text_input(key=f"register_{name}").input(value)
    return at


def submit(at):
    return at.button(key="register_submit").click().run()


def person_rows(store):
    with store.read() as cur:
        return cur.execute("SELECT id, given_name, family_name, phone_e164, email FROM person ORDER BY id").fetchall()


def sources_of(store, person_id):
    with store.read() as cur:
        return cur.execute("SELECT kind, source_name FROM person_source WHERE person_id = ? ORDER BY id",
                           [person_id]).fetchall()


@pytest.fixture
def register(login):
    return login("outreach", "register")


def test_the_form_speaks_dutch_and_starts_empty(register):
    at = register
    assert values(at.main, "title") == [t("register.title")]
    country = at.selectbox(key="register_phone_country")
    assert country.value == "NL" and country.options[0] == "Nederland (+31)", \
        "the home country heads the list: what a browser shows should it fall back to the first option"
    assert at.selectbox(key="register_source_kind").value == "market"
    assert at.multiselect(key="register_other_languages").proto.placeholder == t("field.none"), \
        "no English placeholder from Streamlit"
    assert all(at.text_input(key=f"register_{name}").value == "" for name in ("given_name", "family_name", "phone"))


def test_a_foreign_number_is_saved_in_international_form_with_its_source(register, store):
    at = fill(register, given_name="Amal", family_name="Haddad", country="SY", phone="0944 123 456",
              source_name="Markt Oost", consent=True)
    submit(at)

    assert values(at.main, "success") == [t("register.saved", name="Amal Haddad")]
    assert not at.error
    [(person_id, given, family, phone, email)] = person_rows(store)
    assert (given, family, phone, email) == ("Amal", "Haddad", "+963944123456", None)
    assert sources_of(store, person_id) == [("market", "Markt Oost")]
    with store.read() as cur:
        assert cur.execute("SELECT purpose, granted FROM consent WHERE person_id = ?", [person_id]).fetchall() == [
            ("contact", True)]
    # The form is empty for the next person; the source stays (same market stall).
    assert at.text_input(key="register_given_name").value == ""
    assert at.text_input(key="register_phone").value == ""
    assert at.text_input(key="register_source_name").value == "Markt Oost"
    assert any(link.proto.query_string == f"id={person_id}" for link in at.get("page_link"))


def test_an_invalid_number_for_the_country_is_refused_at_the_phone_field_and_keeps_what_was_typed(register, store):
    at = fill(register, given_name="Amal", family_name="Haddad", phone="0944 123 456", email="amal@example.org",
              source_name="Markt Oost", source_detail="kraam 12", consent=True)   # country stays Netherlands
    submit(at)

    assert values(at.main, "error") == [t("register.fix_fields")]
    message = t("err.phone_invalid", country_name="Nederland")
    assert field_messages(at, "register", "phone") == [f":red[:material/error: {message}]"]
    assert field_messages(at, "register", "given_name") == []
    assert not at.success
    typed = {"given_name": "Amal", "family_name": "Haddad", "phone": "0944 123 456", "email": "amal@example.org",
             "source_name": "Markt Oost", "source_detail": "kraam 12"}
    assert {name: at.text_input(key=f"register_{name}").value for name in typed} == typed
    assert at.checkbox(key="register_consent_contact").value is True
    assert at.selectbox(key="register_phone_country").value == "NL"
    assert count(store, "SELECT count(*) FROM person") == 0
    assert count(store, "SELECT count(*) FROM person_source") == 0

    # Choosing the right country and saving again works without typing anything twice.
    at.selectbox(key="register_phone_country").set_value("SY")
    submit(at)
    assert values(at.main, "success") == [t("register.saved", name="Amal Haddad")]
    assert [row[3:] for row in person_rows(store)] == [("+963944123456", "amal@example.org")]


@pytest.mark.parametrize("name, code", [
    ("Amal\u202eladahH", "bidi_control"),    # right-to-left override
    ("Amal\u2066x\u2069", "bidi_control"),   # isolate
    ("Amal\x07", "control_character"),       # bell
    ("Am\x00al", "control_character"),       # NUL
])
def test_control_and_bidi_characters_in_a_name_are_refused(register, store, name, code):
    at = fill(register, given_name=name, family_name="Haddad")
    submit(at)
    assert field_messages(at, "register", "given_name") == [f":red[:material/error: {t('err.' + code)}]"]
    assert at.text_input(key="register_given_name").value == name
    assert count(store, "SELECT count(*) FROM person") == 0


@pytest.mark.parametrize("contact", [{"phone": "06 12345678"}, {"email": "amal@example.org"}])
def test_contact_details_without_the_contact_consent_are_refused(register, store, contact):
    at = fill(register, given_name="Amal", **contact)
    submit(at)
    assert field_messages(at, "register", "consent_contact") == [
        f":red[:material/error: {t('err.contact_consent_required')}]"]
    assert at.checkbox(key="register_consent_contact").value is False
    assert count(store, "SELECT count(*) FROM person") == 0


def test_a_name_alone_needs_no_consent(register, store):
    at = submit(fill(register, given_name="Amal"))
    assert values(at.main, "success") == [t("register.saved", name="Amal")]
    assert count(store, "SELECT count(*) FROM person") == 1
    assert count(store, "SELECT count(*) FROM consent") == 0


def register_amal(at, **extra):
    fields = {"given_name": "Amal", "family_name": "Haddad", "country": "SY", "phone": "0944 123 456", "consent": True,
              "source_name": "Markt Oost"}
    fields.update(extra)
    submit(fill(at, **fields))
    assert values(at.main, "success"), main_text(at)


def test_same_phone_in_another_notation_shows_the_duplicate_panel(register, store):
    register_amal(register)
    [(first_id, *_)] = person_rows(store)

    at = fill(register, given_name="Amal", family_name="Haddad", country="NL", phone="00963 944 123 456",
              source_name="Markt West", consent=True)
    submit(at)

    assert values(at.main, "warning") == [t("register.duplicates_found")]
    panel = at.get_by_key(f"register_match_{first_id}")
    assert t("reason.same_phone") in main_text(at)
    assert "+963 944 123 456" in panel.get("table")[0].value.to_csv()
    assert panel.button(key=f"register_use_existing_{first_id}")
    assert at.button(key="register_confirm_new")
    assert not at.success
    assert count(store, "SELECT count(*) FROM person") == 1, "nothing is stored until someone decides"


def test_use_existing_adds_the_source_to_the_person_already_there(register, store):
    register_amal(register)
    [(first_id, *_)] = person_rows(store)
    at = fill(register, given_name="Amal", family_name="Haddad", phone="+963944123456", source_name="Markt West",
              consent=True)
    submit(at)

    at.button(key=f"register_use_existing_{first_id}").click().run()

    assert count(store, "SELECT count(*) FROM person") == 1
    assert sources_of(store, first_id) == [("market", "Markt Oost"), ("market", "Markt West")]
    # The existing person's page opens, showing both sources.
    assert values(at.main, "title") == ["Amal Haddad"]
    assert "Markt West" in main_text(at) and "Markt Oost" in main_text(at)


def test_confirm_new_stores_a_second_person(register, store):
    register_amal(register)
    at = fill(register, given_name="Amal", family_name="Haddad", phone="+963944123456", source_name="Markt West",
              consent=True)
    submit(at)

    at.button(key="register_confirm_new").click().run()

    assert values(at.main, "success") == [t("register.saved", name="Amal Haddad")]
    rows = person_rows(store)
    assert len(rows) == 2 and {row[3] for row in rows} == {"+963944123456"}
    assert sources_of(store, rows[1][0]) == [("market", "Markt West")]
    assert not at.warning, "the duplicate panel is gone after deciding"


def test_a_transliteration_variant_with_the_same_family_name_and_birth_year_warns(register, store):
    submit(fill(register, given_name="Mohammed", family_name="Al-Hassan", diversity=True, birth_year="1990",
                source_name="Markt Oost"))
    assert values(register.main, "success"), main_text(register)
    [(first_id, *_)] = person_rows(store)

    at = fill(register, given_name="Muhammad", family_name="Al-Hassan", diversity=True, birth_year="1990",
              source_name="Markt Oost")
    submit(at)

    assert values(at.main, "warning") == [t("register.duplicates_found")]
    panel = at.get_by_key(f"register_match_{first_id}")
    assert "Mohammed" in panel.get("markdown")[0].value
    assert t("reason.similar_name") in main_text(at) and t("reason.same_birth_year") in main_text(at)
    assert count(store, "SELECT count(*) FROM person") == 1


def test_the_language_picker_finds_persian_by_its_own_name_and_saves_the_iso_code(register, store):
    at = register
    picker = at.selectbox(key="register_preferred_language")
    found = [index for index, text in enumerate(picker.options) if "فارسی" in text]
    assert [picker.options[i] for i in found] == ["Perzisch (Farsi) — فارسی"], "one entry, in Dutch, with its own name"
    assert picker.options[1].startswith("Arabisch"), "the common languages of newcomers come first"
    picker.select_index(found[0])
    fill(at, given_name="Reza", family_name="Ahmadi", phone="06 12345678", source_name="Markt Oost", consent=True)
    submit(at)

    assert not at.error
    with store.read() as cur:
        assert cur.execute("SELECT preferred_language FROM person").fetchall() == [("fas",)]


# -- the outcome beside the Save button (on a phone the page stays scrolled down at the button) ------------------
def test_the_saved_message_sits_right_above_save_and_shows_as_a_toast_once(register):
    at = submit(fill(register, given_name="Amal", family_name="Haddad", phone="06 12345678", consent=True))

    shown, script = feedback_box(at, "register_submit")
    saved = t("register.saved", name="Amal Haddad")
    assert [(e.type, getattr(e, "value", None)) for e in shown][0] == ("success", saved)
    assert [e.type for e in shown][1:] == ["page_link"]
    assert [toast.value for toast in at.toast] == [saved]
    assert script == {"box": "register_submit_feedback", "fields": [], "run": script["run"]}, "scroll to the box"

    at.text_input(key="register_given_name").input("Yusuf").run()    # the next person: no toast, no scrolling
    shown, script = feedback_box(at, "register_submit")
    assert [getattr(e, "value", None) for e in shown][:1] == [saved] and script is None
    assert not at.toast


def test_a_refusal_is_summed_up_above_save_and_the_script_focuses_the_wrong_fields(register):
    at = submit(fill(register, family_name="Haddad", phone="0944 123 456", consent=True))   # no given name either

    shown, script = feedback_box(at, "register_submit")
    assert [(e.type, e.value) for e in shown] == [("error", t("register.fix_fields"))]
    assert not at.toast
    assert script["fields"] == ["register_given_name", "register_phone"], "the browser focuses the first on screen"
    assert "0944" not in at.get("html")[0].proto.body and "Haddad" not in at.get("html")[0].proto.body, \
        "nothing typed reaches the script"

    first_run = script["run"]
    _, script = feedback_box(submit(at), "register_submit")
    assert script["run"] > first_run, "a new script, so the browser runs it again"
