// The browsers' half of the one allow-list for message HTML. The console (console/sanitize.ts)
// and the messenger (widget/sanitize.ts) sanitise again what the server already rendered and
// sanitised, so a server bug cannot become script in a rep's console or on a customer's site.
// The list itself is the server's own file, bundled at build time: server, console and widget
// cannot drift apart (docs/architecture.md, "One allow-list for message HTML").
import type { Config, DOMPurify } from "dompurify";
import {
  attributes,
  image_proxy_path,
  image_schemes,
  link_attributes,
  link_schemes,
  tags,
} from "../../src/frontdesk/features/formatting/html_allowlist.json";

const ATTRIBUTES = new Map<string, readonly string[]>(Object.entries(attributes));
const LINK_ATTRIBUTES = Object.entries(link_attributes); // required on every link
const startsWithScheme = (schemes: readonly string[]) => new RegExp(`^(?:${schemes.join("|")}):`, "i");
const LINK = startsWithScheme(link_schemes);
const IMAGE = startsWithScheme(image_schemes);

const ALL_ATTRIBUTES = [...new Set([...Object.values(attributes).flat(), ...LINK_ATTRIBUTES.map(([name]) => name)])];
/** The DOMPurify options of the allow-list: its tags, the union of its attributes (the hook
 * keeps each on its own tags only) and, as a last check, only its URL shapes. */
export const POLICY_CONFIG: Config = {
  ALLOWED_TAGS: tags,
  ALLOWED_ATTR: ALL_ATTRIBUTES,
  // DOMPurify holds every attribute but its own short list of plain-text ones to the URL pattern
  // below; only href and src are URLs here ("start" is a number, "title" text).
  ADD_URI_SAFE_ATTR: ALL_ATTRIBUTES.filter((name) => name != "href" && name != "src"),
  ALLOWED_URI_REGEXP: new RegExp(`^(?:(?:${[...link_schemes, ...image_schemes].join("|")}):|${image_proxy_path.replace(/[?]/g, "\\?")})`, "i"),
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
};

/** Adds the allow-list's hooks to DOMPurify (once per bundle). Images served by the image proxy
 * ("/img?u=...") load from `imageOrigin` ("" where the page is on the Frontdesk server). */
export function installPolicy(purify: DOMPurify, imageOrigin: string): void {
  purify.addHook("uponSanitizeAttribute", (node, data) => {
    const tag = node.nodeName.toLowerCase();
    const name = data.attrName;
    const value = data.attrValue;
    if (tag == "a" && LINK_ATTRIBUTES.some(([required]) => required == name)) return; // set below
    if (!ATTRIBUTES.get(tag)?.includes(name)) data.keepAttr = false;
    else if (name == "href" && !LINK.test(value)) data.keepAttr = false;
    else if (name == "src") {
      if (value.startsWith(image_proxy_path)) data.attrValue = imageOrigin + value;
      else if (!IMAGE.test(value)) data.keepAttr = false; // no data:, no relative URLs
    }
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName == "A") {
      // Links open in a new tab without giving the opened page a handle on this one.
      for (const [name, value] of LINK_ATTRIBUTES) node.setAttribute(name, value);
    } else if (node.nodeName == "IMG") {
      node.setAttribute("loading", "lazy");
      node.setAttribute("referrerpolicy", "no-referrer");
    }
  });
}
