import type { ComponentChildren, JSX, RefObject } from "preact";
import { createPortal } from "preact/compat";
import { useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { describeDuration, formatDuration, now, parseTime } from "../time";
import { IconPause, IconPointer, IconTabs, IconX } from "../icons";

// Small shared pieces: switches, popovers, avatars, activity status, ticking clocks.

export function Switch(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      role="switch"
      class="switch-row"
      aria-checked={props.checked}
      aria-label={props.label}
      title={props.hint}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span class="switch-label">
        {props.label}
        {props.hint && <span class="switch-hint">{props.hint}</span>}
      </span>
      <span class={`switch ${props.checked ? "on" : ""}`} aria-hidden="true">
        <span class="knob" />
      </span>
    </button>
  );
}

// Open/close state for a popover: closes on Escape (focus back to its trigger) and on a click
// outside it.
export function usePopover<T extends HTMLElement = HTMLDivElement>(): {
  open: boolean;
  setOpen: (v: boolean) => void;
  ref: RefObject<T>;
  triggerRef: RefObject<HTMLButtonElement>;
} {
  const [open, setOpen] = useState(false);
  const ref = useRef<T>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  // A layout effect, so Escape and outside clicks work from the first frame the popover shows
  // (a plain effect runs a frame later, and a quick Escape was lost).
  useLayoutEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (ref.current?.contains(t) || triggerRef.current?.contains(t)) return;
      setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        setOpen(false);
        triggerRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onDown, true);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("pointerdown", onDown, true);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [open]);
  return { open, setOpen, ref, triggerRef };
}

const AVATAR_COLORS = ["#2563eb", "#7c3aed", "#db2777", "#ea580c", "#0d9488", "#4f46e5", "#0891b2", "#65a30d"];

export function initials(name: string | null | undefined): string {
  const parts = (name ?? "").trim().split(/[\s@._-]+/).filter(Boolean);
  if (!parts.length) return "?";
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

function colorFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return AVATAR_COLORS[Math.abs(h) % AVATAR_COLORS.length];
}

