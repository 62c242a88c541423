// Bundles the website widget (loader + messenger) and the rep console into the Python
// package's static folder, so `pip install` ships them and the server serves them.
//
//   node build.mjs            everything
//   node build.mjs widget     only the loader and the messenger (bench/widget_budget.py: a
//                             half-edited console must not stop it); also `console`
//
// Bytes on the wire (docs/widget.md, "Caching and compression"):
// - Every file but the loader (customers embed the fixed URL /widget.js) and the console page
//   gets a content hash in its name; the server caches those for a year, immutable.
//   manifest.json maps each logical name to its hashed file.
// - The loader learns the messenger's hashed path at build time (the MESSENGER_PATH define).
// - Every file gets precompressed .br (quality 11; 5 for source maps and development builds)
//   and .gz (level 9) siblings, written only when smaller; the server picks one per request
//   from Accept-Encoding.
// FRONTDESK_STATIC_OUT=DIR writes to DIR instead (tests build into a temporary folder).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const out = process.env.FRONTDESK_STATIC_OUT
  ? resolve(process.env.FRONTDESK_STATIC_OUT)
  : new URL("../src/frontdesk/static", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const parts = process.argv.slice(2).length ? process.argv.slice(2) : ["widget", "console"];
const production = process.env.NODE_ENV !== "development";
const common = { bundle: true, minify: production, target: ["es2020"], legalComments: "none", logLevel: "warning", write: false };

const manifestPath = join(out, "manifest.json");
const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, "utf8")) : {};

// Hashed files of earlier builds (and the unhashed names of builds before hashing) are
// removed, so the folder, and the installed package, hold one version of each bundle.
const stale = {
  widget: [/^messenger(\.[A-Z0-9]+)?\.js(\.map)?(\.br|\.gz)?$/, /^i18n\/messenger\.[a-z]+\.[A-Z0-9]+\.json(\.br|\.gz)?$/],
  console: [/^console\/app(\.[A-Z0-9]+)?\.js(\.map)?(\.br|\.gz)?$/, /^console\/twilio(\.[A-Z0-9]+)?\.js(\.map)?(\.br|\.gz)?$/, /^console\/console(\.[A-Z0-9]+)?\.css(\.map)?(\.br|\.gz)?$/],
};
// (Dirent.parentPath is Dirent.path before Node 20.12; Debian 12 ships Node 18)
const built = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
for (const file of built.map((e) => relative(out, join(e.parentPath ?? e.path, e.name)))) {
  if (parts.some((part) => stale[part]?.some((re) => re.test(file)))) rmSync(join(out, file));
}

// Writes a file with its .br and .gz siblings (each only if smaller than the file itself).
const emit = (path, contents) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
  const text = /\.(js|css|html|map|json|svg|txt)$/.test(path);
  const variants = {
    ".br": brotliCompressSync(contents, {
      params: {
        // Source maps are for devtools only: quality 11 would take seconds on them.
        [constants.BROTLI_PARAM_QUALITY]: production && !path.endsWith(".map") ? constants.BROTLI_MAX_QUALITY : 5,
        [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
        [constants.BROTLI_PARAM_SIZE_HINT]: contents.length,
      },
    }),
    // zlib's two strategies at maximum effort: whichever is smaller (a few bytes count on the loader)
    ".gz": [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED]
      .map((strategy) => gzipSync(contents, { level: 9, memLevel: 9, strategy }))
      .reduce((a, b) => (b.length < a.length ? b : a)),
  };
  for (const [ext, packed] of Object.entries(variants)) {
    if (packed.length < contents.length) writeFileSync(path + ext, packed);
    else rmSync(path + ext, { force: true });
  }
  const size = { raw: contents.length, br: variants[".br"].length, gz: variants[".gz"].length };
  console.log(`  ${relative(out, path).padEnd(36)} ${String(size.raw).padStart(8)} B  ${String(size.gz).padStart(7)} B gzip  ${String(size.br).padStart(7)} B brotli`);
  return size;
};

// esbuild's [hash] also covers the input paths (a symlinked node_modules changes it), so the
// name carries a hash of the output bytes alone: every machine names the same build the same.
const contentHash = (contents) => createHash("sha256").update(contents).digest("hex").slice(0, 8).toUpperCase();
// Writes one bundle (esbuild result, in memory) under its hashed name, with its source map
// beside it; returns that name relative to the static folder ("messenger.3F9A1C0B.js").
const emitHashed = (result, logical) => {
  const code = result.outputFiles.find((f) => !f.path.endsWith(".map"));
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"));
  const ext = extname(logical);
  const name = `${logical.slice(0, -ext.length)}.${contentHash(code.contents)}${ext}`;
  let contents = Buffer.from(code.contents);
  if (map) {
    emit(join(out, name + ".map"), map.contents);
    contents = Buffer.concat([contents, Buffer.from(`//# sourceMappingURL=${basename(name)}.map\n`)]);
  }
  emit(join(out, name), contents);
  return name;
};

