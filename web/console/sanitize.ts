import DOMPurify from "dompurify";

// Message HTML is rendered from markdown and sanitised on the server; it is sanitised again here
// before it touches innerHTML, so a server bug cannot become script in a rep's console.
// Links open in a new tab without giving the opened page a handle on the console.

const ALLOWED_TAGS = [
  "p", "br", "strong", "b", "em", "i", "del", "s", "code", "pre", "blockquote",
  "ul", "ol", "li", "a", "img", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "sup", "sub",
  "table", "thead", "tbody", "tr", "th", "td", "span",
];
const ALLOWED_ATTR = ["href", "src", "alt", "title", "target", "rel", "start"];

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    const href = node.getAttribute("href") ?? "";
    if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute("href");
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
  if (node.tagName === "IMG") {
    // Images come through the server's image proxy as same-origin "/img?u=..." URLs.
    const src = node.getAttribute("src") ?? "";
    if (!/^https?:/i.test(src) && !/^\/img\?/.test(src)) node.removeAttribute("src");
    node.setAttribute("loading", "lazy");
    node.setAttribute("referrerpolicy", "no-referrer");
  }
});

export function cleanHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: [...ALLOWED_ATTR, "loading", "referrerpolicy"],
    ALLOW_DATA_ATTR: false,
  });
}
