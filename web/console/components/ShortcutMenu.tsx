import type { JSX, RefObject } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { loadShortcuts, shortcuts } from "../data";
import { cleanHtml } from "../sanitize";
import { companyName, conversations, me, pushToast, visitors } from "../store";
import type { FilledShortcut, Shortcut } from "../types";
import { AI_COMMANDS, ToneSelect, type AiCommand, type Tone } from "./Copilot";
import { IconSparkles } from "../icons";

// "/" in a composer: a filtered list of My and Org Shortcuts with a preview of the highlighted
// one. Click or Enter picks it; so do Tab and typing "/name " when the name matches exactly.
// Picking asks the server to fill the shortcut's {variables} for this conversation, or for the
// visitor a first message goes to (and count the use), and puts the text in the composer for
// editing before it is sent. With `ai`, the AI Copilot's /suggest, /expand and /tune come
// first in the same list, and the conversation's tone is chosen at the top right.

const AI_HELP: Record<AiCommand, string> = {
  suggest: "Suggest an answer to the visitor's latest question, from your org's knowledge, with its source and confidence.",
  expand: "Expand the notes or bullets you typed into a full message, in this conversation's tone, using the visitor's name when known.",
  tune: "Fix grammar and spelling of what you typed and apply this conversation's tone; see the changes before accepting.",
};

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
  ai?: { tone: Tone; setTone: (t: Tone) => void; onCommand: (cmd: AiCommand, text: string) => void } | null;
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
  const shortcutMatches = useMemo(() => (open && all ? filterShortcuts(all, token!.query).slice(0, 50) : []), [open, all, token?.query]);
  const ai = opts.ai ?? null;
  const aiMatches = useMemo(() => (open && ai ? AI_COMMANDS.filter(([name]) => name.startsWith(token!.query.toLowerCase())) : []), [open, !!ai, token?.query]);
  type Entry = { ai: (typeof AI_COMMANDS)[number] } | { shortcut: Shortcut };
  const matches: Entry[] = useMemo(() => [...aiMatches.map((a) => ({ ai: a })), ...shortcutMatches.map((s) => ({ shortcut: s }))], [aiMatches, shortcutMatches]);

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

  function chooseAi(cmd: AiCommand, tok: Token) {
    const el = textarea.current;
    const current = el ? el.value : value;
    const before = current.slice(0, tok.start).replace(/\s+$/, "");
    const after = current.slice(tok.end).replace(/^\s+/, "");
    const rest = before && after ? `${before} ${after}` : before || after;
    setValue(rest);
    setDismissedAt(null);
    requestAnimationFrame(() => {
      const t = textarea.current;
      if (!t) return;
      t.focus();
      t.setSelectionRange(rest.length, rest.length);
      setCaret(rest.length);
    });
    ai?.onCommand(cmd, rest);
  }

  function pick(entry: Entry, tok: Token) {
    if ("ai" in entry) chooseAi(entry.ai[0], tok);
    else void choose(entry.shortcut, tok);
  }

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
      pick(matches[Math.min(active, matches.length - 1)], token);
      return true;
    }
    if (e.key === " " && token.query) {
      const aiExact = ai ? AI_COMMANDS.find(([name]) => name === token.query.toLowerCase()) : undefined;
      if (aiExact) {
        e.preventDefault();
        chooseAi(aiExact[0], token);
        return true;
      }
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
    <div class="sc-menu" role="dialog" aria-label={ai ? "Shortcuts and AI Copilot" : "Shortcuts"}>
      <div class="sc-list-wrap">
        <div class="sc-head">
          <span>Shortcuts</span>
          {ai ? <ToneSelect tone={ai.tone} onChange={ai.setTone} id={`${opts.idBase}-tone`} /> : <span class="muted small sc-keys">↑↓ choose · Enter insert · Esc close</span>}
        </div>
        {matches.length === 0 && all === null ? (
          <div class="sc-empty muted">Loading shortcuts…</div>
        ) : matches.length === 0 ? (
          <div class="sc-empty muted">
            {(all ?? []).length === 0 ? "No shortcuts yet. Create them under Shortcuts in the sidebar." : `No shortcut matches “/${token!.query}”.`}
          </div>
        ) : (
          <ul class="sc-list" role="listbox" id={listId} aria-label="Matching shortcuts and AI commands">
            {matches.map((entry, i) =>
              "ai" in entry ? (
                <li
                  key={`ai-${entry.ai[0]}`}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  class={`sc-item sc-ai ${i === active ? "active" : ""}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => chooseAi(entry.ai[0], token!)}
                >
                  <span class="sc-name">/{entry.ai[0]}</span>
                  <span class="sc-scope scope-ai">
                    <IconSparkles size={10} /> AI
                  </span>
                  <span class="sc-snippet">{entry.ai[1]}</span>
                </li>
              ) : (
                <li
                  key={entry.shortcut.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  class={`sc-item ${i === active ? "active" : ""}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => void choose(entry.shortcut, token!)}
                >
                  <span class="sc-name">/{entry.shortcut.name}</span>
                  <span class={`sc-scope scope-${entry.shortcut.scope}`}>{entry.shortcut.scope === "org" ? "Org" : "Mine"}</span>
                  <span class="sc-snippet">{entry.shortcut.body}</span>
                </li>
              ),
            )}
          </ul>
        )}
        {ai && <div class="sc-foot muted small">↑↓ choose · Enter insert · Esc close</div>}
      </div>
      {current && "ai" in current && (
        <div class="sc-preview" aria-label={`Preview of /${current.ai[0]}`} role="region">
          <div class="muted small">AI Copilot</div>
          <div class="ai-cmd-help">{AI_HELP[current.ai[0]]}</div>
          <div class="muted small">You see the result first and edit it before sending.</div>
        </div>
      )}
      {current && "shortcut" in current && (
        <div class="sc-preview" aria-label={`Preview of /${current.shortcut.name}`} role="region">
          <div class="muted small">Preview</div>
          <div class="bubble md sc-bubble" dangerouslySetInnerHTML={{ __html: cleanHtml(fillPreview(cleanHtml(current.shortcut.html || ""), previewValues(conversationId, visitorId))) }} />
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
