"""Identifiers: random, URL-safe, prefixed so a log line says what an id names."""

from __future__ import annotations

import os
import secrets


def new_id() -> str:
    """A uuid4 in hex: 32 chars, fits every database, sorts nowhere in particular (we never
    rely on it). Made from the random bytes directly: uuid.uuid4().hex builds a UUID object
    first, which cost three times as much (a hello makes several ids; issue 21)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return raw.hex()


def new_site_key() -> str:
    return "site_" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