export function Avatar(props: { name: string | null | undefined; id?: string; size?: number; src?: string | null }) {
  const size = props.size ?? 28;
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px`, background: colorFor(props.id ?? props.name ?? "") };
  if (props.src) return <img class="avatar" src={props.src} alt="" style={style} />;
  return (
    <span class="avatar" style={style} aria-hidden="true">
      {initials(props.name)}
    </span>
  );
}

export const ACTIVITY_TEXT: Record<string, string> = {
  active: "Active",
  another_tab: "Another tab",
  idle: "Idle",
};

export function activityOf(a: string | undefined | null): "active" | "another_tab" | "idle" {
  return a === "another_tab" || a === "idle" ? a : "active";
}

export function ActivityStatus(props: { activity: string | undefined | null; compact?: boolean }) {
  const a = activityOf(props.activity);
  const Icon = a === "active" ? IconPointer : a === "another_tab" ? IconTabs : IconPause;
  return (
    // Not a live region: with hundreds of cards, every tab switch would be read aloud.
    <span class={`activity activity-${a}`} data-activity={a} title={`Activity: ${ACTIVITY_TEXT[a]}`}>
      <span class="dot" aria-hidden="true" />
      {!props.compact && <Icon size={12} />}
      <span class="activity-text">{ACTIVITY_TEXT[a]}</span>
    </span>
  );
}

// Time since an instant, ticking with the shared clock. Only this span re-renders each second.
export function Elapsed(props: { since: string | null | undefined; label?: string; class?: string }) {
  const t = parseTime(props.since);
  const ms = t === null ? 0 : now.value - t;
  return (
    <span class={props.class} title={props.label ? `${props.label}: ${describeDuration(ms)}` : undefined}>
      <span aria-hidden="true">{formatDuration(ms)}</span>
      <span class="sr-only">{props.label ? `${props.label} ` : ""}{describeDuration(ms)}</span>
    </span>
  );
}

export function Countdown(props: { until: string | null | undefined; since: string | null | undefined }) {
  const until = parseTime(props.until);
  const at = now.value;
  if (until !== null) {
    const left = until - at;
    if (left > 0) {
      return (
        <span class={`countdown ${left < 10_000 ? "urgent" : ""}`} role="timer" aria-label={`${describeDuration(left)} left before the bot steps in`}>
          {formatDuration(left)} left
        </span>
      );
    }
  }
  const since = parseTime(props.since);
  const waited = since === null ? 0 : at - since;
  return (
    <span class="countdown waiting" role="timer" aria-label={`Waiting for ${describeDuration(waited)}`}>
      waiting {formatDuration(waited)}
    </span>
  );
}

export function Kbd(props: { children: ComponentChildren }) {
  return <kbd class="kbd">{props.children}</kbd>;
}

export function EmptyState(props: { title: string; children?: ComponentChildren; icon?: JSX.Element }) {
  return (
    <div class="empty">
      {props.icon && <div class="empty-icon">{props.icon}</div>}
      <div class="empty-title">{props.title}</div>
      {props.children && <div class="empty-body">{props.children}</div>}
    </div>
  );
}

export function hostOf(url: string | null | undefined): string {
  if (!url) return "";
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}

// "/pricing?plan=team" for display: the host is the same on every card of one site.
export function pathOf(url: string | null | undefined): string {
  if (!url) return "";
  try {
    const u = new URL(url);
    return u.pathname + u.search + u.hash || "/";
  } catch {
    return url;
  }
}

// Visitor-supplied images (a page's og:image, its site's favicon) are shown only through the
// server's image proxy: a same-origin "/img?..." URL, never a URL the visitor chose (loading
// that would tell its owner the rep's IP address).
export function proxiedImageUrl(url: string | null | undefined): string | null {
  return url && url.startsWith("/img?") ? url : null;
}

// Only http(s) URLs become links (a visitor controls the URL).
export function safeHttpUrl(url: string | null | undefined): string | null {
  return originOf(url) ? url! : null;
}

// One-line preview of a markdown message for lists and notifications: links keep their text,
// images become "[image]", emphasis and code marks go.
export function plainSnippet(markdown: string | null | undefined, max = 160): string {
  if (!markdown) return "";
  const s = markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, (_m, alt: string) => (alt ? `[${alt}]` : "[image]"))
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__|\*|_|~~|`)(?=\S)([^]*?\S)\1/g, "$2")
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)/gm, "")
    .replace(/\s+/g, " ")
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// A modal dialog: portalled to <body>, named by its title, Escape or the backdrop closes it,
// focus moves into it on open and back to where it was on close.
export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  size?: "sm" | "md" | "lg";
  subtitle?: ComponentChildren;
  class?: string;
}) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = box.current;
    const first = el?.querySelector<HTMLElement>("[autofocus], textarea, input:not([type=hidden]), select, button:not(.dialog-x)");
    (first ?? el)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        // An open list inside the dialog (the "/" shortcuts menu) closes first.
        if ((e.target as HTMLElement | null)?.getAttribute?.("aria-expanded") === "true") return;
        e.stopPropagation();
        e.preventDefault();
        onClose.current();
      } else if (e.key === "Tab" && el) {
        // Keep Tab inside the dialog.
        const items = [...el.querySelectorAll<HTMLElement>("button:not([disabled]), [href], input, select, textarea, [tabindex]:not([tabindex='-1'])")].filter(
          (x) => x.offsetParent !== null,
        );
        if (!items.length) return;
        const i = items.indexOf(document.activeElement as HTMLElement);
        if (e.shiftKey && (i <= 0)) {
          e.preventDefault();
          items[items.length - 1].focus();
        } else if (!e.shiftKey && i === items.length - 1) {
          e.preventDefault();
          items[0].focus();
        }
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      if (before && document.contains(before)) before.focus();
    };
  }, []);
  return createPortal(
    <div
      class="dialog-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) props.onClose();
      }}
    >
      <div ref={box} class={`dialog dialog-${props.size ?? "md"} ${props.class ?? ""}`} role="dialog" aria-modal="true" aria-labelledby={`${id}-t`} tabIndex={-1}>
        <div class="dialog-head">
          <div>
            <h2 id={`${id}-t`}>{props.title}</h2>
            {props.subtitle && <div class="dialog-sub">{props.subtitle}</div>}
          </div>
          <button type="button" class="icon-btn dialog-x" aria-label="Close" onClick={props.onClose}>
            <IconX size={16} />
          </button>
        </div>
        <div class="dialog-body">{props.children}</div>
        {props.footer && <div class="dialog-foot">{props.footer}</div>}
      </div>
    </div>,
    document.body,
  );
}

