"""Staff accounts: argon2id hashes, the rules for names and passwords, log-in and its audit trail."""
from __future__ import annotations

import pytest
from argon2 import extract_parameters

from crm_app.access import users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core.errors import CrmError, ValidationError

PASSWORD = "een lang genoeg wachtwoord"


def real_cost(test):
    """Keep the production argon2id parameters for this test."""
    test.real_cost = True
    return test


@pytest.fixture(autouse=True)
def cheap(request):
    """Real argon2id with the smallest cost parameters (0.3 s per hash is too slow for a test suite).

    Verification reads the parameters from the stored hash, so log-in runs the code unchanged.
    A test decorated with `real_cost` keeps the production parameters.
    """
    if not getattr(request.function, "real_cost", False):
        request.getfixturevalue("cheap_hashing")


@pytest.fixture
def olga(actor_login) -> tuple[str, str]:
    return actor_login


def codes(error: ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def login_events(store) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT user_id, action, record_type, record_id, result, origin FROM audit_event "
                           "WHERE action = 'login' ORDER BY id").fetchall()


@real_cost
def test_added_user_has_an_argon2id_hash_with_the_real_cost_and_no_plain_password(store):
    user_id = users.add(store, CLI_OPERATOR, "  Pim ", "Pim Programma", "program_manager", PASSWORD)
    with store.read() as cur:
        username, role, password_hash, disabled = cur.execute(
            "SELECT username, role, password_hash, disabled FROM app_user WHERE id = ?", [user_id]).fetchone()
        add_events = cur.execute("SELECT user_id, record_type, record_id, origin FROM audit_event "
                                 "WHERE action = 'user.add' AND record_id = ?", [user_id]).fetchall()
    assert (username, role, disabled) == ("pim", "program_manager", False)
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")   # RFC 9106's low-memory choice
    assert PASSWORD not in password_hash
    assert add_events == [(None, "app_user", user_id, "cli")]
    # An unknown username spends a verification of the same cost, so timing does not tell who exists.
    assert extract_parameters(users.dummy_hash()) == extract_parameters(password_hash)
    assert users.authenticate(store, "pim", PASSWORD).username == "pim"


def test_list_users_shows_no_hashes(store):
    users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", PASSWORD)
    listed = {u["username"]: u for u in users.list_users(store)}
    assert set(listed) == {"olga", "pim"}
    assert listed["pim"]["role"] == "program_manager"
    assert not any(str(value).startswith("$argon2") for user in listed.values() for value in user.values())


def test_same_password_hashes_differently(store):
    users.add(store, CLI_OPERATOR, "pim", "Pim", "program_manager", PASSWORD)
    users.add(store, CLI_OPERATOR, "ada", "Ada", "admin", PASSWORD)
    with store.read() as cur:
        hashes = [r[0] for r in cur.execute(
            "SELECT password_hash FROM app_user WHERE username IN ('pim', 'ada')").fetchall()]
    assert len(set(hashes)) == 2


def test_short_password_refused(store):
    with pytest.raises(ValidationError) as info:
        users.add(store, CLI_OPERATOR, "pim", "Pim", "program_manager", "x" * (users.PASSWORD_MIN - 1))
    error = info.value.for_field("password")
    assert (error.code, error.params) == ("password_too_short", {"min": users.PASSWORD_MIN})
    users.add(store, CLI_OPERATOR, "pim", "Pim", "program_manager", "k7#vQ2m!xLp9"[:users.PASSWORD_MIN])


def test_duplicate_username_refused_whatever_its_case(store, olga):
    username, _ = olga
    with pytest.raises(ValidationError) as info:
        users.add(store, CLI_OPERATOR, username.upper(), "Another Olga", "outreach", PASSWORD)
    assert codes(info.value) == {"username": "username_taken"}
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM app_user").fetchone() == (1,)


def test_every_problem_with_a_new_user_reported_at_once(store):
    with pytest.raises(ValidationError) as info:
        users.add(store, CLI_OPERATOR, "Olga Outreach!", "\u202eOlga", "superuser", "")
    assert codes(info.value) == {"username": "username_invalid", "display_name": "bidi_control",
                                 "role": "invalid_choice", "password": "password_too_short"}


@pytest.mark.parametrize("username", ["a", "-olga", "olga outreach", "ölga", "x" * 41, ""])
def test_username_rules(store, username):
    with pytest.raises(ValidationError) as info:
        users.add(store, CLI_OPERATOR, username, "Olga", "outreach", PASSWORD)
    assert codes(info.value) == {"username": "username_invalid"}


def test_authenticate_with_the_right_password(store, actor, olga):
    username, password = olga
    user = users.authenticate(store, username, password)
    assert user == users.User(actor.user_id, username, "Olga Outreach", "outreach")
    assert user.actor() == actor
    assert users.authenticate(store, f"  {username.upper()} ", password) == user   # usernames ignore case
    [listed] = [u for u in users.list_users(store) if u["username"] == username]
    assert listed["last_login_utc"] is not None


@pytest.mark.parametrize("wrong", [lambda right: "wrong password", lambda right: "", str.upper,
                                   lambda right: right + " ", lambda right: right[:-1]])
def test_authenticate_with_a_wrong_password(store, olga, wrong):
    username, password = olga
    assert users.authenticate(store, username, wrong(password)) is None


def test_authenticate_unknown_user(store, olga):
    assert users.authenticate(store, "nobody", olga[1]) is None
    assert users.authenticate(store, "", "") is None


def test_account_without_a_password_cannot_log_in_with_one(store):
    user_id = users.add(store, CLI_OPERATOR, "oidc-only", "Via identity provider", "outreach", PASSWORD)
    store.write(lambda cur: cur.execute("UPDATE app_user SET password_hash = NULL WHERE id = ?", [user_id]))
    assert users.authenticate(store, "oidc-only", PASSWORD) is None
    assert users.authenticate(store, "oidc-only", "not a real password, only spends the same time") is None


def test_disabled_user_cannot_log_in_and_can_again_once_enabled(store, olga):
    username, password = olga
    users.set_disabled(store, CLI_OPERATOR, username, True)
    assert users.authenticate(store, username, password) is None
    users.set_disabled(store, CLI_OPERATOR, username, False)
    assert users.authenticate(store, username, password) is not None
    with pytest.raises(CrmError) as info:
        users.set_disabled(store, CLI_OPERATOR, "nobody")
    assert info.value.code == "user_not_found"


def test_login_attempts_are_audited_ok_or_refused(store, actor, olga):
    username, password = olga
    users.authenticate(store, username, password)
    users.authenticate(store, username, "wrong password", origin="cli")
    users.authenticate(store, "nobody", "whatever")
    users.set_disabled(store, CLI_OPERATOR, username, True)
    users.authenticate(store, username, password)
    assert login_events(store) == [
        (actor.user_id, "login", "app_user", actor.user_id, "ok", "web"),
        (None, "login", "app_user", actor.user_id, "refused", "cli"),
        (None, "login", "app_user", None, "refused", "web"),
        (None, "login", "app_user", actor.user_id, "refused", "web"),
    ]
    with store.read() as cur:
        text = repr(cur.execute("SELECT * FROM audit_event").fetchall())
    for secret in (password, "wrong password", "whatever", "nobody", username):
        assert secret not in text
