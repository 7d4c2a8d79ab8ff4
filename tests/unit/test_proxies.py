"""The client's address behind a reverse proxy: X-Forwarded-For is believed only from a trusted proxy."""
import pytest

from crm_app.access.proxies import client_address, trusted_proxies

LOCAL = trusted_proxies("127.0.0.1, ::1")


@pytest.mark.parametrize("peer, forwarded_for, trusted, expected", [
    (None, "203.0.113.7", LOCAL, "203.0.113.7"),                       # nginx on the same host (Streamlit says None)
    ("127.0.0.1", "203.0.113.7", LOCAL, "203.0.113.7"),
    (None, "203.0.113.7", (), None),                                   # no proxy configured: the header is ignored
    ("198.51.100.9", "203.0.113.7", LOCAL, "198.51.100.9"),            # not from the proxy: anyone can send it
    (None, "10.9.9.9, 203.0.113.7", LOCAL, "203.0.113.7"),             # a forged first hop is not the client
    (None, "203.0.113.7, 10.0.0.2", trusted_proxies("127.0.0.1,10.0.0.0/8"), "203.0.113.7"),  # two proxies
    (None, "not-an-address", LOCAL, None),                             # broken: count against the proxy
    (None, "", LOCAL, None),
    ("::1", "2001:db8::5", LOCAL, "2001:db8::5"),
])
def test_the_client_is_the_last_hop_no_trusted_proxy_added(peer, forwarded_for, trusted, expected):
    assert client_address(peer, forwarded_for, trusted) == expected


def test_the_trusted_list_comes_from_the_environment_and_skips_what_is_no_address(monkeypatch):
    monkeypatch.setenv("CRM_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, proxy.example")
    assert [str(n) for n in trusted_proxies()] == ["127.0.0.1/32", "10.0.0.0/8"]
