"""Identifiers: random, URL-safe, prefixed so a log line says what an id names."""

from __future__ import annotations

import secrets
import uuid


def new_id() -> str:
    # uuid4 hex: 32 chars, fits every database, sorts nowhere in particular (we never rely on it).
    return uuid.uuid4().hex


def new_site_key() -> str:
    return "site_" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
