"""What an administrator does in the app and at `crm` alike: change a role, reset a password, disable,
see and end sessions, change the session limits — each refused to other roles, each audited, and
never locking the administrators out (their own role and account, the last active administrator)."""
from __future__ import annotations

import pytest

from crm_app.access import sessions, users
from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.core import i18n, settings
from crm_app.core.errors import CrmError, PermissionDenied, ValidationError

PASSWORD = "een lang genoeg wachtwoord"


@pytest.fixture(autouse=True)
def cheap(cheap_hashing):
    yield


@pytest.fixture
def ada(store) -> Actor:
    """The only administrator, acting in the app."""
    user_id = users.add(store, CLI_OPERATOR, "ada", "Ada Admin", "admin", PASSWORD)
    return Actor(user_id, "admin", "web")


def events(store, action: str) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT user_id, record_type, record_id, result, origin FROM audit_event "
                           "WHERE action = ? ORDER BY id", [action]).fetchall()


def user_id(store, username: str) -> int:
    return next(u["id"] for u in users.list_users(store) if u["username"] == username)


def test_a_role_change_is_audited(store, ada, actor_login):
    username = actor_login[0]
    users.set_role(store, ada, username, "coordinator")
    assert next(u["role"] for u in users.list_users(store) if u["username"] == username) == "coordinator"
    assert events(store, "user.role") == [(ada.user_id, "app_user", user_id(store, username), "ok", "web")]


def test_an_unknown_role_or_account_is_refused(store, ada, actor_login):
    with pytest.raises(ValidationError):
        users.set_role(store, ada, actor_login[0], "superuser")
    with pytest.raises(CrmError, match="user_not_found"):
        users.set_role(store, ada, "nobody", "outreach")


@pytest.mark.parametrize("call", [
    lambda store, actor, name: users.set_role(store, actor, name, "admin"),
    lambda store, actor, name: users.set_password(store, actor, name, PASSWORD),
    lambda store, actor, name: users.set_disabled(store, actor, name, True),
    lambda store, actor, name: sessions.end_all_for_user(store, actor, name),
    lambda store, actor, name: sessions.end_one(store, actor, 1),
    lambda store, actor, name: sessions.live_sessions(store, actor),
    lambda store, actor, name: sessions.change_limits(store, actor, {"session_idle_seconds": 600}),
])
@pytest.mark.parametrize("role", ["outreach", "program_manager", "coordinator", "kiosk", "none"])
def test_other_roles_are_refused(store, actor, role, call, ada):
    with pytest.raises(PermissionDenied):
        call(store, Actor(actor.user_id, role, "web"), "ada")
    assert [u["role"] for u in users.list_users(store) if u["username"] == "ada"] == ["admin"]
    assert not any(u["disabled"] for u in users.list_users(store))
    with store.read() as cur:
        assert settings.get(cur, "session_idle_seconds") == settings.DEFAULTS["session_idle_seconds"]


def test_an_administrator_cannot_change_their_own_role_or_disable_themselves(store, ada):
    users.add(store, CLI_OPERATOR, "bea", "Bea Beheer", "admin", PASSWORD)   # not the last one either
    for call in (lambda: users.set_role(store, ada, "ada", "outreach"), lambda: users.set_disabled(store, ada, "ada")):
        with pytest.raises(CrmError, match="own_account"):
            call()
    assert [(u["role"], u["disabled"]) for u in users.list_users(store) if u["username"] == "ada"] == [("admin", False)]
    assert events(store, "user.role") == [] and events(store, "user.disable") == []


def test_the_last_active_administrator_is_neither_demoted_nor_disabled(store, ada):
    with pytest.raises(CrmError, match="last_admin"):
        users.set_role(store, CLI_OPERATOR, "ada", "outreach")
    with pytest.raises(CrmError, match="last_admin"):
        users.set_disabled(store, CLI_OPERATOR, "ada", True)
    users.add(store, CLI_OPERATOR, "bea", "Bea Beheer", "admin", PASSWORD)
    users.set_disabled(store, CLI_OPERATOR, "bea", True)   # a disabled administrator does not count
    with pytest.raises(CrmError, match="last_admin"):
        users.set_role(store, CLI_OPERATOR, "ada", "outreach")
    users.set_disabled(store, CLI_OPERATOR, "bea", False)
    users.set_role(store, CLI_OPERATOR, "ada", "outreach")    # now bea is left
    users.set_role(store, CLI_OPERATOR, "ada", "admin")       # promoting is always allowed


