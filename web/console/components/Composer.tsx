import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { cleanHtml } from "../sanitize";
import { sendTyping } from "../socket";
import { IconCalendar, IconPaperclip, IconSend, IconSparkles, IconZap } from "../icons";
import { uploadFile } from "./Files";
import { useShortcutMenu } from "./ShortcutMenu";
import { BookerDialog } from "./Booker";
import { useCopilot, useTone } from "./Copilot";
import { copilotStatus, loadCopilotStatus } from "../data";
import { Kbd, NotYet, useImageFallbacks } from "./ui";
import type { Preview } from "../types";

export const MAX_BODY = 10_000;

// The message composer: Write / Preview (markdown rendered by the server), Enter sends,
// Shift+Enter is a new line, "/" opens shortcuts. Used for replies and for a first message.
export function Composer(props: {
  conversationId: string | null;
  // A first message (Pounce): shortcuts fill their {variables} for this visitor.
  visitorId?: string | null;
  onSend: (body: string) => unknown;
  placeholder?: string;
  autoFocus?: boolean;
  sendLabel?: string;
  tools?: boolean;
  class?: string;
}) {
  const [body, setBody] = useState("");
  const [tab, setTab] = useState<"write" | "preview">("write");
  const [preview, setPreview] = useState<{ html: string | null; error: string | null; loading: boolean }>({ html: null, error: null, loading: false });
  const [sending, setSending] = useState(false);
  const [booker, setBooker] = useState(false);
  // Files (docs/files.md): the picker, drag and drop onto the composer, or paste.
  const [upload, setUpload] = useState<{ busy: string | null; error: string | null }>({ busy: null, error: null });
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  async function sendFiles(list: FileList | File[] | null | undefined) {
    const chosen = Array.from(list ?? []);
    if (!conversationId || !chosen.length) return;
    for (const f of chosen) {
      setUpload({ busy: f.name || "image", error: null });
      try {
        await uploadFile(conversationId, f);
      } catch (err) {
        setUpload({ busy: null, error: `${f.name || "File"}: ${errorText(err)}` });
        return;
      }
    }
    setUpload({ busy: null, error: null });
  }
  const area = useRef<HTMLTextAreaElement>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  useImageFallbacks(previewRef, `${tab}:${preview.html ?? ""}`);
  const typingSent = useRef(0);
  const typingStop = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { conversationId } = props;
  const idBase = useId();
  // AI Copilot: Expand and Tune work on any text; Suggest answers a conversation's visitor
  // (before there is one it says there is no question yet).
  const copilotOff = copilotStatus.value?.enabled === false;
  const aiOn = props.tools !== false && !copilotOff;
  useEffect(() => {
    if (props.tools !== false) void loadCopilotStatus().catch(() => null);
  }, []);
  const [tone, setTone] = useTone(conversationId);
  const ai = useCopilot({ conversationId, value: body, setValue: setBody, textarea: area, tone });
  // Turned off by an admin while a preview is open: it closes (the server refuses it anyway).
  useEffect(() => {
    if (copilotOff && ai.open) ai.close();
  }, [copilotOff]);
  const sc = useShortcutMenu({
    value: body,
    setValue: setBody,
    textarea: area,
    conversationId,
    visitorId: props.visitorId ?? null,
    idBase,
    ai: aiOn ? { tone, setTone, onCommand: (cmd, text) => ai.run(cmd, text) } : null,
  });

  useEffect(() => {
    if (props.autoFocus !== false) area.current?.focus();
    return () => {
      if (typingStop.current) clearTimeout(typingStop.current);
      if (conversationId && typingSent.current) sendTyping(conversationId, false);
    };
  }, []);

  // Tell the visitor the rep is typing: at most one frame per 3 s while keys are pressed,
  // and a "stopped" frame 4 s after the last key.
  function noteTyping() {
    if (!conversationId) return;
    const t = Date.now();
    if (t - typingSent.current > 3000) {
      sendTyping(conversationId, true);
      typingSent.current = t;
    }
    if (typingStop.current) clearTimeout(typingStop.current);
    typingStop.current = setTimeout(stopTyping, 4000);
  }
  function stopTyping() {
    if (typingStop.current) clearTimeout(typingStop.current);
    typingStop.current = null;
    if (conversationId && typingSent.current) sendTyping(conversationId, false);
    typingSent.current = 0;
  }

  async function submit() {
    const text = body.trim();
    if (!text || text.length > MAX_BODY || sending) return;
    stopTyping();
    setSending(true);
    const result = await props.onSend(text);
    setSending(false);
    if (result !== false) {
      ai.clearMark();
      ai.close();
      setBody("");
      setTab("write");
      area.current?.focus();
    }
  }

  // Back from Preview, the rep keeps typing (and Enter sends) without reaching for the mouse.
  const firstTab = useRef(true);
  useLayoutEffect(() => {
    if (firstTab.current) {
      firstTab.current = false;
      return;
    }
    if (tab === "write") area.current?.focus();
  }, [tab]);

  useEffect(() => {
    if (tab !== "preview") return;
    const text = body.trim();
    if (!text) {
      setPreview({ html: null, error: null, loading: false });
      return;
    }
    const ctl = new AbortController();
    setPreview((p) => ({ ...p, loading: true, error: null }));
    api<Preview>("POST", "/api/markdown/preview", { body: text }, { signal: ctl.signal })
      .then((res) => setPreview({ html: cleanHtml(res.html ?? ""), error: null, loading: false }))
      .catch((err) => {
        if ((err as Error).name !== "AbortError") setPreview({ html: null, error: errorText(err), loading: false });
      });
    return () => ctl.abort();
  }, [tab, body]);

  const over = body.length > MAX_BODY;
  return (
    <form
      class={`composer ${props.class ?? ""} ${dragging ? "dropping" : ""}`}
      aria-label="Reply"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onDragOver={(e) => {
        if (!conversationId || !e.dataTransfer?.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        if (!conversationId || !e.dataTransfer?.files.length) return;
        e.preventDefault();
        setDragging(false);
        void sendFiles(e.dataTransfer.files);
      }}
    >
      {tab === "write" && !ai.open && sc.menu}
      {tab === "write" && ai.panel}
      <div class="composer-tabs" role="tablist" aria-label="Editor mode">
        <button type="button" role="tab" aria-selected={tab === "write"} class={`ctab ${tab === "write" ? "active" : ""}`} onClick={() => setTab("write")}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={tab === "preview"} class={`ctab ${tab === "preview" ? "active" : ""}`} onClick={() => setTab("preview")}>
          Preview
        </button>
        <span class="composer-hint muted small">
          <Kbd>Enter</Kbd> send · <Kbd>Shift</Kbd>+<Kbd>Enter</Kbd> new line · <Kbd>/</Kbd> shortcuts{aiOn ? " & AI" : ""} · Markdown
        </span>
      </div>
      {tab === "write" && ai.aiMarked && (
        <div class="ai-mark" role="status" data-testid="ai-mark">
          <IconSparkles size={12} /> AI text: check it and edit before sending.
        </div>
      )}
      {tab === "write" ? (
        <textarea
          ref={area}
          class={`composer-input ${ai.aiMarked ? "is-ai" : ""}`}
          aria-label="Message"
          data-ai-text={ai.aiMarked ? "true" : undefined}
          placeholder={props.placeholder ?? "Write a reply… (type / for shortcuts)"}
          value={body}
          rows={3}
          {...sc.ariaProps}
          onInput={(e) => {
            setBody((e.target as HTMLTextAreaElement).value);
            ai.clearMark(); // edited by the rep: no longer the AI's text
            sc.onCaretMove();
            noteTyping();
          }}
          onKeyUp={(e) => {
            if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") sc.onCaretMove();
          }}
          onClick={sc.onCaretMove}
          onPaste={(e) => {
            const pasted = e.clipboardData?.files;
            if (conversationId && pasted && pasted.length) {
              e.preventDefault();
              void sendFiles(pasted);
            }
          }}
          onKeyDown={(e) => {
            if (ai.onKeyDown(e)) return;
            if (sc.onKeyDown(e)) return;
            if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
        />
      ) : (
        <div class="composer-preview md" aria-label="Message preview" role="region">
          {preview.loading && !preview.html ? (
            <span class="muted">Rendering…</span>
          ) : preview.error ? (
            <span class="error-text">Preview unavailable: {preview.error}</span>
          ) : preview.html ? (
            <div ref={previewRef} dangerouslySetInnerHTML={{ __html: preview.html }} />
          ) : (
            <span class="muted">Nothing to preview yet.</span>
          )}
        </div>
      )}
      {booker && conversationId && <BookerDialog conversationId={conversationId} onClose={() => setBooker(false)} />}
      {(upload.busy || upload.error) && (
        <div class={`upload-status small ${upload.error ? "error-text" : "muted"}`} role={upload.error ? "alert" : "status"}>
          {upload.error ?? `Sending ${upload.busy}…`}
        </div>
      )}
      <div class="composer-foot">
        <div class="composer-tools">
          {conversationId && (
            <>
              <input
                ref={picker}
                type="file"
                multiple
                hidden
                aria-hidden="true"
                tabIndex={-1}
                onChange={(e) => {
                  const input = e.target as HTMLInputElement;
                  void sendFiles(input.files).finally(() => (input.value = ""));
                }}
              />
              <button type="button" class="icon-btn tool-icon" aria-label="Attach a file" title="Attach a file (or drop or paste one here)" disabled={!!upload.busy} onClick={() => picker.current?.click()}>
                <IconPaperclip size={15} />
              </button>
            </>
          )}
          <button
            type="button"
            class="tool-btn"
            aria-label="Insert a shortcut"
            title="Shortcuts (type /)"
            onClick={() => {
              setTab("write");
              requestAnimationFrame(sc.openMenu);
            }}
          >
            <IconZap size={14} /> Shortcuts
          </button>
          {props.tools !== false && (
            <>
              {conversationId ? (
                <button type="button" class="icon-btn tool-icon" aria-label="Offer the meeting booker" title="Offer the meeting booker" onClick={() => setBooker(true)}>
                  <IconCalendar size={15} />
                </button>
              ) : (
                <NotYet label="Offer the meeting booker (start the chat first)" class="tool-icon">
                  <IconCalendar size={15} />
                </NotYet>
              )}
              <span class="tool-sep" aria-hidden="true" />
              {aiOn ? (
                <>
              <button type="button" class="tool-btn" title="AI Suggest (/suggest)" onClick={() => { setTab("write"); ai.run("suggest"); }}>
                <IconSparkles size={14} /> Suggest
              </button>
              <button type="button" class="tool-btn" title="AI Expand your notes (/expand)" onClick={() => { setTab("write"); ai.run("expand"); }}>
                Expand
              </button>
              <button type="button" class="tool-btn" title="AI Tune grammar and tone (/tune)" onClick={() => { setTab("write"); ai.run("tune"); }}>
                Tune
              </button>
                </>
              ) : (
                <>
                  <NotYet label="AI Suggest" reason="Turned off for your org by an admin" class="tool-text">
                    <IconSparkles size={14} /> Suggest
                  </NotYet>
                  <NotYet label="AI Expand" reason="Turned off for your org by an admin" class="tool-text">
                    Expand
                  </NotYet>
                  <NotYet label="AI Tune" reason="Turned off for your org by an admin" class="tool-text">
                    Tune
                  </NotYet>
                </>
              )}
            </>
          )}
        </div>
        <span class={`small ${over ? "error-text" : "muted"}`}>{body.length > MAX_BODY - 1000 ? `${body.length.toLocaleString()} / ${MAX_BODY.toLocaleString()}` : ""}</span>
        <button type="submit" class="btn btn-primary" aria-label={props.sendLabel ?? "Send message"} aria-keyshortcuts="Enter" disabled={!body.trim() || over || sending}>
          <IconSend size={14} /> {sending ? "Sending…" : "Send"}
        </button>
      </div>
    </form>
  );
}
