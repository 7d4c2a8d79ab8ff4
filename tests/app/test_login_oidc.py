"""The login page with the organisation's identity provider configured ([auth] in secrets.toml):
st.user (faked with AppTest.user) leads to an account only through the CRM's own table, only when
the provider login is fresh, and the session stays bound to that identity."""
from __future__ import annotations

import datetime as dt

import pytest
from apptest_kit import PASSWORD, count, first_run, new_app, sign_in, submit_login, t, values

from crm_app.access import sessions, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import clock, settings
from crm_app.ui import session

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "not-a-real-secret-" * 2,
        "client_id": "crm", "client_secret": "shh",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
LABEL = "Gemeente ID"


@pytest.fixture
def linked(staff, store) -> users.User:
    """The program manager's account, linked to the identity provider's subject."""
    pim = staff["program_manager"]
    users.link_identity(store, CLI_OPERATOR, pim.username, oidc_subject="sub-pim")
    return pim.as_user()


def oidc_app(claims: dict | None = None, *, local: bool | None = None):
    at = new_app()
    at.secrets["auth"] = dict(AUTH)
    at.secrets["crm_auth"] = {"provider_label": LABEL, **({} if local is None else {"local_login": local})}
    if claims is not None:
        at.user = {"is_logged_in": True, **claims}
    return at


def now_ts() -> float:
    return clock.utcnow().replace(tzinfo=dt.UTC).timestamp()


def test_without_auth_configured_there_is_no_provider_button_and_st_user_is_ignored(linked):
    at = new_app()
    at.user = {"is_logged_in": True, "sub": "sub-pim", "iat": now_ts()}
    first_run(at)
    assert values(at.main, "title") == [t("login.title")]
    assert [b.key for b in at.button] == ["login_submit"]


def test_with_auth_configured_the_login_page_offers_the_provider_and_the_local_form():
    at = first_run(oidc_app())
    assert values(at.main, "title") == [t("login.title")]
    assert at.button(key="login_oidc_0").label == t("login.oidc", provider=LABEL)
    assert {w.key for w in at.text_input} == {"login_username", "login_password"}
    at.button(key="login_oidc_0").click().run()      # st.login: a redirect to the provider, no error
    assert not at.exception


def test_local_login_can_be_switched_off():
    at = first_run(oidc_app(local=False))
    assert [b.key for b in at.button] == ["login_oidc_0"] and not at.text_input


def test_a_fresh_provider_login_of_a_linked_account_gets_its_role_from_the_table(linked, store, frozen_clock):
    at = first_run(oidc_app({"sub": "sub-pim", "iat": now_ts(), "roles": ["admin"], "role": "admin",
                             "groups": ["admins"]}))
    assert values(at.main, "title") == [t("home.welcome", name=linked.display_name)]
    assert at.session_state["auth_token"]
    with pytest.raises(ValueError):
        at.switch_page("pages/users.py")              # an administrator's page: not for a program manager
    at.switch_page("pages/fill.py").run()
    assert t("app.no_access") not in values(at.main, "error")
    assert count(store, "SELECT count(*) FROM app_session WHERE method = 'oidc' AND ended_utc IS NULL") == 1


def test_an_unknown_identity_gets_no_access_and_an_audited_refusal_once(store, frozen_clock):
    at = first_run(oidc_app({"sub": "sub-stranger", "email": "s@example.org", "email_verified": True,
                             "iat": now_ts()}))
    assert values(at.main, "error") == [t("login.oidc_refused")]
    assert t("login.oidc_subject", subject="sub-stranger") in values(at.main, "caption"), \
        "the person sees the code an administrator links (`crm user link … --oidc-subject`)"
    assert not at.sidebar.button and "auth_token" not in at.session_state
    at.run()
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'login' AND result = 'refused'") == 1
    at.button(key="login_oidc_logout").click().run()
    assert not at.exception


def test_an_old_provider_login_cannot_open_a_session(linked, store, frozen_clock):
    stale = now_ts() - settings.DEFAULTS["oidc_fresh_login_seconds"] - 1
    at = first_run(oidc_app({"sub": "sub-pim", "iat": stale}))
    assert values(at.main, "title") == [t("login.title")]
    assert at.user.get("is_logged_in") is False, "st.logout() cleared Streamlit's identity cookie"
    assert count(store, "SELECT count(*) FROM app_session") == 0


