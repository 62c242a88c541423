"""Outbound HTTP that cannot be turned against the server's own network.

Used by the image proxy and webhook delivery: every address a host name resolves to must be
public (not loopback, private, link-local, multicast or reserved) unless the operator allows
private targets. Checking at connect time, in the resolver, also defeats DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver


class BlockedAddress(aiohttp.ClientConnectionError):
    """The target resolves to an address we refuse to contact."""


def is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_global and not ip.is_multicast


class PublicOnlyResolver(AbstractResolver):
    def __init__(self, allow_private: bool = False) -> None:
        self._inner = DefaultResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private:
            for result in results:
                if not is_public(result["host"]):
                    raise BlockedAddress(
                        f"{host} resolves to {result['host']}, a private or reserved address"
                    )
        return results

    async def close(self) -> None:
        await self._inner.close()


def guarded_session(*, allow_private: bool, timeout: float, **kwargs: Any) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=PublicOnlyResolver(allow_private), limit=20, ttl_dns_cache=60
    )
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout), **kwargs
    )


def literal_address_refused(host: str, allow_private: bool) -> bool:
    """A URL whose host is an IP literal is checked here (the resolver never sees it)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not allow_private and not is_public(str(ip))
