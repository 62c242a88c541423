import { computed, signal } from "@preact/signals";

// History routing: the server answers /, /login and every /app/... path with index.html.

export const path = signal(location.pathname);

export type Route =
  | { name: "login" }
  | { name: "live" }
  | { name: "inbox"; box: "incoming" | "active" | "recent" | "offline" }
  | { name: "conversations"; conversationId: string | null }
  | { name: "visitor"; visitorId: string }
  | { name: "admin"; section: AdminSection }
  | { name: "shortcuts" }
  | { name: "reports" }
  | { name: "account"; accountId: string }
  | { name: "root" };

export const ADMIN_SECTIONS = ["team", "accounts", "segments", "experiences", "hours", "messenger", "meetings", "proactive", "copilot", "blocked", "files", "calls", "phone", "webhooks", "tokens", "audit"] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export const route = computed<Route>(() => parse(path.value));

function parse(p: string): Route {
  const parts = p.replace(/\/+$/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "login") return { name: "login" };
  if (parts[0] !== "app") return { name: "root" };
  switch (parts[1]) {
    case "live":
      return { name: "live" };
    case "inbox": {
      const box = parts[2] === "active" || parts[2] === "recent" || parts[2] === "offline" ? parts[2] : "incoming";
      return { name: "inbox", box };
    }
    case "conversations":
      return { name: "conversations", conversationId: parts[2] ?? null };
    case "visitors":
      return parts[2] ? { name: "visitor", visitorId: parts[2] } : { name: "live" };
    case "admin": {
      const section = (ADMIN_SECTIONS as readonly string[]).includes(parts[2] ?? "") ? (parts[2] as AdminSection) : "team";
      return { name: "admin", section };
    }
    case "shortcuts":
      return { name: "shortcuts" };
    case "reports":
      return { name: "reports" };
    case "accounts":
      return parts[2] ? { name: "account", accountId: parts[2] } : { name: "live" };
    default:
      return { name: "live" };
  }
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  path.value = location.pathname;
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", () => {
  path.value = location.pathname;
});

// For <a href> elements: ordinary clicks stay in the app, modified clicks open a new tab.
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget as HTMLAnchorElement;
  const href = a.getAttribute("href");
  if (!href || !href.startsWith("/")) return;
  e.preventDefault();
  navigate(href);
}

export const paths = {
  live: "/app/live",
  inbox: (box: string = "incoming") => `/app/inbox/${box}`,
  conversation: (id: string) => `/app/conversations/${encodeURIComponent(id)}`,
  conversations: "/app/conversations",
  visitor: (id: string) => `/app/visitors/${encodeURIComponent(id)}`,
  admin: "/app/admin",
  adminSection: (section: AdminSection) => `/app/admin/${section}`,
  shortcuts: "/app/shortcuts",
  reports: "/app/reports",
  account: (id: string) => `/app/accounts/${encodeURIComponent(id)}`,
  login: "/login",
};
