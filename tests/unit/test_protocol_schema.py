"""The console's and widget's types are generated from the server's models, and kept so.

web/generated/openapi.json is /openapi.json as the pydantic models describe it (HTTP answers,
request bodies and every WebSocket frame); web/generated/openapi.ts is openapi-typescript's
output for it, which web/console/types.ts and web/widget/types.ts re-export. Renaming a model
field without `make types` fails here; after `make types`, `tsc` fails wherever the console or
widget still reads the old name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from frontdesk.protocol import docs as protocol_docs
from frontdesk.protocol.dump import dumps
from frontdesk.protocol.openapi import openapi_document

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
REGENERATE = "run `make types` (docs/protocol.md, 'Generated types')"


def test_the_checked_in_schema_is_what_the_models_say() -> None:
    checked_in = (WEB / "generated" / "openapi.json").read_bytes()
    assert checked_in == dumps(), f"web/generated/openapi.json is stale: {REGENERATE}"


@pytest.mark.skipif(
    shutil.which("node") is None or not (WEB / "node_modules" / "openapi-typescript").exists(),
    reason="the front end's packages are not installed here: run scripts/setup",
)
def test_the_checked_in_types_are_generated_from_the_checked_in_schema() -> None:
    generated = subprocess.run(
        ["node", "gen-types.mjs", "generated/openapi.json"],
        cwd=WEB,
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    checked_in = (WEB / "generated" / "openapi.ts").read_bytes()
    assert checked_in == generated, f"web/generated/openapi.ts is stale: {REGENERATE}"


def test_every_route_declares_its_answer_and_every_object_is_closed() -> None:
    document = openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"]["200"]["content"]
            # A file (the reports' CSV, the TwiML Twilio asks for) names the model it follows.
            answer = (
                content["application/json"]["schema"]
                if "application/json" in content
                else next(iter(content.values()))["x-rows"]
            )
            assert "$ref" in answer, f"{method.upper()} {path} has no answer model"
    open_objects = [
        name
        for name, schema in document["components"]["schemas"].items()
        if schema.get("type") == "object"
        and "properties" in schema
        and schema.get("additionalProperties") is not False
    ]
    assert open_objects == [], f"models that accept unknown fields: {open_objects}"


def test_the_frames_are_in_the_document() -> None:
    schemas = openapi_document()["components"]["schemas"]
    for union in ("VisitorClientFrame", "VisitorServerFrame", "RepClientFrame", "RepServerFrame"):
        assert schemas[union]["discriminator"]["propertyName"] == "type"
    assert set(schemas["VisitorServerFrame"]["discriminator"]["mapping"]) >= {
        "welcome",
        "blocked",
        "resync",
        "invitation",
    }
    batch = schemas["Batch"]["properties"]["events"]["items"]["discriminator"]["mapping"]
    assert set(batch) == {
        "visitor.joined",
        "visitor.updated",
        "visitor.left",
        "conversation.updated",
        "rep.changed",
        "invitation.updated",
        "phone_leg.updated",
        "copilot.changed",
    }


def test_docs_protocol_lists_every_frame_as_the_models_define_them() -> None:
    document = (ROOT / "docs" / "protocol.md").read_text()
    assert protocol_docs.BEGIN in document and protocol_docs.END in document
    assert protocol_docs.with_catalogue(document) == document, (
        "docs/protocol.md is out of date: run PYTHONPATH=src python -m frontdesk.protocol.docs"
    )
    catalogue = protocol_docs.render_catalogue()
    for union in ("VisitorServerFrame", "RepServerFrame", "VisitorClientFrame", "RepClientFrame"):
        mapping = openapi_document()["components"]["schemas"][union]["discriminator"]["mapping"]
        for frame_type in mapping:
            assert f"| `{frame_type}` |" in catalogue
