// Bundles the website widget (loader + messenger) and the rep console into the Python
// package's static folder, so `pip install` ships them and the server serves them.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync } from "node:fs";

const out = new URL("../src/frontdesk/static/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const production = process.env.NODE_ENV !== "development";
const common = { bundle: true, minify: production, target: ["es2020"], legalComments: "none", logLevel: "info" };

await Promise.all([
  // The loader runs on every page of every customer's site: tiny, no dependencies.
  existsSync("widget/loader.ts") && build({ ...common, entryPoints: ["widget/loader.ts"], outfile: `${out}widget.js`, format: "iife" }),
  // The messenger is fetched only when needed (a conversation exists, a proactive message, or a click).
  existsSync("widget/messenger.ts") && build({ ...common, entryPoints: ["widget/messenger.ts"], outfile: `${out}messenger.js`, format: "iife" }),
  existsSync("console/main.tsx") && build({ ...common, entryPoints: ["console/main.tsx"], outfile: `${out}console/app.js`, format: "esm", jsx: "automatic", jsxImportSource: "preact", sourcemap: true }),
].filter(Boolean));

if (existsSync("console/public")) cpSync("console/public", `${out}console`, { recursive: true });

// Offline IP -> organisation (ASN) and country data for enrichment, from the @ip-location-db
// npm packages (licences copied alongside). The server reads it from frontdesk/data/.
const dataOut = new URL("../src/frontdesk/data/", import.meta.url).pathname;
mkdirSync(dataOut, { recursive: true });
const ipData = [
  ["@ip-location-db/asn", ["asn-ipv4-num.csv", "asn-ipv6-num.csv", "DBIP-LICENSE", "NRO_LICENSE", "ROUTEVIEWS-LICENSE"]],
  ["@ip-location-db/geo-whois-asn-country", ["geo-whois-asn-country-ipv4-num.csv", "geo-whois-asn-country-ipv6-num.csv"]],
];
for (const [pkg, files] of ipData) {
  for (const file of files) {
    const from = `node_modules/${pkg}/${file}`;
    if (existsSync(from)) cpSync(from, `${dataOut}${file}`);
  }
}
