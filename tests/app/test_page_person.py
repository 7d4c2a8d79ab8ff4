"""One person's page: what is known, editing with the same validation, logging a contact moment."""
import pytest
from apptest_kit import count, field_messages, main_text, open_page, pick_row, t, values

from crm_app.access.audit import Actor
from crm_app.core.clock import add_months, today
from crm_app.core.i18n import label
from crm_app.networks import memberships, offers, registry, waitlists
from crm_app.people import persons, sources
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.ui.text import escape, fmt_date


@pytest.fixture
def amal(store, staff) -> int:
    actor = staff["outreach"].as_user().actor()
    result = persons.register(
        store, actor,
        PersonInput(given_name="Amal", family_name="Haddad", phone="0944 123 456", phone_country="SY",
                    email="amal@example.org", consent_contact=True),
        SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True)
    sources.add_source(store, actor, result.person_id,
                       SourceInput(kind="coach_referral", source_name="Coach Noor", source_org="VluchtelingenWerk"))
    return result.person_id


@pytest.fixture
def person_page(login, amal):
    return login("outreach", "person", query={"id": str(amal)})


def test_shows_contact_details_sources_consents_and_stage(person_page, amal):
    text = main_text(person_page)
    assert values(person_page.main, "title") == ["Amal Haddad"]
    assert values(person_page.main, "caption")[0].startswith(f"#{amal} · {label('stage', 'new')} · ")
    assert "+963 944 123 456" in text and "amal@example.org" in text
    assert f"{label('source_kind', 'market')} · Markt Oost" in text
    assert f"({t('person.first_source')})" in text
    assert f"{label('source_kind', 'coach_referral')} · Coach Noor · VluchtelingenWerk" in text
    assert f"{label('consent_purpose', 'contact')}: {t('person.given')}" in text
    assert f"{label('consent_purpose', 'diversity_statistics')}: {t('person.not_asked')}" in text
    assert t("person.no_activities") in text


def test_the_form_starts_with_the_stored_values(person_page):
    assert person_page.text_input(key="person_given_name").value == "Amal"
    assert person_page.text_input(key="person_phone").value == "+963944123456"
    assert person_page.text_input(key="person_email").value == "amal@example.org"
    assert person_page.checkbox(key="person_consent_contact").value is True


def test_an_invalid_email_shows_the_message_and_changes_nothing(person_page, store, amal):
    person_page.text_input(key="person_family_name").input("Haddad-Saleh")
    person_page.text_input(key="person_email").input("amal@example")
    person_page.button(key="person_save").click().run()

    assert field_messages(person_page, "person", "email") == [f":red[:material/error: {t('err.email_invalid')}]"]
    assert not person_page.success
    assert person_page.text_input(key="person_family_name").value == "Haddad-Saleh", "what was typed is kept"
    with store.read() as cur:
        assert cur.execute("SELECT family_name, email FROM person WHERE id = ?", [amal]).fetchone() == (
            "Haddad", "amal@example.org")
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'person.edit'") == 0


def test_a_valid_edit_is_saved_and_shown(person_page, store, amal):
    person_page.text_input(key="person_family_name").input("Haddad-Saleh")
    person_page.button(key="person_save").click().run()
    assert values(person_page.main, "success") == [t("person.saved")]
    assert values(person_page.main, "title") == [escape("Amal Haddad-Saleh")]   # a stored name shows as text
    with store.read() as cur:
        assert cur.execute("SELECT family_name FROM person WHERE id = ?", [amal]).fetchone() == ("Haddad-Saleh",)


def test_a_stage_set_by_hand_is_shown(person_page, amal):
    person_page.selectbox(key="person_stage").set_value("interested")
    person_page.button(key="person_stage_submit").click().run()
    assert values(person_page.main, "caption")[0].startswith(f"#{amal} · {label('stage', 'interested')} · ")


