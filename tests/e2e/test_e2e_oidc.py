"""Login through the organisation's identity provider (st.login, OIDC) against a small provider on
127.0.0.1: the role comes from the CRM's own user table, a refresh keeps the session, logout ends it,
and an identity without an account gets nothing."""
import secrets

import pytest
from e2e_kit import (
    Server,
    add_user,
    copy_store,
    free_port,
    key,
    logged_in_as,
    screenshot,
    session_cookie,
    shows_the_login,
    t,
    wait_for,
)
from oidc_provider import OidcProvider
from playwright.sync_api import expect

from crm_app.core.store import Store

pytestmark = pytest.mark.e2e
PIM = ("pim", "Pim Programma", "sub-0001-pim")
PROVIDER_LABEL = "Testgemeente ID"


@pytest.fixture
def oidc_setup(e2e_dir, template_store):
    """A provider, a store where the program manager's account is linked to its subject, and a
    server whose secrets.toml points st.login at the provider."""
    port = free_port()
    redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
    provider = OidcProvider("crm-test-client", secrets.token_urlsafe(16), [redirect_uri])
    db = e2e_dir / "oidc.duckdb"
    copy_store(template_store, db)
    store = Store(db)
    try:
        add_user(store, PIM[0], PIM[1], "program_manager", None, oidc_subject=PIM[2])
    finally:
        store.close()
    secrets_file = e2e_dir / "oidc-secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
        "[crm_auth]\n"
        f'provider_label = "{PROVIDER_LABEL}"\n', encoding="utf-8")
    server = Server(db, e2e_dir / "oidc.log", port=port, extra_args=("--secrets.files", str(secrets_file)))
    yield provider, server, db
    server.stop()
    provider.stop()


def audit_actions(db) -> list[tuple[str, str]]:
    store = Store(db)
    try:
        with store.read() as cur:
            return cur.execute("SELECT action, result FROM audit_event ORDER BY id").fetchall()
    finally:
        store.close()


def press_provider_button(page, base_url: str, shot: str | None = None) -> None:
    page.goto(base_url)
    shows_the_login(page)
    if shot:
        screenshot(page, shot)
    key(page, "login_oidc_0").get_by_role("button", name=t("login.oidc", provider=PROVIDER_LABEL)).click()


def test_oidc_login_role_navigation_refresh_and_logout(desktop, oidc_setup):
    provider, server, db = oidc_setup
    # The token claims a role and a group: the CRM ignores both and reads its own table.
    provider.identity = {"sub": PIM[2], "email": "pim@example.org", "email_verified": True,
                         "roles": ["admin"], "groups": ["crm-admins"], "name": "Pim"}
    page = desktop.new_page()
    press_provider_button(page, server.url, shot="login_oidc")

    logged_in_as(page, PIM[1])
    assert [claims["sub"] for claims in provider.issued] == [PIM[2]], "one login, through the provider"
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name=t("nav.fill"))).to_be_visible()          # program manager: yes
    expect(nav.get_by_role("link", name=t("nav.users"))).to_have_count(0)        # administrator only: no
    expect(nav.get_by_role("link", name=t("nav.register"))).to_be_visible()
    wait_for(lambda: session_cookie(desktop) is not None)

    page.reload()
    logged_in_as(page, PIM[1])
    page.goto(f"{server.url}/users?role=admin")      # an admin page by URL, with a role in the query
    expect(page.locator(".st-key-users_username")).to_have_count(0)

    page.goto(server.url)
    logged_in_as(page, PIM[1])
    key(page, "app_logout").locator("button").click()
    shows_the_login(page)
    page.reload()
    shows_the_login(page)
    assert not any(c["name"].startswith("_streamlit_user") for c in desktop.cookies()), \
        "st.logout cleared Streamlit's 30-day identity cookie"

    server.stop()
    events = audit_actions(db)
    assert ("login", "ok") in events and ("session.start", "oidc") in events and ("logout", "logout") in events


def test_an_identity_without_an_account_gets_no_access(desktop, oidc_setup):
    provider, server, db = oidc_setup
    provider.identity = {"sub": "sub-9999-stranger", "email": "stranger@example.org", "email_verified": True,
                         "roles": ["admin"]}
    page = desktop.new_page()
    press_provider_button(page, server.url)

    expect(page.get_by_text(t("login.oidc_refused"))).to_be_visible()
    screenshot(page, "login_oidc_refused")
    assert [claims["sub"] for claims in provider.issued] == ["sub-9999-stranger"]
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(key(page, "app_logout")).to_have_count(0)
    page.goto(f"{server.url}/register")
    expect(page.locator(".st-key-register_given_name")).to_have_count(0)

    server.stop()
    events = audit_actions(db)
    assert ("login", "refused") in events and not any(action == "session.start" for action, _ in events)
