"""What the files API answers and admins set: the org's file settings, a file as a message
carries it, and signed links."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from frontdesk.core.schemas import Closed

# What an org allows until its admin says otherwise: pictures, PDFs, office documents, text.
DEFAULT_EXTENSIONS = (
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "pdf",
    "txt",
    "csv",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "zip",
)
DEFAULT_MAX_MB = 10
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")


class FileSettings(BaseModel):
    """An org's rules for files in chat (Admin -> Files)."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    # Files in chat at all (both ways).
    enabled: StrictBool = True
    # Visitors may send files too (reps always may, while files are on).
    visitors_may_send: StrictBool = True
    # The largest file, in MB (at most the server's FRONTDESK_FILE_MAX_MB).
    max_mb: Annotated[int, Field(ge=1, le=100)] = DEFAULT_MAX_MB
    # File name extensions accepted, lower case without the dot ("pdf").
    extensions: Annotated[list[str], Field(max_length=60)] = Field(
        default_factory=lambda: list(DEFAULT_EXTENSIONS)
    )

    @field_validator("extensions")
    @classmethod
    def _extensions(cls, value: list[str]) -> list[str]:
        cleaned: list[str] = []
        for item in value:
            ext = item.strip().lower().lstrip(".")
            if not _EXTENSION.fullmatch(ext):
                raise ValueError(
                    f"{item!r} is not a file name extension (letters and digits, like pdf)"
                )
            if ext not in cleaned:
                cleaned.append(ext)
        return cleaned


class MessageFile(Closed):
    """A file as its message carries it (`meta.file`); its bytes are fetched through a signed
    link (`FileLink`)."""

    id: str
    name: str
    size: int
    kind: Literal["image", "file"]
    content_type: str
    width: int | None = None
    height: int | None = None


class FileLink(Closed):
    """Short-lived signed URLs for one file (relative to the Frontdesk server)."""

    id: str
    url: str
    # Images only: the thumbnail shown in the chat.
    thumbnail_url: str | None
    # Unix seconds after which the URLs stop working; ask again for fresh ones.
    expires: int


class FileLinks(Closed):
    links: list[FileLink]


class VisitorFileRules(Closed):
    """What the messenger needs to offer files: the largest file and the accepted extensions
    (the server checks again on upload)."""

    max_mb: int
    extensions: list[str]
