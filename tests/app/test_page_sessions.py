"""The Sessions and Roles screens (administrators): live sessions without tokens, ending one or all of an
account's after a confirmation (the browser of that session is logged out at its next click), the
session limits, and the roles matrix as tables."""
import pytest
from apptest_kit import count, main_text, pick_row, t, tn, values

from crm_app.access import roles, sessions
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import permissions, reference, settings
from crm_app.ui.session import TOKEN_KEY


@pytest.fixture
def sessions_page(login):
    return login("admin", "sessions")


def session_row(store, username: str) -> tuple[int, int]:
    """(row index in the sessions table, session id) of `username`'s first live session."""
    rows = sessions.live_sessions(store, CLI_OPERATOR)
    index = next(i for i, row in enumerate(rows) if row["username"] == username)
    return index, rows[index]["id"]


def test_lists_live_sessions_without_tokens(login, sessions_page, staff):
    olga_at = login("outreach")
    sessions_page.run()
    table = sessions_page.get_by_key("sessions_table").value
    accounts = set(table[t("sessions.col.account")])
    assert f"{staff['outreach'].display_name} ({staff['outreach'].username})" in accounts
    assert set(table[t("sessions.col.address")]) == {t("sessions.address_unknown")}, "localhost has no address"
    assert olga_at.session_state[TOKEN_KEY] not in main_text(sessions_page)


def test_ending_one_session_logs_that_browser_out_and_leaves_the_other(login, sessions_page, staff, store):
    first, second = login("outreach"), login("outreach")
    sessions_page.run()
    index, session_id = session_row(store, staff["outreach"].username)
    pick_row(sessions_page, "sessions_table", index)
    sessions_page.button(key="sessions_end").click().run()
    assert values(sessions_page.main, "warning") == [t("sessions.confirm_one", username=staff["outreach"].username)]
    assert count(store, "SELECT count(*) FROM app_session WHERE ended_utc IS NOT NULL") == 0, "asked first"
    sessions_page.button(key="sessions_confirm_yes").click().run()

    assert values(sessions_page.main, "success") == [t("sessions.ended_one")]
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'session.end' AND record_id = ? "
                        "AND result = 'ended_by_admin' AND user_id = ?", [session_id, staff["admin"].id]) == 1
    first.run()
    assert values(first.main, "title") == [t("login.title")], "the ended session is refused"
    second.run()
    assert values(second.main, "title") != [t("login.title")], "the account's other session goes on"


def test_ending_all_sessions_of_an_account(login, sessions_page, staff, store):
    first, second = login("outreach"), login("outreach")
    sessions_page.run()
    pick_row(sessions_page, "sessions_table", session_row(store, staff["outreach"].username)[0])
    sessions_page.button(key="sessions_end_all").click().run()
    sessions_page.button(key="sessions_confirm_yes").click().run()

    assert values(sessions_page.main, "success") == [tn("sessions.ended_all", 2, username=staff["outreach"].username)]
    for at in (first, second):
        at.run()
        assert values(at.main, "title") == [t("login.title")]


def test_a_question_can_be_cancelled(login, sessions_page, staff, store):
    login("outreach")
    sessions_page.run()
    pick_row(sessions_page, "sessions_table", session_row(store, staff["outreach"].username)[0])
    sessions_page.button(key="sessions_end_all").click().run()
    sessions_page.button(key="sessions_confirm_no").click().run()
    assert not sessions_page.warning
    assert count(store, "SELECT count(*) FROM app_session WHERE ended_utc IS NOT NULL") == 0


def test_changing_the_limits(sessions_page, store):
    assert sessions_page.number_input(key="sessions_idle_seconds").value == settings.DEFAULTS["session_idle_seconds"]
    sessions_page.number_input(key="sessions_idle_seconds").set_value(600)
    sessions_page.button(key="sessions_save_limits").click().run()

    assert values(sessions_page.main, "success") == [t("sessions.limits_saved")]
    assert sessions.limits(store)["session_idle_seconds"] == 600
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'setting.change' "
                        "AND result = 'session_idle_seconds' AND origin = 'web'") == 1
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'setting.change'") == 1, "only what changed"


def test_a_limit_out_of_range_is_refused_and_nothing_changes(sessions_page, store):
    sessions_page.number_input(key="sessions_idle_seconds").set_value(2)
    sessions_page.number_input(key="sessions_max_seconds").set_value(3600)
    sessions_page.button(key="sessions_save_limits").click().run()

    assert values(sessions_page.main, "error") == [
        f"{t('sessions.limit.session_idle_seconds')}: {t('err.out_of_range', low=5, high=86400)}"]
    assert sessions.limits(store) == {name: settings.DEFAULTS[name] for name in sessions.LIMITS}


def test_the_roles_matrix_as_tables(login):
    at = login("admin", "roles")
    screens_table, actions_table = [e.value for e in at.main if getattr(e, "type", "") in ("arrow_data_frame",
                                                                                           "dataframe")]
    assert len(screens_table) == len(roles.SCREENS)
    assert list(actions_table[t("roles.col.action")]) == list(permissions.ACTIONS)
    assert list(actions_table.columns[3:]) == [t(f"label.role.{role}") for role in reference.ROLES]