if (parts.includes("widget") && existsSync("widget/loader.ts")) {
  // The messenger's texts in each language but English (which messenger.js carries): one
  // small hashed JSON file each, fetched by the messenger only for the visitors who need it.
  // Every file must have exactly English's keys.
  // The texts the server writes into the chat ("server..." keys: features/orgs/visitor_texts.py)
  // live in the same files, for Admin -> Messenger -> Texts; the messenger never shows them, so
  // they are left out of its files and of messenger.js.
  const forMessenger = (texts) => Object.fromEntries(Object.entries(texts).filter(([key]) => !/^server[A-Z]/.test(key)));
  const english = Object.keys(JSON.parse(readFileSync("widget/i18n/en.json", "utf8"))).sort().join();
  const i18nPaths = {};
  for (const file of readdirSync("widget/i18n").filter((f) => f.endsWith(".json") && f != "en.json").sort()) {
    const texts = JSON.parse(readFileSync(join("widget/i18n", file), "utf8"));
    if (Object.keys(texts).sort().join() != english) throw new Error(`widget/i18n/${file} does not have exactly the keys of en.json`);
    const lang = file.slice(0, -".json".length);
    const contents = Buffer.from(JSON.stringify(forMessenger(texts)));
    const name = `i18n/messenger.${lang}.${contentHash(contents)}.json`;
    emit(join(out, name), contents);
    i18nPaths[lang] = "/static/" + name;
    manifest[`i18n/messenger.${lang}.json`] = name;
  }
  // The messenger is fetched only when needed (a conversation exists, a proactive message, or a click).
  const messenger = await build({
    ...common,
    entryPoints: ["widget/messenger.ts"],
    outfile: join(out, "messenger.js"),
    format: "iife",
    define: { I18N_PATHS: JSON.stringify(i18nPaths) },
    plugins: [
      {
        name: "messenger-texts",
        setup(b) {
          b.onLoad({ filter: /[\\/]widget[\\/]i18n[\\/]en\.json$/ }, (args) => ({
            contents: JSON.stringify(forMessenger(JSON.parse(readFileSync(args.path, "utf8")))),
            loader: "json",
          }));
        },
      },
    ],
  });
  manifest["messenger.js"] = emitHashed(messenger, "messenger.js");
  // The loader runs on every page of every customer's site: tiny, no dependencies, fixed name.
  const loader = await build({
    ...common,
    entryPoints: ["widget/loader.ts"],
    outfile: join(out, "widget.js"),
    format: "iife",
    define: { MESSENGER_PATH: JSON.stringify("/static/" + manifest["messenger.js"]) },
  });
  const size = emit(loader.outputFiles[0].path, loader.outputFiles[0].contents);
  console.log(`  widget.js on the wire: ${size.gz} B gzip, budget 3072: ${size.gz <= 3072 ? "OK" : "OVER"}`);
}

if (parts.includes("console") && existsSync("console/main.tsx")) {
  // Twilio's Voice SDK (join by phone into the rep's browser call, docs/telephony.md): its own
  // chunk, imported by the console only when a phone leg joins the call it holds.
  const twilio = await build({
    ...common,
    entryPoints: ["console/twilio-voice.ts"],
    outfile: join(out, "console", "twilio.js"),
    format: "esm",
    sourcemap: "external",
  });
  manifest["console/twilio.js"] = emitHashed(twilio, "console/twilio.js");
  const app = await build({
    ...common,
    entryPoints: ["console/main.tsx"],
    outfile: join(out, "console", "app.js"),
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
    sourcemap: "external", // the comment naming the map is added with the hashed name
    define: { TWILIO_CHUNK: JSON.stringify("/static/" + manifest["console/twilio.js"]) },
  });
  manifest["console/app.js"] = emitHashed(app, "console/app.js");
  const css = await build({ ...common, entryPoints: ["console/public/console.css"], outfile: join(out, "console", "console.css") });
  manifest["console/console.css"] = emitHashed(css, "console/console.css");
  // The page itself keeps its name (the server never caches it for long) and points at the
  // hashed files; anything else in public/ is copied as it is.
  for (const file of readdirSync("console/public")) {
    if (file == "console.css") continue;
    let contents = readFileSync(join("console/public", file));
    if (file == "index.html") {
      let html = contents.toString("utf8");
      for (const name of ["console/app.js", "console/console.css"]) {
        if (!html.includes(`"/static/${name}"`)) throw new Error(`console/public/index.html does not reference /static/${name}`);
        html = html.replaceAll(`"/static/${name}"`, `"/static/${manifest[name]}"`);
      }
      contents = Buffer.from(html);
    }
    emit(join(out, "console", file), contents);
  }
}
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");

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
