"""One allow-list for message HTML (issue 14), in Debian's Chromium: the console's and the
messenger's sanitisers (web/console/sanitize.ts, web/widget/sanitize.ts, both on
web/shared/html_policy.ts) keep exactly the server's list (features/formatting/
html_allowlist.json), keep everything the server's markdown renderer emits unchanged, and turn
every line of the XSS corpus into inert HTML on their own, without the server's sanitiser.

Each sanitiser is bundled by esbuild from its source, as the build does, into a page of its own
(both install hooks on DOMPurify, so they cannot share one). The shipped bundles are checked to
carry the same list.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tests.e2e.conftest import TestBrowser
from tests.e2e.console_env import BROWSER_MARKS, STATIC

from frontdesk.features.formatting import image_proxy, render_markdown
from frontdesk.features.formatting.markdown import HTML_ALLOWLIST

pytest.importorskip("playwright.async_api")
ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "web" / "node_modules" / ".bin" / "esbuild"
pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not ESBUILD.exists(), reason="no esbuild: cd web && npm ci"),
]

FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = [
    line
    for line in (FIXTURES / "xss_corpus.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
# Attacks that would set a flag rather than open a dialog, so a silent success shows too.
FLAG_ATTACKS = [
    '<img src=x onerror="window.__xss.push(1)">',
    '<svg onload="window.__xss.push(2)">',
    "<script>window.__xss.push(3)</script>",
    '<a href="javascript:window.__xss.push(4)">x</a>',
    '"><img src=x onerror=window.__xss.push(5)>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss.push(6)">',
]
FEATURES = (FIXTURES / "markdown_features.md").read_text(encoding="utf-8")
# Tags the console's own list allowed besides the shared twelve before issue 14, and more.
NOT_ALLOWED = ["b", "i", "del", "s", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "sup", "sub"]
NOT_ALLOWED += ["table", "span", "div", "u", "iframe", "svg", "style", "form", "input"]
# Where the messenger's page is: proxied images must load from the Frontdesk server.
WIDGET_SERVER = "https://frontdesk.example"

ENTRIES = {
    "console": """
        import { cleanHtml } from "./console/sanitize";
        window.sanitise = cleanHtml;
    """,
    "widget": f"""
        import {{ htmlSanitiser }} from "./widget/sanitize";
        const sanitise = htmlSanitiser({json.dumps(WIDGET_SERVER)});
        window.sanitise = (html) => {{
          const box = document.createElement("div");
          box.append(sanitise(html));
          return box.innerHTML;
        }};
    """,
}

# Renders a sanitiser's output into the page as the app does (innerHTML / a fragment), then
# lists whatever is outside the allow-list: tags, attributes, URL shapes, missing link
# attributes.
INSPECT = """([htmls, policy]) => {
  const bad = [];
  const allowed = new Map(Object.entries(policy.attributes));
  const linkSchemes = new RegExp(`^(?:${policy.link_schemes.join("|")}):`, "i");
  const imageSchemes = new RegExp(`^(?:${policy.image_schemes.join("|")}):`, "i");
  const browserAdded = ["loading", "referrerpolicy"];
  for (const html of htmls) {
    const box = document.createElement("div");
    box.innerHTML = window.sanitise(html);
    document.body.append(box);
    for (const el of box.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      if (!policy.tags.includes(tag)) bad.push([html, "tag " + tag]);
      for (const a of el.attributes) {
        const ok = (allowed.get(tag) || []).includes(a.name)
          || (tag === "a" && a.name in policy.link_attributes)
          || (tag === "img" && browserAdded.includes(a.name));
        if (!ok) bad.push([html, tag + " " + a.name]);
        if (a.name === "href" && !linkSchemes.test(a.value)) bad.push([html, "href " + a.value]);
        const proxied = a.value.startsWith(policy.image_proxy_path); // the console's, same-origin
        if (a.name === "src" && !imageSchemes.test(a.value) && !proxied) bad.push([html, "src " + a.value]);
      }
      if (tag === "a") for (const [name, value] of Object.entries(policy.link_attributes)) {
        if (el.getAttribute(name) !== value) bad.push([html, "a without " + name]);
      }
    }
  }
  return bad;
}"""

# The same markup, serialised with each element's attributes in name order and without the
# attributes the browsers add to images (lazy loading, no referrer).
NORMALISE = """(html) => {
  const t = document.createElement("template");
  t.innerHTML = html;
  for (const el of t.content.querySelectorAll("*")) {
    const attrs = [...el.attributes].filter((a) => !["loading", "referrerpolicy"].includes(a.name));
    for (const a of [...el.attributes]) el.removeAttribute(a.name);
    for (const a of attrs.sort((x, y) => (x.name < y.name ? -1 : 1))) el.setAttribute(a.name, a.value);
  }
  return t.innerHTML;
}"""


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each browser sanitiser bundled from its source, as web/build.mjs bundles the app."""
    out: dict[str, str] = {}
    for name, entry in ENTRIES.items():
        result = subprocess.run(
            [str(ESBUILD), "--bundle", "--format=iife", "--target=es2020", "--loader=ts"],
            input=entry,
            cwd=ROOT / "web",
            capture_output=True,
            text=True,
            check=True,
        )
        out[name] = result.stdout
    return out


async def _cut_off(route: Any) -> None:
    await route.abort()