def test_the_oidc_session_expires_like_a_local_one_and_then_needs_the_provider_again(linked, store,
                                                                                      frozen_clock):
    at = first_run(oidc_app({"sub": "sub-pim", "iat": now_ts()}))
    assert values(at.main, "title") == [t("home.welcome", name=linked.display_name)]
    clock.freeze(frozen_clock + dt.timedelta(seconds=settings.DEFAULTS["session_idle_seconds"] + 1))
    at.run()
    assert values(at.main, "title") == [t("login.title")]
    assert values(at.main, "info") == [t("login.session_ended")]
    assert at.user.get("is_logged_in") is False
    assert count(store, "SELECT count(*) FROM audit_event WHERE action = 'session.expire'") == 1


def test_the_session_is_bound_to_the_identity_it_started_with(linked, staff, store, frozen_clock):
    users.link_identity(store, CLI_OPERATOR, staff["admin"].username, oidc_subject="sub-ada")
    at = first_run(oidc_app({"sub": "sub-pim", "iat": now_ts()}))
    token = at.session_state["auth_token"]
    at.user = {"is_logged_in": True, "sub": "sub-ada", "iat": now_ts()}   # another identity cookie appears
    at.run()
    assert sessions.resume(store, token) is None
    assert values(at.main, "title") == [t("home.welcome", name=staff["admin"].display_name)], \
        "a fresh login of the other identity starts its own session"


def test_logout_of_an_oidc_session_ends_it_and_logs_out_at_streamlit(linked, store, frozen_clock):
    at = first_run(oidc_app({"sub": "sub-pim", "iat": now_ts()}))
    token = at.session_state["auth_token"]
    at.sidebar.button(key="app_logout").click().run()
    assert values(at.main, "title") == [t("login.title")]
    assert sessions.resume(store, token) is None
    assert at.user.get("is_logged_in") is False


def test_a_local_session_is_not_touched_by_the_provider_state(staff, monkeypatch):
    at = oidc_app()
    first_run(at)
    submit_login(at, staff["outreach"].username, PASSWORD)
    assert values(at.main, "title") == [t("home.welcome", name=staff["outreach"].display_name)]


def test_an_admin_adds_an_account_that_only_logs_in_through_the_provider(staff, store, frozen_clock):
    at = new_app()
    sign_in(at, staff["admin"].as_user())
    first_run(at)
    at.switch_page("pages/users.py").run()
    at.text_input(key="users_username").input("fatima")
    at.text_input(key="users_display_name").input("Fatima El Amrani")
    at.selectbox(key="users_role").set_value("coordinator")
    at.text_input(key="users_oidc_subject").input("sub-fatima")
    at.button(key="users_submit").click().run()
    assert values(at.main, "success") == [t("users.added", username="fatima")]
    table = at.get_by_key("users_table").value
    assert list(table[table[t("field.username")] == "fatima"][t("users.col.login")]) == [t("users.linked")]

    fatima = first_run(oidc_app({"sub": "sub-fatima", "iat": now_ts()}))
    assert values(fatima.main, "title") == [t("home.welcome", name="Fatima El Amrani")]
    local = first_run(new_app())
    submit_login(local, "fatima", "")
    assert values(local.main, "error") == [t("login.failed")], "no password: no local login"


def test_the_cookie_script_carries_the_session_and_the_safe_attributes(login):
    at = login("outreach")
    [script] = [e.proto.body for e in at.sidebar if e.type == "html"] or [None]
    token = at.session_state[session.TOKEN_KEY]
    assert f"crm_session={token}; Path=/; SameSite=Strict; Max-Age=" in script and "Secure" in script
    at.sidebar.button(key="app_logout").click().run()
    [cleared] = [e.proto.body for e in at.sidebar if e.type == "html"]
    assert "crm_session=; Path=/; SameSite=Strict; Max-Age=0" in cleared


@pytest.mark.parametrize("hostile", ['x";alert(1)//', "</script><script>alert(1)</script>", "a b", "a" * 200])
def test_the_cookie_script_refuses_anything_but_a_session_token(hostile):
    """Raw HTML the app renders: nothing but a server-made token may reach it."""
    with pytest.raises(ValueError):
        session.cookie_script(hostile, 60)
