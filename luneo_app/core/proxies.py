"""Client addresses behind a load balancer: werkzeug's ProxyFix, for trusted peers only.

``TRUSTED_PROXIES`` lists the load balancers' addresses or networks. A request whose socket
peer is one of them has ``X-Forwarded-For`` / ``X-Forwarded-Proto`` applied by ProxyFix
(``TRUSTED_PROXY_HOPS`` hops, counted from the right, so a client cannot prepend its own
entries); from any other peer the headers are ignored and the peer is the client. Rate
limits and logs read ``request.remote_addr``, so they see the real client either way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> list[Network]:
    """``"10.0.0.0/8, 192.0.2.7"`` -> networks; a bad entry fails at start-up, clearly."""
    networks = []
    for part in value.replace(";", ",").split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from exc
    return networks


class TrustedProxyFix:
    """WSGI middleware: ProxyFix for requests from ``trusted`` peers, nothing for others."""

    def __init__(self, app: Any, trusted: Iterable[Network], hops: int = 1) -> None:
        self.app = app
        self.trusted = list(trusted)
        self.proxied = ProxyFix(app, x_for=hops, x_proto=hops)

    def _is_trusted(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._is_trusted(environ.get("REMOTE_ADDR")):
            return self.proxied(environ, start_response)
        return self.app(environ, start_response)


def init_proxies(app: Any) -> None:
    """Wrap ``app.wsgi_app`` when ``TRUSTED_PROXIES`` names any peer."""
    networks = parse_networks(app.config["TRUSTED_PROXIES"])
    if networks:
        app.wsgi_app = TrustedProxyFix(
            app.wsgi_app, networks, max(1, int(app.config["TRUSTED_PROXY_HOPS"]))
        )
