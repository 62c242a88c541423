"""What the API tokens API takes and sends."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from frontdesk.core.schemas import Closed, IsoTime

Scope = Literal["read", "write", "admin"]


class ApiTokenBody(Closed):
    name: str = Field(min_length=1, max_length=100)
    # read: GET requests; write: other requests a rep may make; admin: admin-only requests.
    scopes: list[Scope] = Field(min_length=1, max_length=3)


class ApiTokenOut(Closed):
    id: str
    name: str
    scopes: list[Scope]
    prefix: str
    created_by: str
    created_at: IsoTime
    last_used_at: IsoTime | None
    revoked_at: IsoTime | None


class NewApiToken(ApiTokenOut):
    """The answer to making a token: the only time the token itself is shown."""

    token: str


class ApiTokenList(Closed):
    tokens: list[ApiTokenOut]
