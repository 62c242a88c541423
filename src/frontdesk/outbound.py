"""Outbound HTTP that cannot be turned against the server's own network, and outbound email.

Used by the image proxy and webhook delivery: every address a host name resolves to must be
public (not loopback, private, link-local, multicast or reserved) unless the operator allows
private targets. Checking at connect time, in the resolver, also defeats DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

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


def send_mail(smtp_url: str, message: EmailMessage) -> None:
    """Send one email through FRONTDESK_SMTP_URL (`smtp://`, `smtps://` or `smtp+starttls://`,
    with an optional user:password@). Blocking: call it in a thread. The SMTP server is the
    operator's own, so it is not held to the public-address rule."""
    parts = urlsplit(smtp_url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(
        parts.hostname or "localhost",
        parts.port or (465 if parts.scheme == "smtps" else 25),
        timeout=10,
    ) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
