import type { JSX, RefObject } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { loadShortcuts, shortcuts } from "../data";
import { cleanHtml } from "../sanitize";
import { companyName, conversations, me, pushToast, visitors } from "../store";
import type { FilledShortcut, Shortcut } from "../types";

// "/" in a composer: a filtered list of My and Org Shortcuts with a preview of the highlighted
// one. Click or Enter picks it; so do Tab and typing "/name " when the name matches exactly.
// Picking asks the server to fill the shortcut's {variables} for this conversation, or for the
// visitor a first message goes to (and count the use), and puts the text in the composer for
// editing before it is sent.

const TOKEN = /(^|\s)\/([A-Za-z0-9_-]{0,40})$/;

interface Token {
  start: number; // index of the "/"
  end: number; // caret
  query: string;
}

function tokenAt(value: string, caret: number): Token | null {
  const m = TOKEN.exec(value.slice(0, caret));
  if (!m) return null;
  const start = caret - m[2].length - 1;
  return { start, end: caret, query: m[2] };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

// What the shortcut will say to this visitor: {variables} filled with what the console knows
// (the server fills them for real on insert; unknown ones are left out, as it does). The
// visitor is the conversation's, or, before there is one (Pounce), the one being engaged.
function previewValues(conversationId: string | null, visitorId: string | null): Record<string, string | null> {
  const rep = me.value;
  const conv = conversationId ? conversations.value.get(conversationId) : undefined;
  const card = visitors.value.get(conv?.visitor_id ?? visitorId ?? "");
  const name = card?.name ?? conv?.visitor_name ?? null;
  return {
    "visitor.first_name": name?.trim() ? name.trim().split(/\s+/)[0] : null,
    "visitor.name": name,
    "visitor.email": card?.email ?? null,
    company: companyName(card) ?? null,
    "page.title": card?.title ?? null,
    "page.url": card?.url ?? null,
    "rep.first_name": rep?.name ? rep.name.split(/\s+/)[0] : null,
    "rep.name": rep?.name ?? null,
  };
}

export function fillPreview(html: string, values: Record<string, string | null>): string {
  return html.replace(/ ?\{([a-z_.]+)\}/gi, (whole, key: string) => {
    const k = key.toLowerCase();
    if (!(k in values)) return whole;
    const v = values[k];
    return v ? (whole.startsWith(" ") ? " " : "") + escapeHtml(v) : "";
  });
}

export function filterShortcuts(list: Shortcut[], query: string): Shortcut[] {
  const q = query.toLowerCase();
  if (!q) return list;
  const starts = list.filter((s) => s.name.toLowerCase().startsWith(q));
  const contains = list.filter((s) => !s.name.toLowerCase().startsWith(q) && (s.name.toLowerCase().includes(q) || s.body.toLowerCase().includes(q)));
  return [...starts, ...contains];
}

export function useShortcutMenu(opts: {
  value: string;
  setValue: (v: string) => void;
  textarea: RefObject<HTMLTextAreaElement>;
  conversationId: string | null;
  visitorId?: string | null;
  idBase: string;
}): {
  menu: JSX.Element | null;
  onKeyDown: (e: KeyboardEvent) => boolean;
  onCaretMove: () => void;
  openMenu: () => void;
  ariaProps: Record<string, string | undefined>;
} {
  const { value, setValue, textarea, conversationId } = opts;
  const visitorId = opts.visitorId ?? null;
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const all = shortcuts.value;

  const token = useMemo(() => tokenAt(value, Math.min(caret, value.length)), [value, caret]);
  const open = !!token && dismissedAt !== token.start;
  const matches = useMemo(() => (open && all ? filterShortcuts(all, token!.query).slice(0, 50) : []), [open, all, token?.query]);

  useEffect(() => {
    if (open && !all) void loadShortcuts().catch(() => null);
  }, [open]);
  useEffect(() => setActive(0), [token?.query, token?.start]);
  useEffect(() => {
    if (!token) setDismissedAt(null);
  }, [token]);

  const onCaretMove = () => {
    const el = textarea.current;
    if (el) setCaret(el.selectionStart ?? el.value.length);
  };

  async function choose(s: Shortcut, tok: Token) {
    if (busy) return;
    setBusy(true);
    let text = s.body;
    try {
      const res = await api<FilledShortcut>("POST", `/api/shortcuts/${encodeURIComponent(s.id)}/use`, conversationId ? { conversation_id: conversationId } : { visitor_id: visitorId });
      text = res.text ?? s.body;
    } catch (err) {
      pushToast(`Couldn't fill in /${s.name}: ${errorText(err)}`, "error");
      setBusy(false);
      return;
    }
    setBusy(false);
    const el = textarea.current;
    const current = el ? el.value : value;
    const next = current.slice(0, tok.start) + text + current.slice(tok.end);
    setValue(next);
    setDismissedAt(null);
    const at = tok.start + text.length;
    requestAnimationFrame(() => {
      const t = textarea.current;
      if (!t) return;
      t.focus();
      t.setSelectionRange(at, at);
      setCaret(at);
    });
    // Usage counts changed the order ("most used first"): refresh quietly.
    void loadShortcuts(true).catch(() => null);
  }

  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open || !token) return false;
    if (e.key === "ArrowDown" && matches.length) {
      e.preventDefault();
      setActive((i) => (i + 1) % matches.length);
      return true;
    }
    if (e.key === "ArrowUp" && matches.length) {
      e.preventDefault();
      setActive((i) => (i - 1 + matches.length) % matches.length);
      return true;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setDismissedAt(token.start);
      return true;
    }
    if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && matches.length) {
      e.preventDefault();
      void choose(matches[Math.min(active, matches.length - 1)], token);
      return true;
    }
    if (e.key === " " && token.query) {
      const exact = (all ?? []).find((s) => s.name.toLowerCase() === token.query.toLowerCase());
      if (exact) {
        e.preventDefault();
        void choose(exact, token);
        return true;
      }
    }
    return false;
  };

  const openMenu = () => {
    const el = textarea.current;
    if (!el) return;
    const at = el.selectionStart ?? el.value.length;
    const before = el.value.slice(0, at);
    const insert = before && !/\s$/.test(before) ? " /" : "/";
    const next = before + insert + el.value.slice(at);
    setValue(next);
    setDismissedAt(null);
    requestAnimationFrame(() => {
      const t = textarea.current;
      if (!t) return;
      t.focus();
      t.setSelectionRange(at + insert.length, at + insert.length);
      setCaret(at + insert.length);
    });
  };

  const listId = `${opts.idBase}-shortcuts`;
  const optionId = (i: number) => `${opts.idBase}-sc-${i}`;
  const current = matches[Math.min(active, Math.max(0, matches.length - 1))];
  const menu = open ? (
    <div class="sc-menu" role="dialog" aria-label="Shortcuts">
      <div class="sc-list-wrap">
        <div class="sc-head">
          <span>Shortcuts</span>
          <span class="muted small sc-keys">↑↓ choose · Enter insert · Esc close</span>
        </div>
        {all === null ? (
          <div class="sc-empty muted">Loading shortcuts…</div>
        ) : matches.length === 0 ? (
          <div class="sc-empty muted">
            {all.length === 0 ? "No shortcuts yet. Create them under Shortcuts in the sidebar." : `No shortcut matches “/${token!.query}”.`}
          </div>
        ) : (
          <ul class="sc-list" role="listbox" id={listId} aria-label="Matching shortcuts">
            {matches.map((s, i) => (
              <li
                key={s.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                class={`sc-item ${i === active ? "active" : ""}`}
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => void choose(s, token!)}
              >
                <span class="sc-name">/{s.name}</span>
                <span class={`sc-scope scope-${s.scope}`}>{s.scope === "org" ? "Org" : "Mine"}</span>
                <span class="sc-snippet">{s.body}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {current && (
        <div class="sc-preview" aria-label={`Preview of /${current.name}`} role="region">
          <div class="muted small">Preview</div>
          <div class="bubble md sc-bubble" dangerouslySetInnerHTML={{ __html: cleanHtml(fillPreview(cleanHtml(current.html || ""), previewValues(conversationId, visitorId))) }} />
          <div class="muted small">As this visitor will read it. You can edit it before sending.</div>
        </div>
      )}
    </div>
  ) : null;

  const ariaProps = {
    "aria-autocomplete": "list",
    "aria-expanded": open ? "true" : "false",
    "aria-controls": open && matches.length ? listId : undefined,
    "aria-activedescendant": open && matches.length ? optionId(Math.min(active, matches.length - 1)) : undefined,
  };
  return { menu, onKeyDown, onCaretMove, openMenu, ariaProps };
}
