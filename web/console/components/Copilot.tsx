import type { JSX, RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { IconSparkles } from "../icons";
import type { DiffPart, SuggestOut, TunedOut, WrittenOut } from "../types";
import { Kbd, safeHttpUrl } from "./ui";

// AI Copilot in the composer: /suggest, /expand and /tune (from the "/" menu or the buttons
// under the composer). Each shows a preview first; Enter (or the button) inserts it, Esc
// closes, ↑↓ choose among suggestions. Inserted text stays marked as AI text until the rep
// edits it or sends it. Nothing is ever sent by itself.

export type AiCommand = "suggest" | "expand" | "tune";
export type Tone = "professional" | "casual" | "friendly";
export const TONES: [Tone, string, string][] = [
  ["casual", "Casual", "As with a returning customer (most informal)"],
  ["friendly", "Friendly", "As with a prospect (semi-formal)"],
  ["professional", "Professional", "As with a C-suite (most formal)"],
];
export const AI_COMMANDS: [AiCommand, string][] = [
  ["suggest", "Answer the visitor's latest question from your knowledge"],
  ["expand", "Turn your notes or bullets into a full message"],
  ["tune", "Fix grammar and apply the conversation's tone"],
];

const TONE_KEY = "frontdesk.copilot.tone.";

// The tone is chosen per conversation and remembered in this browser.
export function useTone(conversationId: string | null): [Tone, (t: Tone) => void] {
  const key = TONE_KEY + (conversationId ?? "new");
  const read = (): Tone => {
    try {
      const v = localStorage.getItem(key);
      return v === "casual" || v === "professional" || v === "friendly" ? v : "friendly";
    } catch {
      return "friendly";
    }
  };
  const [tone, setToneState] = useState<Tone>(read);
  useEffect(() => setToneState(read()), [key]);
  const setTone = (t: Tone) => {
    setToneState(t);
    try {
      localStorage.setItem(key, t);
    } catch {
      // private mode: the choice lasts for this page only
    }
  };
  return [tone, setTone];
}

export function ToneSelect(props: { tone: Tone; onChange: (t: Tone) => void; id?: string }) {
  return (
    <label class="tone-select" title="Tone for Expand and Tune in this conversation">
      <span class="muted small">Tone</span>
      <select
        id={props.id}
        aria-label="Tone for this conversation"
        value={props.tone}
        onMouseDown={(e) => e.stopPropagation()}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as Tone)}
      >
        {TONES.map(([value, label, hint]) => (
          <option key={value} value={value} title={hint}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

type Result =
  | { cmd: "suggest"; loading: boolean; error?: string; data?: SuggestOut }
  | { cmd: "expand"; loading: boolean; error?: string; data?: WrittenOut; empty?: boolean }
  | { cmd: "tune"; loading: boolean; error?: string; data?: TunedOut; empty?: boolean };

export function useCopilot(opts: {
  conversationId: string | null;
  value: string;
  setValue: (v: string) => void;
  textarea: RefObject<HTMLTextAreaElement>;
  tone: Tone;
}): {
  panel: JSX.Element | null;
  run: (cmd: AiCommand, text?: string) => void;
  onKeyDown: (e: KeyboardEvent) => boolean;
  open: boolean;
  close: () => void;
  aiMarked: boolean;
  clearMark: () => void;
} {
  const [result, setResult] = useState<Result | null>(null);
  const [active, setActive] = useState(0);
  const [aiMarked, setAiMarked] = useState(false);
  const [seq, setSeq] = useState(0);

  function run(cmd: AiCommand, text?: string) {
    const source = (text ?? opts.value).trim();
    const mine = seq + 1;
    setSeq(mine);
    setActive(0);
    if ((cmd === "expand" || cmd === "tune") && !source) {
      setResult({ cmd, loading: false, empty: true });
      return;
    }
    setResult({ cmd, loading: true } as Result);
    const cid = opts.conversationId;
    const req =
      cmd === "suggest"
        ? api<SuggestOut>("POST", "/api/copilot/suggest", { conversation_id: cid })
        : cmd === "expand"
          ? api<WrittenOut>("POST", "/api/copilot/expand", { notes: source, tone: opts.tone, conversation_id: cid })
          : api<TunedOut>("POST", "/api/copilot/tune", { text: source, tone: opts.tone, conversation_id: cid });
    req
      .then((data) => setResult((r) => (r && r.cmd === cmd ? ({ cmd, loading: false, data } as Result) : r)))
      .catch((err) => setResult((r) => (r && r.cmd === cmd ? ({ cmd, loading: false, error: errorText(err) } as Result) : r)));
  }

  function close() {
    setResult(null);
    requestAnimationFrame(() => opts.textarea.current?.focus());
  }

  function insert(text: string, replace: boolean) {
    const el = opts.textarea.current;
    const current = el ? el.value : opts.value;
    let next: string;
    let caret: number;
    if (replace || !current.trim()) {
      next = text;
      caret = text.length;
    } else {
      const at = el?.selectionStart ?? current.length;
      const before = current.slice(0, at);
      const sep = before && !/\s$/.test(before) ? " " : "";
      next = before + sep + text + current.slice(at);
      caret = (before + sep + text).length;
    }
    opts.setValue(next);
    setAiMarked(true);
    setResult(null);
    requestAnimationFrame(() => {
      const t = opts.textarea.current;
      if (!t) return;
      t.focus();
      t.setSelectionRange(caret, caret);
    });
  }

  const suggestions = result?.cmd === "suggest" ? (result.data?.suggestions ?? []) : [];

  function accept() {
    if (!result || result.loading) return;
    if (result.cmd === "suggest" && suggestions.length) insert(suggestions[Math.min(active, suggestions.length - 1)].text, false);
    else if (result.cmd === "expand" && result.data) insert(result.data.text, true);
    else if (result.cmd === "tune" && result.data) insert(result.data.text, true);
    else close(); // nothing to insert ("No confident answer", an error): Enter just closes
  }

  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!result) return false;
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      return true;
    }
    if (e.key === "ArrowDown" && suggestions.length) {
      e.preventDefault();
      setActive((i) => (i + 1) % suggestions.length);
      return true;
    }
    if (e.key === "ArrowUp" && suggestions.length) {
      e.preventDefault();
      setActive((i) => (i - 1 + suggestions.length) % suggestions.length);
      return true;
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      accept();
      return true;
    }
    // Typing goes on in the composer; the preview stays until Esc or insert.
    return false;
  };

  const panel = result ? (
    <div class="ai-panel" role="dialog" aria-label={`AI ${label(result.cmd)}`}>
      <div class="sc-head">
        <span class="ai-title">
          <IconSparkles size={13} /> AI {label(result.cmd)}
        </span>
        <span class="muted small sc-keys">
          {result.cmd === "suggest" && suggestions.length > 1 ? "↑↓ choose · " : ""}
          Enter insert · Esc close
        </span>
      </div>
      <div class="ai-body">
        {result.loading ? (
          <div class="muted" role="status">
            {result.cmd === "suggest" ? "Looking for an answer in your knowledge…" : result.cmd === "expand" ? "Writing your message…" : "Tuning…"}
          </div>
        ) : result.error ? (
          <div class="form-error" role="alert">
            {result.error}
          </div>
        ) : "empty" in result && result.empty ? (
          <div class="muted">{result.cmd === "expand" ? "Write a few notes or bullets in the composer first, then choose /expand." : "Write your message first, then choose /tune."}</div>
        ) : result.cmd === "suggest" && result.data ? (
          <SuggestView data={result.data} active={active} setActive={setActive} onPick={(i) => insert(suggestions[i].text, false)} />
        ) : result.cmd === "expand" && result.data ? (
          <div class="ai-preview">
            <div class="ai-text" aria-label="Expanded message">
              {result.data.text}
            </div>
            <ExpandSources data={result.data} />
            <Origin origin={result.data.origin} reason={result.data.fallback_reason} tone={result.data.tone} />
          </div>
        ) : result.cmd === "tune" && result.data ? (
          <div class="ai-preview">
            <DiffView parts={result.data.diff} />
            <Origin origin={result.data.origin} reason={result.data.fallback_reason} tone={result.data.tone} />
          </div>
        ) : null}
      </div>
      <div class="ai-foot">
        <span class="muted small">AI text: read it and edit before sending.</span>
        <button type="button" class="btn btn-ghost btn-sm" onMouseDown={(e) => e.preventDefault()} onClick={close}>
          Close
        </button>
        <button
          type="button"
          class="btn btn-primary btn-sm"
          onMouseDown={(e) => e.preventDefault()}
          onClick={accept}
          disabled={result.loading || !!result.error || (result.cmd === "suggest" ? !suggestions.length : !result.data)}
        >
          {result.cmd === "tune" ? "Accept" : "Insert"} <Kbd>Enter</Kbd>
        </button>
      </div>
    </div>
  ) : null;

  return { panel, run, onKeyDown, open: !!result, close, aiMarked, clearMark: () => setAiMarked(false) };
}

function label(cmd: AiCommand): string {
  return cmd === "suggest" ? "Suggest" : cmd === "expand" ? "Expand" : "Tune";
}

function Origin(props: { origin: string; reason: string | null; tone: string }) {
  return (
    <div class="muted small">
      {props.origin === "model" ? "Written by your AI model" : "Written offline by Frontdesk's rules"} · {props.tone[0].toUpperCase() + props.tone.slice(1)} tone
      {props.reason ? <div class="ai-fallback">The AI model's text was not used: {props.reason}.</div> : null}
    </div>
  );
}

// Where Expand's sentences came from: the shortcut or knowledge it quoted, or plainly that
// nothing in the org's knowledge fitted the notes.
function ExpandSources(props: { data: WrittenOut }) {
  const d = props.data;
  if (d.knowledge === "not_used") return null;
  if (d.knowledge === "no_match")
    return (
      <div class="ai-expand-source small" role="note">
        <strong>Nothing in your knowledge matched these notes:</strong> <span class="muted">written from your notes alone.</span>
      </div>
    );
  return (
    <div class="ai-expand-source small" role="note">
      <span class="muted" title={d.quoted.join("\n")}>
        {d.quoted.length === 1 ? "1 sentence" : `${d.quoted.length} sentences`} from your knowledge:
      </span>{" "}
      {d.sources.map((src) => (
        <SourceLabel key={src.item_id} title={src.title} url={src.url} kind={src.kind} />
      ))}
    </div>
  );
}

function SuggestView(props: { data: SuggestOut; active: number; setActive: (i: number) => void; onPick: (i: number) => void }) {
  const d = props.data;
  return (
    <div class="ai-suggest">
      <div class="small">
        <span class="muted">Question:</span> <q>{d.question}</q>
      </div>
      {d.status === "no_confident_answer" ? (
        <div class="ai-none" role="status">
          <strong>No confident answer</strong>
          <span class="muted small"> in your knowledge. Closest sources, to read before you answer:</span>
          {d.closest.length === 0 ? (
            <div class="muted small">Your org's copilot has no knowledge yet (Admin &gt; AI Copilot).</div>
          ) : (
            <ul class="ai-closest">
              {d.closest.map((c) => (
                <li key={c.source.item_id}>
                  <SourceLabel title={c.source.title} url={c.source.url} kind={c.source.kind} /> <span class="muted small">{Math.round(c.confidence * 100)}%</span>
                  <div class="muted small">{c.snippet}</div>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <ul class="ai-options" role="listbox" aria-label="Suggested answers">
          {d.suggestions.map((s, i) => (
            <li
              key={i}
              role="option"
              aria-selected={i === props.active}
              class={`ai-option ${i === props.active ? "active" : ""}`}
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => props.setActive(i)}
              onClick={() => props.onPick(i)}
            >
              <div class="ai-text">{s.text}</div>
              <div class="ai-meta small">
                <span class="ai-badge">{s.origin === "model" ? "AI model" : "From knowledge"}</span>
                <span class="muted">{Math.round(s.confidence * 100)}% confident</span>
                {s.sources.map((src) => (
                  <SourceLabel key={src.item_id} title={src.title} url={src.url} kind={src.kind} />
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      {d.fallback_reason && <div class="ai-fallback small">The AI model's answer was not used: {d.fallback_reason}.</div>}
      {d.retrieval === "bm25" && <div class="muted small">Keyword search only (the embedding model is not installed on this server).</div>}
    </div>
  );
}

const KIND_LABEL: Record<string, string> = { article: "Article", qa: "Q&A", page: "Web page", shortcut: "Shortcut", past_answer: "Past answer" };

function SourceLabel(props: { title: string; url: string | null; kind: string }) {
  const href = safeHttpUrl(props.url);
  return (
    <span class="ai-source">
      <span class="ai-kind">{KIND_LABEL[props.kind] ?? props.kind}</span>{" "}
      {href ? (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {props.title}
        </a>
      ) : (
        <span>{props.title}</span>
      )}
    </span>
  );
}

export function DiffView(props: { parts: DiffPart[] }) {
  return (
    <div class="ai-diff" aria-label="Changes">
      {props.parts.map((p, i) =>
        p.op === "equal" ? (
          <span key={i}>{p.text}</span>
        ) : p.op === "delete" ? (
          <del key={i} aria-label={`removed: ${p.text}`}>
            {p.text}
          </del>
        ) : (
          <ins key={i} aria-label={`added: ${p.text}`}>
            {p.text}
          </ins>
        ),
      )}
    </div>
  );
}
