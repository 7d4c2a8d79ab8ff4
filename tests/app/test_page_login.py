"""The login form of app.py: the gate in front of every screen."""
import pytest
from apptest_kit import PASSWORD, first_run, new_app, submit_login, t, values


def test_first_screen_is_only_the_login_form():
    at = first_run(new_app())
    assert values(at.main, "title") == [t("login.title")]
    assert {w.key for w in at.text_input} == {"login_username", "login_password"}
    assert [b.key for b in at.button] == ["login_submit"]
    assert not at.sidebar.button, "no log-out (or any other) button before logging in"


def test_wrong_password_shows_the_error_and_no_navigation(staff):
    at = first_run(new_app())
    submit_login(at, staff["outreach"].username, PASSWORD + "!")

    assert values(at.main, "error") == [t("login.failed")]
    assert values(at.main, "title") == [t("login.title")]
    assert at.text_input(key="login_password").value == "", "a refused password is not kept"
    assert "auth_token" not in at.session_state
    assert not at.sidebar.button and not at.sidebar.caption, "nobody is signed in"
    with pytest.raises(ValueError):   # only the login page is registered with st.navigation
        at.switch_page("pages/register.py")


def test_unknown_user_gets_the_same_message_as_a_wrong_password():
    at = first_run(new_app())
    submit_login(at, "nobody", PASSWORD)
    assert values(at.main, "error") == [t("login.failed")]


def test_right_password_opens_the_home_page_with_the_name(staff):
    at = first_run(new_app())
    submit_login(at, staff["outreach"].username.upper(), PASSWORD)   # usernames are case-insensitive

    assert not at.error
    assert values(at.main, "title") == [t("home.welcome", name="Olga Outreach")]
    assert any("Olga Outreach" in c for c in values(at.sidebar, "caption"))
    assert at.sidebar.button(key="app_logout")


def test_log_out_returns_to_the_login_form(login):
    at = login("admin")
    at.sidebar.button(key="app_logout").click().run()
    assert values(at.main, "title") == [t("login.title")]
    assert "auth_token" not in at.session_state


def test_a_store_without_its_audit_key_says_so_at_login_instead_of_crashing(staff, monkeypatch):
    """A store copied to a new server without `<db>.audit-key`: nothing may be saved, a login included."""
    monkeypatch.delenv("CRM_AUDIT_KEY")
    at = first_run(new_app())
    submit_login(at, staff["outreach"].username, PASSWORD)
    assert not at.exception
    [error] = values(at.main, "error")
    assert error.startswith(t("err.audit_key_missing", file="x").split(":")[0])
    assert "auth_token" not in at.session_state or not at.session_state["auth_token"]
    assert values(at.main, "title") == [t("login.title")]
