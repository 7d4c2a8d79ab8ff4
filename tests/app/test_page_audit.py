"""The Audit screen: administrators and coordinators search the audit log and verify the chain;
other roles get no access. Nothing on the screen edits the log."""
from __future__ import annotations

import datetime as dt

import pytest
from apptest_kit import elements, main_text, open_page, t, tn, values

from crm_app.access import audit, screens
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput


def _register(store, staff) -> int:
    return persons.register(store, staff["outreach"].as_user().actor(),
                            PersonInput(given_name="Amal", family_name="Haddad"),
                            SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id


def _frames(at):
    """The tables on the screen, as DataFrames."""
    return [e.value for e in elements(at.main) if e.type in ("arrow_data_frame", "dataframe")]


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_admin_and_coordinator_see_and_filter_the_log(login, staff, store, role):
    person_id = _register(store, staff)
    at = login(role, "audit")
    assert values(at.main, "title") == [t("audit.title")]
    [frame] = _frames(at)
    assert t("label.audit_action.person.register") in set(frame[t("audit.col.action")])
    assert "Olga Outreach" in set(frame[t("audit.col.user")])
    assert "Amal" not in main_text(at) and "Haddad" not in main_text(at)

    at.text_input(key="audit_action").input("register").run()
    [frame] = _frames(at)
    assert set(frame[t("audit.col.action")]) == {t("label.audit_action.person.register")}
    assert list(frame[t("audit.col.record")]) == [f"person {person_id}"]

    at.text_input(key="audit_action").input("").run()
    at.selectbox(key="audit_user").set_value(staff["outreach"].id).run()
    [frame] = _frames(at)
    assert set(frame[t("audit.col.user")]) == {"Olga Outreach"}

    at.selectbox(key="audit_user").set_value(None).run()
    at.text_input(key="audit_record_id").input(str(person_id)).run()
    [frame] = _frames(at)
    records = set(frame[t("audit.col.record")])
    assert f"person {person_id}" in records and all(r.endswith(f" {person_id}") for r in records)

    tomorrow = dt.date.today() + dt.timedelta(days=2)
    at.date_input(key="audit_since").set_value(tomorrow).run()
    assert _frames(at) == []
    assert t("audit.none") in values(at.main, "info")
    assert not at.exception


def test_actions_read_as_words_and_are_found_by_them(login, store, staff):
    _register(store, staff)
    at = login("admin", "audit")
    [frame] = _frames(at)
    shown = set(frame[t("audit.col.action")])
    assert {"Inloggen", "Persoon geregistreerd"} <= shown
    assert not shown & {"login", "person.register", "session.start"}
    assert "gelukt" in set(frame[t("audit.col.result")]) and "ok" not in set(frame[t("audit.col.result")])
    assert {"app", "opdrachtregel"} <= set(frame[t("audit.col.origin")]) and "web" not in set(frame[t("audit.col.origin")])

    at.text_input(key="audit_action").input("inloggen").run()
    [frame] = _frames(at)
    assert set(frame[t("audit.col.action")]) == {"Inloggen"}
    at.text_input(key="audit_action").input("login").run()   # the code still finds it
    [frame] = _frames(at)
    assert set(frame[t("audit.col.action")]) == {"Inloggen"}


def test_every_action_the_code_records_has_a_label():
    """Each literal action passed to audit.record is in audit.ACTIONS; each built one has its prefix there."""
    import re
    from pathlib import Path
    root = Path(audit.__file__).resolve().parents[1]
    literal = re.compile(r'audit\.record\(\s*cur,\s*[\w.]+(?:\([^)]*\))?,\s*(f?)"([^"{]+)')
    found = [(m.group(1), m.group(2)) for path in root.rglob("*.py")
             for m in literal.finditer(path.read_text(encoding="utf-8"))]
    assert len(found) > 40
    for is_f, text in found:
        if is_f:
            assert any(a.startswith(text) for a in audit.ACTIONS), text
        else:
            assert text in audit.ACTIONS, text


def test_verify_button_shows_intact_then_broken(login, store, staff):
    _register(store, staff)
    at = login("admin", "audit")
    at.button(key="audit_verify").click().run()
    result = audit.verify(store)
    assert result.ok
    assert values(at.main, "success") == [tn("audit.intact", result.events_checked)]

    with store.read() as cur:
        (target,) = cur.execute("SELECT min(id) FROM audit_event WHERE action = 'person.register'").fetchone()
        cur.execute("UPDATE audit_event SET result = 'refused' WHERE id = ?", [target])
    at.button(key="audit_verify").click().run()
    assert values(at.main, "error") == [f'{t("audit.broken", id=target)} {t("audit.reason.hash_mismatch")}']


def test_verify_button_fails_on_a_log_whose_hashes_were_wiped(login, store, staff):
    _register(store, staff)
    at = login("admin", "audit")
    with store.read() as cur:
        cur.execute("UPDATE audit_event SET prev_hash = NULL, event_hash = NULL")
        cur.execute("UPDATE audit_head SET last_id = NULL, last_hash = NULL")
    at.button(key="audit_verify").click().run()
    assert values(at.main, "success") == []
    assert values(at.main, "error") == [f'{t("audit.failed")} {t("audit.reason.not_keyed")}']


@pytest.mark.parametrize("role", ["outreach", "program_manager", "kiosk"])
def test_other_roles_do_not_get_the_screen(login, role):
    """Not in their navigation, so not reachable by switching pages; opening pages/audit.py directly
    (no access) is covered for every role by test_role_matrix, which picks the page up from screens.SCREENS."""
    at = login(role)
    assert "audit" not in [screen.key for screen in screens.screens_for(role)]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(at, "audit")
    assert t("audit.title") not in main_text(at)