// A control for something the product will have but this build does not: visible where it
// belongs, never pretending to work.
export function NotYet(props: { label: string; children: ComponentChildren; class?: string; reason?: string }) {
  const reason = props.reason ?? "Not available yet";
  return (
    <button
      type="button"
      class={`icon-btn not-yet ${props.class ?? ""}`}
      aria-disabled="true"
      aria-label={`${props.label} (${reason.toLowerCase()})`}
      title={`${props.label}: ${reason.toLowerCase()}`}
      data-tooltip={reason}
      onClick={(e) => e.preventDefault()}
    >
      {props.children}
    </button>
  );
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // The Clipboard API needs a secure context; fall back to selecting the text.
    const ta = document.createElement("textarea");
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
}

export function CopyButton(props: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-secondary btn-sm"
      aria-label={props.label ?? "Copy"}
      onClick={async () => {
        await copyText(props.text);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

// A secret shown once after it is made (an API token, a webhook signing secret): the server
// keeps only a hash or never shows it again, so the admin copies it now.
export function ShownOnceSecret(props: { label: string; title: ComponentChildren; hint: ComponentChildren; secret: string; copyLabel: string; testId: string; onDone: () => void }) {
  return (
    <div class="secret-box" role="status" aria-label={props.label}>
      <div>
        <strong>{props.title}</strong>
        <div class="muted small">Copy it now: it is shown only once. {props.hint}</div>
      </div>
      <div class="secret-row">
        <code class="secret" data-testid={props.testId}>
          {props.secret}
        </code>
        <CopyButton text={props.secret} label={props.copyLabel} />
      </div>
      <button type="button" class="btn btn-ghost btn-sm" onClick={props.onDone}>
        I've saved it
      </button>
    </div>
  );
}

// A ticking "0:42 left" towards a deadline (server clock), for alerts with a timeout.
export function TimeLeft(props: { until: string | null | undefined; label: string }) {
  const until = parseTime(props.until);
  if (until === null) return null;
  const left = until - now.value;
  return (
    <span class={`countdown ${left < 15_000 ? "urgent" : ""}`} role="timer" aria-label={`${describeDuration(left)} ${props.label}`}>
      {formatDuration(left)}
    </span>
  );
}

/** A table's placeholder row: "Loading…" while the list is not here yet, `empty` (if given)
 * once it is known to hold nothing, and no row otherwise. */
export function TableStatus(props: { cols: number; list: readonly unknown[] | null | undefined; empty?: ComponentChildren }) {
  const text = props.list === null ? "Loading…" : props.list?.length === 0 ? props.empty : null;
  if (text === null || text === undefined) return null;
  return (
    <tr>
      <td colSpan={props.cols} class="muted">
        {text}
      </td>
    </tr>
  );
}

// Images in message HTML come through the server's image proxy, which refuses some (a private
// address, too large, not an image, the image's server is down). A refused image must not be a
// broken icon or bare alt text: it becomes a line saying it could not be loaded, and why (the
// proxy answers with a short reason; it is same-origin for the console, so it can be read).
// `content` changes whenever the images under `ref` may have changed (the HTML, a tab switch).
export function useImageFallbacks(ref: RefObject<HTMLElement>, content: unknown): void {
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    const ctl = new AbortController();
    const fail = (img: HTMLImageElement) => {
      if (!img.isConnected) return;
      const alt = img.getAttribute("alt")?.trim();
      const note = document.createElement("span");
      note.className = "img-failed";
      note.setAttribute("role", "img");
      note.setAttribute("aria-label", `Image could not be loaded${alt ? `: ${alt}` : ""}`);
      const why = document.createElement("span");
      why.className = "img-failed-why";
      note.append("Image could not be loaded", why);
      if (alt) {
        const name = document.createElement("span");
        name.className = "img-failed-alt";
        name.textContent = `“${alt}”`;
        note.append(name);
      }
      const src = img.getAttribute("src") ?? "";
      img.replaceWith(note);
      if (/^\/img\?/.test(src)) {
        fetch(src, { signal: ctl.signal, credentials: "same-origin" })
          .then(async (res) => (res.ok ? null : (await res.text()).trim().slice(0, 120)))
          .then((reason) => {
            if (reason) why.textContent = `: ${reason}`;
          })
          .catch(() => null);
      }
    };
    for (const img of root.querySelectorAll("img")) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) fail(img);
      else if (!img.getAttribute("src")) fail(img);
      else img.addEventListener("error", () => fail(img), { once: true, signal: ctl.signal });
    }
    return () => ctl.abort();
  }, [content]);
}
