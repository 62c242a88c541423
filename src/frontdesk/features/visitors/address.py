"""What is kept of a visitor's IP address, and whether their browser asks not to be tracked,
under the org's privacy settings (set in features/privacy; read here, where visitors arrive).

`orgs.settings["privacy"]`: `ip_addresses` full | truncated | none, `honour_gpc` bool.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from frontdesk.features.orgs.models import Org


def truncate_ip(ip: str) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network's first address: 203.0.113.77 -> 203.0.113.0,
    2001:db8:1:2::5 -> 2001:db8:1::. None for something that is not an address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def stored_ip(org: Org, ip: str | None) -> str | None:
    """What the database may keep of a visitor's address under the org's setting."""
    if ip is None:
        return None
    mode = ((org.settings or {}).get("privacy") or {}).get("ip_addresses", "full")
    if mode == "none":
        return None
    if mode == "truncated":
        return truncate_ip(ip)
    return ip


def privacy_signal(headers: Mapping[str, str]) -> bool:
    """The browser asks not to be tracked: Global Privacy Control (`Sec-GPC: 1`) or Do Not
    Track (`DNT: 1`)."""
    return headers.get("Sec-GPC", "").strip() == "1" or headers.get("DNT", "").strip() == "1"


def tracking_refused(org: Org, headers: Mapping[str, str]) -> bool:
    """The org honours the signals and this browser sends one."""
    honour = ((org.settings or {}).get("privacy") or {}).get("honour_gpc", False)
    return bool(honour) and privacy_signal(headers)
