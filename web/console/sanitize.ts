import DOMPurify from "dompurify";
import { installPolicy, POLICY_CONFIG } from "../shared/html_policy";

// Message HTML (chat messages, shortcut bodies, invitation and bot texts, markdown previews) is
// rendered from markdown and sanitised on the server; it is sanitised again here, with the same
// allow-list, before it touches innerHTML. Proxied images are same-origin "/img?u=..." URLs.
installPolicy(DOMPurify, "");

export function cleanHtml(html: string): string {
  return DOMPurify.sanitize(html, POLICY_CONFIG);
}
