// Generates the console's and widget's TypeScript types from the server's OpenAPI document
// (HTTP answers and request bodies, and the WebSocket frames as components) with
// openapi-typescript. Run by `make types`:
//
//   PYTHONPATH=src python -m frontdesk.protocol.dump > web/generated/openapi.json
//   cd web && node gen-types.mjs generated/openapi.json generated/openapi.ts
//
// Both files are checked in; tests/unit/test_protocol_schema.py fails when either is not what
// the Python models say (a renamed field must be regenerated, and then fails `tsc` wherever
// the console or widget still uses the old name). Types only: nothing here reaches a bundle.
import openapiTS, { astToString } from "openapi-typescript";
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input) {
  console.error("usage: node gen-types.mjs OPENAPI.json [OUT.ts]   (stdout without OUT.ts)");
  process.exit(2);
}
const document = JSON.parse(readFileSync(input, "utf8"));
const ast = await openapiTS(document, {
  // `export type VisitorCard = components["schemas"]["VisitorCard"]` for every component
  rootTypes: true,
  rootTypesNoSchemaPrefix: true,
  // closed models: no `[key: string]: unknown` on objects the server never extends
  additionalProperties: false,
  // Fields with a default are optional in request bodies; in answers and server frames the
  // schema lists them as required (pydantic's serialization mode: they are always sent).
  defaultNonNullable: false,
});
const text =
  "// Generated from the server's /openapi.json by web/gen-types.mjs (`make types`). Do not edit:\n" +
  "// change the pydantic models, then regenerate.\n\n" +
  astToString(ast);
if (output) writeFileSync(output, text);
else process.stdout.write(text);
