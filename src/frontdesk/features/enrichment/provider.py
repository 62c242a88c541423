"""External firmographics over HTTP (Clearbit-style reveal services), behind one small interface.

Configured with FRONTDESK_ENRICHMENT_URL, a URL template with {ip} (and optionally {domain}),
and FRONTDESK_ENRICHMENT_TOKEN sent as a Bearer token. The service answers JSON with any of:
{"company", "domain", "employees", "industry", "country", "confidence"}. It runs off the hot
path, with a short timeout, and its failures only mean "no extra data".
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp

log = logging.getLogger("frontdesk.enrichment")

CONFIDENCES = ("low", "medium", "high", "very_high")
# Where a visit keeps the provider's whole answer (it is asked once per visit), apart from the
# company facts shown: a better source may name the company (docs/segments-and-routing.md).
PROVIDER_ANSWER = "provider_answer"


class FirmographicsProvider(Protocol):
    name: str

    async def lookup(self, ip: str, domain: str | None) -> dict[str, Any]: ...


class HttpFirmographicsProvider:
    name = "provider"

    def __init__(self, url_template: str, token: str | None = None, timeout: float = 2.0) -> None:
        self.url_template = url_template
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def lookup(self, ip: str, domain: str | None) -> dict[str, Any]:
        url = self.url_template.replace("{ip}", quote(ip)).replace("{domain}", quote(domain or ""))
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.get(url, headers=headers) as response,
            ):
                if response.status != 200:
                    return {}
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.info("firmographics lookup failed", extra={"error": str(exc)})
            return {}
        if not isinstance(data, dict):
            return {}
        confidence = data.get("confidence") if data.get("confidence") in CONFIDENCES else "medium"
        result: dict[str, Any] = {}
        for key in ("company", "domain", "industry", "country"):
            if isinstance(data.get(key), str) and data[key].strip():
                result[key] = {
                    "value": data[key].strip()[:200],
                    "source": self.name,
                    "confidence": confidence,
                }
        if isinstance(data.get("employees"), int) and not isinstance(data.get("employees"), bool):
            result["employees"] = {
                "value": data["employees"],
                "source": self.name,
                "confidence": confidence,
            }
        return result
