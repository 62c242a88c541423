"""Enrichment: who is behind a visitor's IP (offline ASN and country data, an admin's IP ranges,
an optional external firmographics provider). Every value keeps its source and a confidence."""

from frontdesk.features.enrichment.ipdata import IpDirectory, IpInfo
from frontdesk.features.enrichment.provider import (
    PROVIDER_ANSWER,
    FirmographicsProvider,
    HttpFirmographicsProvider,
)

__all__ = [
    "PROVIDER_ANSWER",
    "FirmographicsProvider",
    "HttpFirmographicsProvider",
    "IpDirectory",
    "IpInfo",
]