def test_a_contact_moment_with_a_follow_up_today_is_due_on_the_follow_ups_page(person_page, store, amal):
    person_page.selectbox(key="person_activity_kind").set_value("call")
    person_page.text_area(key="person_activity_summary").input("Belde over het adviesnetwerk")
    person_page.date_input(key="person_activity_follow_up").set_value(today())
    person_page.button(key="person_activity_submit").click().run()

    assert values(person_page.main, "success") == [t("person.activity_saved")]
    assert t("person.follow_up_on", date=today().strftime("%d-%m-%Y")) in main_text(person_page)
    assert person_page.text_area(key="person_activity_summary").value == "", "the form is cleared for the next one"
    with store.read() as cur:
        [(activity_id,)] = cur.execute("SELECT id FROM activity WHERE person_id = ?", [amal]).fetchall()

    open_page(person_page, "follow_ups")
    assert "Belde over het adviesnetwerk" in main_text(person_page)
    assert t("followups.today") in main_text(person_page)
    pick_row(person_page, "followups_table", 0)
    item = person_page.get_by_key("followups_selected")
    assert "Amal Haddad" in main_text(item)
    links = item.get("page_link")
    assert [(link.proto.label, link.proto.query_string) for link in links] == [(t("list.open_person"), f"id={amal}")]

    person_page.button(key="followups_done").click().run()
    assert not [b for b in person_page.container if b.key == "followups_selected"]
    assert values(person_page.main, "info") == [t("followups.none")]
    assert count(store, "SELECT count(*) FROM activity WHERE follow_up_done") == 1


def test_a_contact_moment_without_follow_up_is_listed_but_not_due(person_page, store):
    person_page.selectbox(key="person_activity_kind").set_value("market_conversation")
    person_page.button(key="person_activity_submit").click().run()

    assert values(person_page.main, "success") == [t("person.activity_saved")]
    assert label("activity_kind", "market_conversation") in main_text(person_page)
    assert t("person.no_activities") not in main_text(person_page)
    open_page(person_page, "follow_ups")
    assert values(person_page.main, "info") == [t("followups.none")]


def test_an_unknown_id_says_the_person_does_not_exist(login):
    at = login("outreach", "person", query={"id": "999"})
    assert values(at.main, "error") == [t("person.not_found")]
    assert not at.text_input


def test_without_an_id_the_page_points_to_find(login):
    at = login("outreach", "person")
    assert values(at.main, "info") == [t("person.choose")]


def test_a_former_member_in_the_rest_period_is_shown_resting_until_they_may_return(login, store, amal):
    manager = Actor(user_id=None, role="program_manager", origin="web")
    network_id = registry.save(store, manager, registry.NetworkInput(
        name="Klankbordgroep De Stem", kind="sounding_board", min_places=0, max_places=15, term_months=12,
        rest_months=12))
    entry = waitlists.add(store, manager, network_id, amal)
    offer_id = offers.make(store, manager, network_id, [entry], "waitlist")[0]
    membership_id = offers.respond(store, manager, offer_id, "accept")["membership_id"]
    memberships.end_early(store, manager, membership_id, "left")

    text = main_text(login("outreach", "person", query={"id": str(amal)}))
    until = fmt_date(add_months(today(), 12))
    assert f"Klankbordgroep De Stem: {t('person.resting', until=until)}" in text


def test_a_stored_language_the_pickers_no_longer_offer_is_named_and_kept(login, store, staff):
    """Levantine Arabic (apc) was offered once and may be stored; the page names it and the form keeps it."""
    actor = staff["outreach"].as_user().actor()
    result = persons.register(
        store, actor, PersonInput(given_name="Rami", phone="0944 123 456", phone_country="SY",
                                  preferred_language="apc", other_languages=["yue", "ara"], consent_contact=True),
        SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True)
    page = login("outreach", "person", query={"id": str(result.person_id)})

    assert not page.exception
    assert "Levantijns-Arabisch" in main_text(page) and "Kantonees" in main_text(page)
    assert page.selectbox(key="person_preferred_language").value == "apc"
    assert page.multiselect(key="person_other_languages").value == ["yue", "ara"]