def test_a_generated_password_meets_the_policy_and_differs_each_time():
    made = {users.generated_password("ada") for _ in range(20)}
    assert len(made) == 20
    assert all(users.password_error(p, "ada") is None for p in made)


def test_a_password_reset_logs_in_and_is_audited(store, ada, actor_login):
    username, old = actor_login
    new = users.generated_password(username)
    users.set_password(store, ada, username, new)
    assert users.authenticate(store, username, old) is None
    assert users.authenticate(store, username, new).username == username
    assert events(store, "user.passwd") == [(ada.user_id, "app_user", user_id(store, username), "ok", "web")]


def test_sessions_are_listed_without_tokens_with_their_address(store, ada, actor):
    olga = users.active_user(store, actor.user_id)
    token = sessions.start(store, olga, "local", address="192.0.2.7")
    sessions.start(store, olga, "local", address="<not an address>")
    rows = sessions.live_sessions(store, ada)
    assert [(r["username"], r["address"]) for r in rows] == [(olga.username, "192.0.2.7"), (olga.username, None)]
    assert token not in repr(rows) and sessions.token_hash(token) not in repr(rows)


def test_ending_one_session_leaves_the_others(store, ada, actor):
    olga = users.active_user(store, actor.user_id)
    first, second = sessions.start(store, olga, "local"), sessions.start(store, olga, "local")
    first_id = sessions.live_sessions(store, ada)[0]["id"]
    assert sessions.end_one(store, ada, first_id) is True
    assert sessions.end_one(store, ada, first_id) is False, "already ended: nothing to do, no second event"
    assert sessions.resume(store, first) is None
    assert sessions.resume(store, second) is not None
    assert events(store, "session.end") == [(ada.user_id, "app_session", first_id, "ended_by_admin", "web")]


def test_ending_all_sessions_of_an_account(store, ada, actor):
    olga = users.active_user(store, actor.user_id)
    tokens = [sessions.start(store, olga, "local") for _ in range(2)]
    assert sessions.end_all_for_user(store, ada, olga.username) == 2
    assert all(sessions.resume(store, token) is None for token in tokens)
    assert len(events(store, "session.end")) == 2
    with pytest.raises(CrmError, match="user_not_found"):
        sessions.end_all_for_user(store, ada, "nobody")


def test_changing_the_limits_is_audited_and_all_or_nothing(store, ada):
    now = sessions.change_limits(store, ada, {"session_idle_seconds": 600, "session_max_seconds": None})
    assert now == {**{n: settings.DEFAULTS[n] for n in sessions.LIMITS}, "session_idle_seconds": 600}
    assert events(store, "setting.change") == [(ada.user_id, None, None, "session_idle_seconds", "web")]
    with pytest.raises(ValidationError) as refused:
        sessions.change_limits(store, ada, {"session_max_seconds": 7200, "oidc_fresh_login_seconds": 1})
    assert [e.field for e in refused.value.errors] == ["oidc_fresh_login_seconds"]
    assert sessions.limits(store)["session_max_seconds"] == settings.DEFAULTS["session_max_seconds"]
    assert len(events(store, "setting.change")) == 1


def test_crm_user_role_and_its_last_admin_refusal(tmp_path, capsys):
    from crm_app.cli import main as cli

    def run(*argv):
        code = cli.main(["--db", str(tmp_path / "crm.duckdb"), *argv])
        return code, capsys.readouterr()

    run("user", "add", "ada", "--name", "Ada", "--role", "admin", "--oidc-subject", "sub-ada", "--no-password")
    run("user", "add", "pim", "--name", "Pim", "--role", "outreach", "--oidc-subject", "sub-pim", "--no-password")
    code, out = run("--json", "user", "role", "pim", "program_manager")
    assert code == 0 and out.out.strip().startswith("{") and "program_manager" in out.out
    code, out = run("user", "role", "ada", "outreach")
    assert (code, out.err.strip()) == (1, i18n.t("err.last_admin", i18n.DEFAULT_LANG))
