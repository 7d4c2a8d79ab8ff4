"""The browser's address behind a reverse proxy, for the per-address login limit.

Behind the proxy every request comes from the proxy (Streamlit even reports 127.0.0.1 as no address),
so the per-address limit counted one "address" for everybody, or none. The proxy names the client in
`X-Forwarded-For`; that header is believed only when the request came from a proxy the operator listed
in `CRM_TRUSTED_PROXIES` (addresses or networks, comma-separated), because anyone can send the header.
The list is read from right to left, skipping trusted proxies: the first other address is the client.
"""
from __future__ import annotations

import ipaddress
import os

ENV = "CRM_TRUSTED_PROXIES"
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(text: str | None = None) -> tuple[_Network, ...]:
    """The networks in `CRM_TRUSTED_PROXIES` (or `text`); an entry that is no address is left out."""
    networks = []
    for item in (os.environ.get(ENV, "") if text is None else text).split(","):
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _address(text: str | None):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[_Network, ...]) -> str | None:
    """The client's address: the peer itself, or the last untrusted hop it forwarded for when it is trusted.

    `peer` None means the loopback (how Streamlit reports a same-host proxy)."""
    peer_address = _address(peer) if peer else ipaddress.ip_address("127.0.0.1")
    if peer_address is None or not _is_trusted(peer_address, trusted) or not forwarded_for:
        return peer
    hops = [_address(part) for part in forwarded_for.split(",")]
    for hop in reversed(hops):
        if hop is None:
            return peer       # a forged or broken list: count the request against the proxy, never a made-up address
        if not _is_trusted(hop, trusted):
            return str(hop)
    return str(hops[0]) if hops else peer


def _is_trusted(address, trusted: tuple[_Network, ...]) -> bool:
    return any(address in network for network in trusted if network.version == address.version)
