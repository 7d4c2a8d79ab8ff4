"""New passwords: at least 12 characters, not a common password, not (containing) the username;
`users.set_password` and `crm user passwd USERNAME --password-stdin`."""
from __future__ import annotations

import io
import json

import pytest

from crm_app.access import users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.main import main
from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError

GOOD = "k7#vQ2m!xLp9"           # exactly 12 characters, on no list


@pytest.fixture(autouse=True)
def cheap(cheap_hashing):
    """Real argon2id with the smallest cost parameters."""


def refusal(store, username: str, password: str) -> str:
    with pytest.raises(ValidationError) as info:
        users.add(store, CLI_OPERATOR, username, "Fatima El Amrani", "coordinator", password)
    error = info.value.for_field("password")
    return error.code


def test_the_list_is_lower_case_without_duplicates_and_big_enough():
    lines = [line for line in users.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert len(lines) == len(set(lines)) >= 1000
    assert all(line == line.lower().strip() for line in lines)
    assert {"123456", "password", "qwerty", "wachtwoord", "welkom"} <= users.common_passwords()


def test_twelve_characters_not_on_the_list_are_accepted(store):
    assert len(GOOD) == users.PASSWORD_MIN
    assert users.password_error(GOOD, "fatima") is None
    users.add(store, CLI_OPERATOR, "fatima", "Fatima El Amrani", "coordinator", GOOD)
    assert users.authenticate(store, "fatima", GOOD) is not None


@pytest.mark.parametrize("password", ["password1234", "Password1234", "qwertyuiop12", "123456789012",
                                      "Wachtwoord123!", "WELKOM2026!!!", "iloveyou1234", "aaaaaaaaaaaa",
                                      "  p@ssw0rd2024  "])
def test_a_common_password_is_refused(store, password):
    assert refusal(store, "fatima", password) == "password_common"


@pytest.mark.parametrize("username, password", [("fatima", "fatima-el-amrani-2026"), ("fatima", "MijnNaamIsFatima!"),
                                                 ("coordinator-01", "coordinator-01"),
                                                 ("coordinator-01", "Coordinator-01")])
def test_a_password_that_is_or_contains_the_username_is_refused(store, username, password):
    assert refusal(store, username, password) == "password_contains_username"


def test_a_username_shorter_than_four_characters_may_appear_inside_a_word():
    assert users.password_error("correct horse battery staple", "cor") is None   # "cor" in "correct" is no leak
    assert users.password_error("fatima-el-amrani-2026", "fatima").code == "password_contains_username"


def test_each_refusal_has_a_message_in_both_languages():
    for code in ("password_too_short", "password_common", "password_contains_username"):
        nl, en = (i18n.error_text(users.password_error({"password_too_short": "x",
                                                        "password_common": "password1234",
                                                        "password_contains_username": "fatima-fatima!"}[code],
                                                       "fatima"), lang) for lang in ("nl", "en"))
        assert nl and en and nl != en


def test_set_password_replaces_the_hash_and_is_audited(store, actor, olga_login):
    username, old = olga_login
    users.set_password(store, CLI_OPERATOR, username.upper(), GOOD)
    assert users.authenticate(store, username, old) is None
    assert users.authenticate(store, username, GOOD) is not None
    with store.read() as cur:
        events = cur.execute("SELECT user_id, record_type, record_id, origin FROM audit_event "
                             "WHERE action = 'user.passwd'").fetchall()
        text = repr(cur.execute("SELECT * FROM audit_event").fetchall())
    assert events == [(None, "app_user", actor.user_id, "cli")]
    assert GOOD not in text


def test_set_password_follows_the_policy_and_needs_an_existing_user(store, olga_login):
    username, old = olga_login
    for bad, code in (("short", "password_too_short"), ("Password1234", "password_common"),
                      ("olga-in-2026!", "password_contains_username")):
        with pytest.raises(ValidationError) as info:
            users.set_password(store, CLI_OPERATOR, username, bad)
        assert [(e.field, e.code) for e in info.value.errors] == [("password", code)]
    assert users.authenticate(store, username, old) is not None, "nothing changed"
    with pytest.raises(CrmError) as info:
        users.set_password(store, CLI_OPERATOR, "nobody", GOOD)
    assert info.value.code == "user_not_found"


@pytest.fixture
def olga_login(actor_login):
    return actor_login


def test_crm_user_passwd_from_stdin(store, olga_login, monkeypatch, capsys):
    username, old = olga_login
    db = str(store.path)
    store.close()                                  # the command opens the file itself
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("Password1234\n"))
        assert main(["--db", db, "--lang", "en", "user", "passwd", username, "--password-stdin"]) == 1
        assert i18n.t("err.password_common", "en") in capsys.readouterr().err
        monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
        assert main(["--db", db, "--json", "user", "passwd", username, "--password-stdin"]) == 0
        assert json.loads(capsys.readouterr().out) == {"username": username, "password_changed": True}
        monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
        assert main(["--db", db, "user", "passwd", "nobody", "--password-stdin"]) == 1
    finally:
        store.__init__(db)                         # reopen for the fixture's teardown and the checks below
    assert users.authenticate(store, username, GOOD) is not None
