"""The shipped deployment in front of the app: Debian's nginx runs deploy/nginx-crm.conf (TLS with a certificate
made here, on loopback), plain HTTP is sent to HTTPS, every response carries the security headers Streamlit
lacks, and a login, a save and a search work through it (Streamlit's websocket through the proxy), with no
request blocked by the Content-Security-Policy.
"""
from __future__ import annotations

import http.client

import pytest
from e2e_kit import DESKTOP, Nginx, Server, copy_store, go, key, log_in, logged_in_as, press, t, tick, type_into
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

HEADERS = {
    "strict-transport-security": "max-age=31536000",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def deployed(e2e_dir, template_store):
    db = copy_store(template_store, e2e_dir / "deployed.duckdb")
    app = Server(db, e2e_dir / "deployed-app.log", env={"CRM_TRUSTED_PROXIES": "127.0.0.1, ::1"})
    proxy = Nginx(e2e_dir / "nginx-deployed", app)
    yield proxy
    proxy.stop()
    app.stop()


def test_plain_http_is_sent_to_https(deployed):
    connection = http.client.HTTPConnection("127.0.0.1", deployed.http_port, timeout=5)
    connection.request("GET", "/find", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location") == "https://127.0.0.1/find"


def test_through_the_proxy_headers_are_set_and_the_app_works(browser, deployed, outreach_login):
    context = browser.new_context(**DESKTOP, ignore_https_errors=True)
    blocked: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    response = page.goto(deployed.url)
    headers = response.all_headers()
    assert {name: headers.get(name) for name in HEADERS} == HEADERS
    assert "no-store" in headers["cache-control"]     # beside Streamlit's own no-cache: nothing kept on disk
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy

    username, display_name = outreach_login
    log_in(page, deployed.url, username)
    logged_in_as(page, display_name)                 # the login went over the websocket, through nginx
    go(page, "register")
    type_into(page, "register_given_name", "Warda")
    type_into(page, "register_family_name", "Proxy")
    type_into(page, "register_phone", "06 23456789")
    tick(page, "register_consent_contact")
    type_into(page, "register_source_name", "Markt Noord")
    press(page, "register_submit")
    expect(key(page, "register_submit_feedback")).to_contain_text(t("register.saved", name="Warda Proxy"))
    go(page, "find")
    type_into(page, "find_query", "Warda")
    expect(key(page, "find_table")).to_contain_text("Warda Proxy")
    context.close()
    assert blocked == []
