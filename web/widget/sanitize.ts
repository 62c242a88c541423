import DOMPurify from "dompurify";
import { installPolicy, POLICY_CONFIG } from "../shared/html_policy";

// The server already sends sanitised HTML; the same allow-list again here means a server bug (or
// a compromised server path) still cannot run script on the customer's site. Images in messages
// come through the server's image proxy as relative URLs (/img?u=...&s=...): they must load from
// the Frontdesk server (`server`), not the customer's site.
export function htmlSanitiser(server: string): (html: string) => DocumentFragment {
  installPolicy(DOMPurify, server);
  return (html) => {
    // A fragment: no string round-trip, no innerHTML on our side.
    // (null where the browser parses no body at all, e.g. for "<frameset>": nothing to show)
    const frag: DocumentFragment | null = DOMPurify.sanitize(html, { ...POLICY_CONFIG, RETURN_DOM_FRAGMENT: true });
    if (!frag) return document.createDocumentFragment();
    frag.querySelectorAll("img:not([src])").forEach((img) => img.remove()); // its src was refused
    return frag;
  };
}
