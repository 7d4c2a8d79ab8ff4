"""From an identity-provider login to a CRM account: the CRM's own table decides, never the token;
plus linking accounts (service and `crm user add/link`) and the `crm roles` command."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from crm_app.access import oidc, users
from crm_app.access.audit import CLI_OPERATOR, Actor
from crm_app.cli import main as cli
from crm_app.core.errors import PermissionDenied, ValidationError
from crm_app.core.store import Store

PASSWORD = "een lang genoeg wachtwoord"


@pytest.fixture(autouse=True)
def cheap(cheap_hashing):
    """Real argon2id with the smallest cost parameters."""


def claims(sub="sub-1", email=None, verified=None, iat=None, **extra) -> dict:
    out = {"sub": sub, "iss": "https://id.example.org", "is_logged_in": True, **extra}
    if email is not None:
        out["email"] = email
    if verified is not None:
        out["email_verified"] = verified
    if iat is not None:
        out["iat"] = iat
    return out


def identity(**kwargs) -> oidc.Identity:
    return oidc.identity_from_claims(claims(**kwargs))


def login_results(store) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT user_id, record_id, result FROM audit_event WHERE action = 'login' ORDER BY id"
                           ).fetchall()


def test_the_subject_finds_the_account_and_its_role_comes_from_the_table(store):
    user_id = users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", None, oidc_subject="sub-1")
    user = oidc.account_for(store, identity(sub="sub-1", roles=["admin"], groups=["admins"], role="admin"))
    assert user == users.User(user_id, "pim", "Pim Programma", "program_manager")
    assert login_results(store) == [(user_id, user_id, "ok")]


def test_an_unknown_subject_is_refused_and_audited_without_the_identity(store):
    users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", None, oidc_subject="sub-1")
    assert oidc.account_for(store, identity(sub="sub-unknown", email="x@example.org", verified=True)) is None
    assert login_results(store) == [(None, None, "refused")]
    with store.read() as cur:
        assert "sub-unknown" not in repr(cur.execute("SELECT * FROM audit_event").fetchall())


def test_a_verified_email_links_the_subject_once_and_an_unverified_one_does_not(store):
    user_id = users.add(store, CLI_OPERATOR, "cor", "Cor Coördinator", "coordinator", None, email="Cor@Example.org")
    assert oidc.account_for(store, identity(sub="sub-cor", email="cor@example.org", verified=False)) is None
    assert oidc.account_for(store, identity(sub="sub-cor", email="cor@example.org")) is None   # no claim at all
    user = oidc.account_for(store, identity(sub="sub-cor", email="COR@example.org", verified=True))
    assert user.id == user_id and user.role == "coordinator"
    with store.read() as cur:
        assert cur.execute("SELECT oidc_subject, oidc_issuer FROM app_user WHERE id = ?", [user_id]).fetchone() == \
            ("sub-cor", "https://id.example.org")
    # Now bound to the subject: another identity with the same (verified) email gets nothing.
    assert oidc.account_for(store, identity(sub="sub-other", email="cor@example.org", verified=True)) is None
    # and the subject keeps working after an email change at the provider.
    assert oidc.account_for(store, identity(sub="sub-cor", email="new@example.org", verified=True)).id == user_id


def test_a_disabled_account_is_refused(store):
    users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", None, oidc_subject="sub-1")
    users.set_disabled(store, CLI_OPERATOR, "pim", True)
    assert oidc.account_for(store, identity(sub="sub-1")) is None
    assert login_results(store)[-1][2] == "refused"


def test_an_account_bound_to_an_issuer_refuses_the_same_subject_from_another(store):
    users.add(store, CLI_OPERATOR, "pim", "Pim Programma", "program_manager", None, oidc_subject="sub-1",
              oidc_issuer="https://id.example.org")
    assert oidc.account_for(store, identity(sub="sub-1")) is not None
    other = oidc.identity_from_claims({"sub": "sub-1", "iss": "https://evil.example.net"})
    assert oidc.account_for(store, other) is None


@pytest.mark.parametrize("bad", [None, {}, {"sub": ""}, {"sub": 5}, {"sub": "x" * 300}, {"email": "a@b.nl"}])
def test_claims_without_a_usable_subject_give_no_identity(bad):
    assert oidc.identity_from_claims(bad) is None


def test_only_a_fresh_provider_login_may_start_a_session(store, frozen_clock):
    now = frozen_clock.replace(tzinfo=dt.UTC).timestamp()
    assert oidc.is_fresh(store, identity(iat=now - 60))
    assert oidc.is_fresh(store, identity(iat=now + 30)), "a little clock skew is fine"
    assert not oidc.is_fresh(store, identity(iat=now - 301)), "Streamlit's 30-day cookie alone opens nothing"
    assert not oidc.is_fresh(store, identity(iat=now + 3600))
    assert not oidc.is_fresh(store, identity())
    assert not oidc.is_fresh(store, identity(iat="yesterday"))


# -- linking accounts --------------------------------------------------------------------------------
def test_an_account_without_password_needs_an_identity(store):
    with pytest.raises(ValidationError) as refused:
        users.add(store, CLI_OPERATOR, "nobody", "No Way In", "outreach", None)
    assert {e.code for e in refused.value.errors} == {"password_too_short"}


def test_an_identity_links_to_one_account_only(store):
    users.add(store, CLI_OPERATOR, "pim", "Pim", "program_manager", None, oidc_subject="sub-1", email="p@example.org")
    for kwargs, field in (({"oidc_subject": "sub-1"}, "oidc_subject"), ({"email": "P@example.org"}, "email")):
        with pytest.raises(ValidationError) as refused:
            users.add(store, CLI_OPERATOR, "other", "Other", "admin", None, **kwargs)
        assert [(e.field, e.code) for e in refused.value.errors] == [(field, "oidc_identity_taken")]


def test_only_an_administrator_links_identities(store, actor):
    users.add(store, CLI_OPERATOR, "pim", "Pim", "program_manager", PASSWORD)
    with pytest.raises(PermissionDenied):
        users.link_identity(store, actor, "pim", oidc_subject="sub-1")
    users.link_identity(store, Actor(None, "admin", "web"), "pim", oidc_subject="sub-1")
    assert oidc.account_for(store, identity(sub="sub-1")).username == "pim"
    rows = [r for r in users.list_users(store) if r["username"] == "pim"]
    assert rows[0]["oidc_linked"] and rows[0]["local_login"]


@pytest.mark.parametrize("subject", ["with\nnewline", "ünïcode", "x" * 256])
def test_odd_subjects_are_refused(store, subject):
    with pytest.raises(ValidationError):
        users.add(store, CLI_OPERATOR, "pim", "Pim", "program_manager", None, oidc_subject=subject)


# -- the command ---------------------------------------------------------------------------------------
def run(tmp_path, capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["--db", str(tmp_path / "crm.duckdb"), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_crm_user_add_with_an_identity_and_no_password_then_link_another(tmp_path, capsys):
    code, out, _ = run(tmp_path, capsys, "--json", "user", "add", "pim", "--name", "Pim Programma", "--role",
                       "program_manager", "--oidc-subject", "sub-1", "--no-password")
    assert code == 0 and json.loads(out)["local_login"] is False
    code, _, err = run(tmp_path, capsys, "user", "add", "x", "--name", "X", "--role", "admin", "--no-password")
    assert code == 1 and "--oidc-subject of --email" in err
    code, _, err = run(tmp_path, capsys, "user", "link", "pim", "--email", "not an email")
    assert code == 1 and err
    code, _, _ = run(tmp_path, capsys, "user", "link", "pim", "--email", "pim@example.org")
    assert code == 0
    store = Store(tmp_path / "crm.duckdb")
    try:
        assert oidc.account_for(store, identity(sub="sub-1")).role == "program_manager"
        assert users.authenticate(store, "pim", "") is None
    finally:
        store.close()


def test_crm_roles_prints_the_table_and_the_document(tmp_path, capsys):
    code, out, _ = run(tmp_path, capsys, "--json", "roles")
    assert code == 0 and json.loads(out)["user.manage"] == ["admin"]
    code, _, _ = run(tmp_path, capsys, "roles", "--markdown", "-o", str(tmp_path / "roles.md"))
    assert code == 0 and (tmp_path / "roles.md").read_text(encoding="utf-8").startswith("# Roles")


def test_crm_sessions_list_end_and_settings(tmp_path, capsys):
    from crm_app.access import sessions
    run(tmp_path, capsys, "user", "add", "pim", "--name", "Pim", "--role", "program_manager",
        "--oidc-subject", "sub-1", "--no-password")
    store = Store(tmp_path / "crm.duckdb")
    try:
        pim = oidc.account_for(store, identity(sub="sub-1"))
        tokens = [sessions.start(store, pim, "oidc", "sub-1"), sessions.start(store, pim, "oidc", "sub-1")]
    finally:
        store.close()
    code, out, _ = run(tmp_path, capsys, "--json", "sessions", "list")
    rows = json.loads(out)
    assert code == 0 and [r["username"] for r in rows] == ["pim", "pim"]
    assert not any(token in out for token in tokens)
    code, out, _ = run(tmp_path, capsys, "--json", "sessions", "end", "pim")
    assert code == 0 and json.loads(out)["ended"] == 2
    code, out, _ = run(tmp_path, capsys, "--json", "sessions", "list")
    assert json.loads(out) == []
    code, out, _ = run(tmp_path, capsys, "--json", "sessions", "settings", "--idle-seconds", "900")
    assert code == 0 and json.loads(out)["session_idle_seconds"] == 900
    code, _, err = run(tmp_path, capsys, "sessions", "settings", "--idle-seconds", "1")
    assert code == 1 and err
    code, _, err = run(tmp_path, capsys, "sessions", "end", "nobody")
    assert code == 1 and err
