"""Print /openapi.json (with the frame components) as the server would serve it.

    PYTHONPATH=src python -m frontdesk.protocol.dump > web/generated/openapi.json

`make types` runs this, then generates web/generated/openapi.ts from it; a test fails when the
checked-in files are not what the code says (tests/unit/test_protocol_schema.py)."""

from __future__ import annotations

import sys

import orjson

from frontdesk.protocol.openapi import openapi_document


def dumps() -> bytes:
    """Stable bytes: indented, keys in the document's own order, a final newline."""
    import frontdesk.app  # noqa: F401  (registers every route, as the running server has them)

    return orjson.dumps(openapi_document(), option=orjson.OPT_INDENT_2) + b"\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(dumps())
