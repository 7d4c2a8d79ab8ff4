"""Register (outreach): every consent purpose, and the waiting lists picked while registering; the person page
shows each purpose and its history, and withdraws one as a new row."""
import pytest
from apptest_kit import feedback_box, main_text, t, values

from crm_app.access.audit import Actor
from crm_app.core.i18n import label
from crm_app.networks import registry, waitlists
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

MANAGER = Actor(user_id=None, role="program_manager", origin="web")


def network(store, name: str, kind: str = "sounding_board") -> int:
    return registry.save(store, MANAGER, registry.NetworkInput(name=name, kind=kind, min_places=0, max_places=15,
                                                               term_months=12))


@pytest.fixture
def lists(store) -> dict[str, int]:
    return {name: network(store, name) for name in ("Adviesraad Nieuwkomers", "Klankbordgroep De Stem")} | {
        "Alumni Netwerk": network(store, "Alumni Netwerk", "alumni_network")}


def type_amal(at, *, source_kind="coach_referral"):
    at.selectbox(key="register_source_kind").set_value(source_kind).run()
    at.text_input(key="register_given_name").input("Amal")
    at.text_input(key="register_family_name").input("Haddad")
    at.text_input(key="register_phone").input("06 12345678")
    at.text_input(key="register_source_name").input("Coach Petra")
    return at


def consent_rows(store) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT purpose, granted, method FROM consent ORDER BY id").fetchall()


def waiting(store) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT n.name, w.status FROM waitlist_entry w JOIN network n ON n.id = w.network_id "
                           "ORDER BY n.name").fetchall()


def test_register_with_photo_sharing_and_two_waiting_lists(login, store, lists):
    at = login("outreach", "register")
    picker = at.multiselect(key="register_networks")
    assert picker.options == ["Adviesraad Nieuwkomers", "Klankbordgroep De Stem"], "no alumni network"
    assert picker.disabled, "only with contact consent"
    assert not [c for c in at.checkbox if c.key == "register_consent_share_with_referrer"], "a market has no referrer"

    type_amal(at)
    at.checkbox(key="register_consent_contact").check().run()
    for purpose in ("photo", "share_with_referrer"):
        at.checkbox(key=f"register_consent_{purpose}").check()
    at.radio(key="register_consent_method").set_value("written")
    at.multiselect(key="register_networks").set_value(list(lists.values())[:2]).run()
    at.button(key="register_submit").click().run()

    assert values(at.main, "success") == [t("register.saved", name="Amal Haddad")], main_text(at)
    assert consent_rows(store) == [("contact", True, "written"), ("share_with_referrer", True, "written"),
                                   ("photo", True, "written")]
    assert waiting(store) == [("Adviesraad Nieuwkomers", "waiting"), ("Klankbordgroep De Stem", "waiting")]
    shown, _ = feedback_box(at, "register_submit")
    assert t("register.joined", networks="Adviesraad Nieuwkomers, Klankbordgroep De Stem") in [
        getattr(e, "value", None) for e in shown]
    assert at.multiselect(key="register_networks").value == [], "the next person starts without lists"


def test_sharing_typed_then_the_source_changed_to_a_market_is_not_stored(login, store):
    at = type_amal(login("outreach", "register"))
    at.checkbox(key="register_consent_contact").check()
    at.checkbox(key="register_consent_share_with_referrer").check().run()
    at.selectbox(key="register_source_kind").set_value("market").run()
    at.button(key="register_submit").click().run()
    assert values(at.main, "success"), main_text(at)
    assert consent_rows(store) == [("contact", True, "verbal")]


def test_same_person_adds_the_lists_and_says_per_network_why_one_was_refused(login, store, staff, lists):
    actor = staff["outreach"].as_user().actor()
    existing = persons.register(store, actor, PersonInput(given_name="Amal", family_name="Haddad", phone="06 12345678",
                                                          consent_contact=True),
                                SourceInput(kind="market", source_name="Markt Oost")).person_id
    waitlists.add(store, MANAGER, lists["Klankbordgroep De Stem"], existing)

    at = type_amal(login("outreach", "register"))
    at.checkbox(key="register_consent_contact").check().run()
    at.multiselect(key="register_networks").set_value(
        [lists["Adviesraad Nieuwkomers"], lists["Klankbordgroep De Stem"]]).run()
    at.button(key="register_submit").click().run()
    assert values(at.main, "warning") == [t("register.duplicates_found")]
    at.button(key=f"register_use_existing_{existing}").click().run()

    assert values(at.main, "success") == [t("register.added_to_existing", name="Amal Haddad", id=existing)]
    assert values(at.main, "warning") == [f"Klankbordgroep De Stem: {t('err.already_on_list')}"]
    assert waiting(store) == [("Adviesraad Nieuwkomers", "waiting"), ("Klankbordgroep De Stem", "waiting")]
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person").fetchone() == (1,)
        assert cur.execute("SELECT count(*) FROM person_source WHERE person_id = ?", [existing]).fetchone() == (2,)
    assert any(link.proto.query_string == f"id={existing}" for link in at.get("page_link"))


def test_person_page_withdraws_photo_and_the_history_shows_both_rows(login, store, staff):
    actor = staff["outreach"].as_user().actor()
    person_id = persons.register(store, actor, PersonInput(given_name="Amal", consent_photo=True),
                                 SourceInput(kind="market", source_name="Markt Oost"), consent_method="form").person_id
    at = login("outreach", "person", query={"id": str(person_id)})
    assert f"{label('consent_purpose', 'photo')}: {t('person.given')}" in main_text(at)
    assert not [c for c in at.checkbox if c.key == "person_consent_share_with_referrer"], "nobody referred Amal"

    at.checkbox(key="person_consent_photo").uncheck().run()
    assert t("consent.withdraw_effect.photo") in values(at.main, "caption")
    at.radio(key="person_consent_method").set_value("written")
    at.button(key="person_save").click().run()

    assert values(at.main, "success") == [t("person.saved")]
    assert f"{label('consent_purpose', 'photo')}: {t('person.withdrawn')}" in main_text(at)
    [history] = [d.value for d in at.dataframe if t("person.consent_version") in d.value.columns]
    assert history[[t("person.consent_purpose"), t("person.consent_given"), t("field.consent_method")]].values.tolist() == [
        [label("consent_purpose", "photo"), t("register.merge.no"), label("consent_method", "written")],
        [label("consent_purpose", "photo"), t("register.merge.yes"), label("consent_method", "form")]]
    assert history[t("person.consent_recorded_by")].tolist() == ["Olga Outreach", "Olga Outreach"]

