"""The kiosk: a newcomer chooses a language and signs themselves up; the kiosk sees nothing else.

Two ways to a kiosk: the `kiosk` account, and a staff member's own session put in kiosk mode on the Kiosk
screen (market, day, PIN). In kiosk mode every staff page refuses, through the navigation and on its own.
"""
import time

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
    open_page,
    t,
    values,
)

from crm_app.access import sessions
from crm_app.core import i18n, settings
from crm_app.core.clock import today
from crm_app.networks import registry
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.ui.session import TOKEN_KEY

PIN = "482916"
# Names typed in each kiosk language's own script: stored exactly as typed.
NAMES = {"nl": "Sanne", "en": "Grace", "ar": "أمل", "ti": "ሳባ", "uk": "Оксана", "tr": "Ayşe", "fa": "زهرا", "so": "Hodan"}


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


@pytest.fixture
def market_kiosk(login):
    """An outreach worker's own session, turned into a kiosk at Markt Kerkplein on the Kiosk screen."""
    at = login("outreach", "kiosk_start")
    at.text_input(key="kiosk_start_market").input("Markt Kerkplein")
    at.text_input(key="kiosk_start_pin").input(PIN)
    at.button(key="kiosk_start_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose(at, lang: str):
    at.button(key=f"kiosk_lang_{lang}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill(at, given: str, phone: str = "06 12345678", consent: bool = True):
    at.text_input(key="kiosk_given_name").input(given)
    at.text_input(key="kiosk_phone").input(phone)
    if consent:
        at.checkbox(key="kiosk_consent_contact").check()
    return at


def test_a_short_pin_and_no_market_are_refused_by_name_and_staff_keep_their_rights(login):
    at = login("outreach", "kiosk_start")
    at.text_input(key="kiosk_start_pin").input("12")
    at.button(key="kiosk_start_submit").click().run()

    shown = values(at.main, "error")
    assert any(text.startswith(t("kiosk_start.field.kiosk_pin") + ": ") for text in shown), shown
    assert any(text.startswith(t("kiosk_start.field.kiosk_market") + ": ") for text in shown), shown
    assert at.text_input(key="kiosk_start_pin").value == ""      # a PIN is never kept on the screen
    assert at.button(key="kiosk_start_submit")                   # still the staff screen, not the kiosk


def test_the_kiosk_starts_at_the_language_chooser_and_reaches_no_other_page(kiosk):
    assert {b.key for b in kiosk.main.button} == {f"kiosk_lang_{lang}" for lang in i18n.kiosk_languages()} | {
        "kiosk_staff_open"}
    labels = [kiosk.button(key=f"kiosk_lang_{lang}").label for lang in i18n.kiosk_languages()]
    assert labels == ["Nederlands", "English", "العربية", "ትግርኛ", "Українська", "Türkçe", "دری / فارسی", "Soomaali"]
    assert not kiosk.sidebar.get("page_link") and not kiosk.main.get("page_link")
    assert not [b for b in kiosk.sidebar.button if b.key == "app_logout"], "no logout for the public"
    for path in sorted(PAGES_DIR.glob("*.py")):
        if path.stem != "self_register":
            with pytest.raises(ValueError):   # not in the kiosk's navigation
                kiosk.switch_page(f"pages/{path.name}")


@pytest.mark.parametrize("lang", i18n.kiosk_languages())
def test_a_newcomer_signs_up_in_their_language(market_kiosk, store, staff, lang):
    at = choose(market_kiosk, lang)
    assert values(at.main, "title") == [i18n.kt("kiosk.title", lang)]
    assert at.text_input(key="kiosk_given_name").label == i18n.kt("kiosk.given_name", lang)
    assert i18n.kt("kiosk.consent_text", lang) in values(at.main, "info")
    fill(at, NAMES[lang]).button(key="kiosk_submit").click().run()

    assert values(at.main, "title") == [i18n.kt("kiosk.thanks_title", lang)]
    assert values(at.main, "success") == [i18n.kt("kiosk.thanks", lang)]
    assert not at.get("text_input"), "the thank-you replaces the form: nothing of the person stays on screen"
    with store.read() as cur:
        [(person_id, given, preferred, created_by)] = cur.execute(
            "SELECT id, given_name, preferred_language, created_by FROM person").fetchall()
        assert (given, created_by) == (NAMES[lang], staff["outreach"].id)
        assert preferred == {"nl": "nld", "en": "eng", "ar": "ara", "ti": "tir", "uk": "ukr", "tr": "tur", "fa": "fas",
                             "so": "som"}[lang]
        assert cur.execute("SELECT kind, source_name, source_date FROM person_source WHERE person_id = ?",
                           [person_id]).fetchall() == [("self_registration", "Markt Kerkplein", today())]
        assert cur.execute("SELECT purpose, granted, method, text_version FROM consent WHERE person_id = ?",
                           [person_id]).fetchall() == [("contact", True, "form", f"kiosk-2026-12:{lang}")]


def test_the_kiosk_account_records_its_own_market(kiosk, store, staff):
    fill(choose(kiosk, "en"), "Yusuf").button(key="kiosk_submit").click().run()
    with store.read() as cur:
        assert cur.execute("SELECT kind, source_name, source_date FROM person_source").fetchall() == [
            ("self_registration", staff["kiosk"].display_name, today())]


def test_interest_in_an_open_network_is_noted(kiosk, store, staff):
    actor = staff["admin"].as_user().actor()
    board = registry.save(store, actor, registry.NetworkInput(name="Klankbord Oost", min_places=3, max_places=12))
    registry.save(store, actor, registry.NetworkInput(name="Alumni", kind="alumni_network", min_places=0,
                                                      max_places=50))
    at = fill(choose(kiosk, "ar"), "يوسف")
    assert at.get("button_group")[0].options == ["Klankbord Oost"], "an alumni network is joined after a term only"
    at.get("button_group")[0].set_value([board])
    at.button(key="kiosk_submit").click().run()
    with store.read() as cur:
        assert cur.execute("SELECT network_id, via FROM person_interest").fetchall() == [(board, "kiosk")]


def test_a_refused_form_says_why_in_the_language_and_keeps_the_values(kiosk, store):
    at = choose(kiosk, "tr")
    at.text_input(key="kiosk_given_name").input("Yusuf")
    at.text_input(key="kiosk_phone").input("06 12345678")
    at.button(key="kiosk_submit").click().run()

    assert field_messages(at, "kiosk", "consent_contact") == [
        f":red[:material/error: {i18n.kt('kiosk.err.consent_contact', 'tr')}]"]
    assert at.text_input(key="kiosk_phone").value == "06 12345678"
    assert count(store, "SELECT count(*) FROM person") == 0


def test_a_name_alone_is_not_enough_the_kiosk_asks_for_a_phone_or_email(kiosk, store):
    at = choose(kiosk, "so")
    at.text_input(key="kiosk_given_name").input("Hodan")
    at.button(key="kiosk_submit").click().run()
    assert field_messages(at, "kiosk", "phone") == [f":red[:material/error: {i18n.kt('kiosk.err.contact_required', 'so')}]"]
    assert count(store, "SELECT count(*) FROM person") == 0


def test_an_empty_form_names_every_missing_answer_at_once(kiosk, store):
    at = choose(kiosk, "fa")
    at.button(key="kiosk_submit").click().run()
    assert field_messages(at, "kiosk", "given_name") == [f":red[:material/error: {i18n.kt('kiosk.err.given_name', 'fa')}]"]
    assert field_messages(at, "kiosk", "phone") == [f":red[:material/error: {i18n.kt('kiosk.err.contact_required', 'fa')}]"]
    assert count(store, "SELECT count(*) FROM person") == 0


def test_a_refusal_focuses_the_wrong_fields_and_nothing_typed_reaches_the_script(kiosk):
    at = choose(kiosk, "nl")
    at.text_input(key="kiosk_given_name").input("Yusuf")
    at.text_input(key="kiosk_phone").input("0944 123 456")
    at.text_input(key="kiosk_email").input("yusuf@example.org")    # and no contact consent
    at.button(key="kiosk_submit").click().run()

    _, script = feedback_box(at, "kiosk_submit")
    assert script["fields"] == ["kiosk_phone", "kiosk_consent_contact"]
    assert all("Yusuf" not in e.proto.body and "0944" not in e.proto.body for e in at.get("html"))


def test_a_possible_duplicate_is_stored_without_showing_the_other_person(kiosk, store, known_person):
    at = choose(kiosk, "ar")
    at.text_input(key="kiosk_family_name").input("Haddad")
    at.selectbox(key="kiosk_phone_country").set_value("SY")
    fill(at, "Amal", "0944 123 456").button(key="kiosk_submit").click().run()

    assert values(at.main, "success") == [i18n.kt("kiosk.thanks", "ar")]
    assert not at.warning and not at.table and not at.main.get("page_link")
    text = main_text(at)
    for secret in ("amal.private@example.org", "Vertrouwelijke notitie", "Markt Oost", f"#{known_person}", "+963", "Haddad"):
        assert secret not in text
    assert count(store, "SELECT count(*) FROM person") == 2, "staff decide about the duplicate later"
    assert count(store, "SELECT count(*) FROM duplicate_pair WHERE origin = 'kiosk'") == 1


def test_the_thank_you_goes_back_to_the_chooser_after_a_few_seconds(kiosk):
    at = fill(choose(kiosk, "uk"), "Оксана")
    at.button(key="kiosk_submit").click().run()
    assert values(at.main, "success") == [i18n.kt("kiosk.thanks", "uk")]
    at.session_state["kiosk_thanks_at"] = time.time() - 9     # the thank-you has been on screen 9 s
    at.run()
    assert "kiosk_lang_nl" in [b.key for b in at.main.button]
    assert "Оксана" not in main_text(at) and "kiosk_given_name" not in at.session_state


def test_the_thank_you_stays_as_long_as_the_setting_says(kiosk, store):
    store.write(settings.set_value, "kiosk_thanks_seconds", 30)
    at = fill(choose(kiosk, "uk"), "Оксана")
    at.button(key="kiosk_submit").click().run()
    at.session_state["kiosk_thanks_at"] = time.time() - 9
    at.run()
    assert values(at.main, "success") == [i18n.kt("kiosk.thanks", "uk")], "9 s of 30: still thanking"
    at.session_state["kiosk_thanks_at"] = time.time() - 31
    at.run()
    assert "kiosk_lang_nl" in [b.key for b in at.main.button]
    assert "Оксана" not in main_text(at)


def test_a_form_left_alone_is_cleared(kiosk):
    at = choose(kiosk, "fa")
    at.text_input(key="kiosk_given_name").input("زهرا").run()
    at.session_state["kiosk_active_at"] = time.time() - 121   # nobody touched it for two minutes
    at.run()
    assert "kiosk_lang_nl" in [b.key for b in at.main.button]
    assert "زهرا" not in main_text(at)


def test_the_next_person_starts_with_an_empty_form_and_the_netherlands(kiosk):
    at = choose(kiosk, "en")
    at.selectbox(key="kiosk_phone_country").set_value("SY")
    fill(at, "Amal", "0944 123 456").button(key="kiosk_submit").click().run()
    at.button(key="kiosk_done").click().run()
    choose(at, "en")
    assert at.selectbox(key="kiosk_phone_country").value == "NL"
    assert at.text_input(key="kiosk_given_name").value == ""
    assert at.text_input(key="kiosk_phone").value == ""


def test_every_field_says_autocomplete_off(kiosk):
    at = choose(kiosk, "en")
    assert {box.key: box.proto.autocomplete for box in at.text_input} == {
        "kiosk_given_name": "off", "kiosk_family_name": "off", "kiosk_phone": "off", "kiosk_email": "off"}


# -- kiosk mode of a staff session ----------------------------------------------------------------------
STAFF_PAGES = sorted(p for p in PAGES_DIR.glob("*.py") if p.stem != "self_register")


def test_kiosk_mode_drops_staff_rights_and_shows_the_chooser(market_kiosk, store, staff):
    assert "kiosk_lang_nl" in [b.key for b in market_kiosk.main.button]
    assert not market_kiosk.sidebar.get("radio") and not list(market_kiosk.sidebar.button)
    user = sessions.resume(store, market_kiosk.session_state[TOKEN_KEY]).user
    assert (user.id, user.role, user.kiosk.market, user.kiosk.day) == (
        staff["outreach"].id, "kiosk", "Markt Kerkplein", today())
    for path in STAFF_PAGES:
        with pytest.raises(ValueError):   # the navigation holds the kiosk screen alone
            market_kiosk.switch_page(f"pages/{path.name}")


@pytest.mark.parametrize("path", STAFF_PAGES, ids=lambda p: p.stem)
def test_every_staff_page_refuses_a_session_in_kiosk_mode_even_opened_on_its_own(market_kiosk, path):
    """As on a freshly started server, where a page file can be reached without app.py's navigation."""
    at = new_app(str(path))
    at.session_state[TOKEN_KEY] = market_kiosk.session_state[TOKEN_KEY]
    first_run(at)
    assert [(e.type, e.value) for e in elements(at.main)] == [("error", t("app.no_access"))]


def test_a_wrong_pin_keeps_the_kiosk_and_the_right_pin_gives_the_session_back(market_kiosk, store):
    at = market_kiosk
    at.button(key="kiosk_staff_open").click().run()
    at.text_input(key="kiosk_pin").input("000000")
    at.button(key="kiosk_end").click().run()
    assert values(at.main, "error") == [t("kiosk_mode.pin_wrong")]
    assert sessions.resume(store, at.session_state[TOKEN_KEY]).user.role == "kiosk"

    at.text_input(key="kiosk_pin").input(PIN)
    at.button(key="kiosk_end").click().run()
    assert sessions.resume(store, at.session_state[TOKEN_KEY]).user.role == "outreach"
    open_page(at, "find")   # staff screens are back
    assert not at.error


def test_staff_see_the_interest_on_the_person_page(login, store, staff):
    actor = staff["admin"].as_user().actor()
    board = registry.save(store, actor, registry.NetworkInput(name="Klankbord Oost", min_places=3, max_places=12))
    person_id = persons.register(store, actor, PersonInput(given_name="Saba", phone="0612345678", consent_contact=True),
                                 SourceInput(kind="self_registration", source_name="Markt"), confirmed_new=True,
                                 interests_in=(board,)).person_id
    at = login("outreach", "person", query={"id": str(person_id)})
    assert t("person.interested_in", networks="Klankbord Oost") in values(at.main, "markdown")