async def _dismiss(dialog: Any) -> None:
    await dialog.page.evaluate("(message) => window.__xss.push(message)", dialog.message)
    await dialog.dismiss()


@pytest_asyncio.fixture(loop_scope="session")
async def sanitisers(bundles: dict[str, str], browser: TestBrowser) -> dict[str, Any]:
    """A page per browser sanitiser, with `window.sanitise(html) -> html`, no network, and a
    record of every dialog or script flag (closed after the test by `browser`)."""
    pages: dict[str, Any] = {}
    for name, bundle in bundles.items():
        page = await browser.new_page()
        await page.route("**/*", _cut_off)
        page.on("dialog", _dismiss)
        await page.set_content("<!doctype html><title>sanitiser</title><body></body>")
        await page.evaluate(
            """() => {
              window.__xss = [];
              for (const name of ["alert", "confirm", "prompt", "print"]) {
                window[name] = (...args) => { window.__xss.push(name + "(" + args + ")"); };
              }
            }"""
        )
        await page.add_script_tag(content=bundle)
        pages[name] = page
    return pages


@pytest.fixture(autouse=True)
def _proxy_key() -> None:
    image_proxy.configure("e2e-allowlist-secret")


async def test_every_line_of_the_xss_corpus_comes_out_of_both_browser_sanitisers_inert(
    sanitisers: dict[str, Any],
) -> None:
    attacks = CORPUS + FLAG_ATTACKS
    # Raw, as if the server's sanitiser had let everything through, and as the server renders it.
    htmls = attacks + [render_markdown(attack) for attack in attacks]
    for name, page in sanitisers.items():
        assert await page.evaluate(INSPECT, [htmls, HTML_ALLOWLIST]) == [], name
        # Handlers would run as the rendered images fail (the network is cut): load them all
        # now, not lazily, and wait for each.
        await page.evaluate(
            """() => Promise.all([...document.images].map((img) => {
                 img.loading = "eager";
                 return img.complete ? null : new Promise((done) => {
                   img.addEventListener("load", done);
                   img.addEventListener("error", done);
                 });
               }))"""
        )
        assert await page.evaluate("window.__xss") == [], name


async def test_everything_the_server_renders_survives_both_browser_sanitisers_unchanged(
    sanitisers: dict[str, Any],
) -> None:
    for images in (True, False):
        server_html = render_markdown(FEATURES, images=images)
        for name, page in sanitisers.items():
            expected = server_html
            if name == "widget":
                proxy = HTML_ALLOWLIST["image_proxy_path"]
                expected = expected.replace(f'src="{proxy}', f'src="{WIDGET_SERVER}{proxy}')
            cleaned = await page.evaluate("(html) => window.sanitise(html)", server_html)
            assert await page.evaluate(NORMALISE, cleaned) == await page.evaluate(
                NORMALISE, expected
            ), (name, images)
    assert 'start="3"' in server_html and "<blockquote>" in server_html  # the document is rich


async def test_both_browser_sanitisers_keep_exactly_the_servers_allow_list(
    sanitisers: dict[str, Any],
) -> None:
    attribute_names = {name for names in HTML_ALLOWLIST["attributes"].values() for name in names}
    attribute_names |= {"class", "style", "id", "width", "onclick", "data-x", "aria-label"}
    probes = [
        (tag, name)
        for tag in [*HTML_ALLOWLIST["tags"], *NOT_ALLOWED]
        for name in sorted(attribute_names)
    ]
    expected_tags = set(HTML_ALLOWLIST["tags"])
    expected_pairs = {
        (tag, name) for tag, names in HTML_ALLOWLIST["attributes"].items() for name in names
    }
    for name, page in sanitisers.items():
        kept: list[list[str]] = await page.evaluate(
            """(probes) => probes.flatMap(([tag, attr]) => {
                 const box = document.createElement("div");
                 // (the messenger drops an image without a source: every probe has one)
                 const src = tag === "img" && attr !== "src" ? ' src="https://ok.example/b.png"' : "";
                 box.innerHTML = window.sanitise(`<${tag} ${attr}="https://ok.example/a.png"${src}>x</${tag}>`);
                 const el = box.querySelector(tag);
                 return el ? [[tag, el.hasAttribute(attr) ? attr : ""]] : [];
               })""",
            probes,
        )
        assert {tag for tag, _ in kept} == expected_tags, name
        assert {(tag, attr) for tag, attr in kept if attr} == expected_pairs, name


def test_the_shipped_console_and_messenger_bundle_the_servers_allow_list() -> None:
    manifest = json.loads((STATIC / "manifest.json").read_text())
    tags = json.dumps(HTML_ALLOWLIST["tags"], separators=(",", ":"))
    for logical in ("messenger.js", "console/app.js"):
        bundle = (STATIC / manifest[logical]).read_text()
        assert tags in bundle, f"{logical} is stale or has its own list: cd web && node build.mjs"
        assert json.dumps(HTML_ALLOWLIST["link_attributes"]["rel"]) in bundle, logical


def test_the_old_per_app_lists_are_gone() -> None:
    # The sanitisers' sources name no tag list of their own: only the shared policy does.
    for source in ("web/console/sanitize.ts", "web/widget/sanitize.ts", "web/widget/messenger.ts"):
        text = (ROOT / source).read_text()
        assert "ALLOWED_TAGS" not in text and '"blockquote"' not in text, source
