import { signal } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import { invite, pounce } from "../actions";
import { api, errorText } from "../api";
import { loadTeams, teams } from "../data";
import { navigate, paths } from "../router";
import { cleanHtml } from "../sanitize";
import { companyName, invitations, me, segmentOf, visitorLabel, visitors } from "../store";
import type { Invitation, InvitationPreview, VisitorCard } from "../types";
import { formatAgo, now } from "../time";
import { IconAlert, IconChat, IconMail } from "../icons";
import { Composer } from "./Composer";
import { ActivityStatus, Avatar, Dialog, pathOf, useImageFallbacks } from "./ui";

// Engaging a visitor first: a pounce (the rep's first message starts the chat at once) or an
// invitation (a message with #variables#; the chat starts when the visitor replies).

export const engage = signal<{ kind: "pounce" | "invite"; visitorId: string } | null>(null);

export function openPounce(visitorId: string): void {
  engage.value = { kind: "pounce", visitorId };
}
export function openInvite(visitorId: string): void {
  engage.value = { kind: "invite", visitorId };
}

export function EngageHost() {
  const e = engage.value;
  if (!e) return null;
  const close = () => (engage.value = null);
  return e.kind === "pounce" ? <PounceDialog key={e.visitorId} visitorId={e.visitorId} onClose={close} /> : <InviteDialog key={e.visitorId} visitorId={e.visitorId} onClose={close} />;
}

function VisitorLine(props: { card: VisitorCard | undefined }) {
  const { card } = props;
  if (!card) return <span>This visitor has left the site.</span>;
  const seg = segmentOf(card);
  const company = companyName(card);
  const person = visitorLabel(card);
  return (
    <span class="visitor-line">
      {seg && (
        <span class="seg-pill" style={{ "--seg": seg.color ?? "#94a3b8" }}>
          {seg.name}
        </span>
      )}
      <strong>{company ?? "Unknown company"}</strong>
      {person && <span>· {person}</span>}
      <span>· on {pathOf(card.url)}</span>
      <ActivityStatus activity={card.activity} />
    </span>
  );
}

// A refusal from the server (409 and friends) said kindly, with the server's reason.
function Refusal(props: { status: number; message: string }) {
  const text =
    props.status === 409
      ? `You can't engage this visitor right now: ${props.message}.`
      : props.status === 403
        ? `${props.message.charAt(0).toUpperCase()}${props.message.slice(1)}: another rep is set to engage them.`
        : props.status === 404
          ? "This visitor is no longer on record."
          : props.message;
  return (
    <div class={props.status === 409 || props.status === 403 ? "notice" : "form-error"} role="alert">
      {text}
    </div>
  );
}

export function PounceDialog(props: { visitorId: string; onClose: () => void }) {
  const card = visitors.value.get(props.visitorId);
  const [refusal, setRefusal] = useState<{ status: number; message: string } | null>(null);
  const who = visitorLabel(card) ?? companyName(card) ?? "this visitor";
  return (
    <Dialog
      title="Start a conversation"
      subtitle={<VisitorLine card={card} />}
      size="md"
      class="pounce-dialog"
      onClose={props.onClose}
      footer={
        <div class="dialog-foot-split">
          <span class="muted small">Want them to reply first instead?</span>
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => openInvite(props.visitorId)}>
            <IconMail size={14} /> Send an invitation
          </button>
        </div>
      }
    >
      <p class="muted small">
        Your message pops up beside their chat launcher (or in the open messenger) and the chat is yours at once. A personal first line works best: mention what they are reading.
      </p>
      {refusal && <Refusal {...refusal} />}
      <Composer
        conversationId={null}
        visitorId={props.visitorId}
        autoFocus
        tools={false}
        sendLabel={`Send first message to ${who}`}
        placeholder={`Hi${companyName(card) ? ` ${companyName(card)} team` : ""}! …  (type / for shortcuts)`}
        class="composer-dialog"
        onSend={async (body) => {
          setRefusal(null);
          const r = await pounce(props.visitorId, body);
          if (!r.ok) {
            setRefusal({ status: r.status, message: r.message });
            return false;
          }
          props.onClose();
          navigate(paths.conversation(r.value));
          return true;
        }}
      />
    </Dialog>
  );
}

const VARIABLES: [string, string][] = [
  ["first_name", "First name"],
  ["name", "Name"],
  ["company", "Company"],
  ["email", "Email"],
  ["page_title", "Page title"],
  ["url", "Page URL"],
  ["city", "City"],
  ["country", "Country"],
  ["browser", "Browser"],
  ["rep_first_name", "Your first name"],
];

const DEFAULT_INVITATION = "Hi #first_name#! #rep_first_name# here. Anything I can help you with on #page_title#?";

type PreviewResult = InvitationPreview;

export const INVITATION_STATUS: Record<string, { label: string; hint: string }> = {
  pending: { label: "Sent", hint: "On its way to the visitor's screen." },
  shown: { label: "On screen", hint: "The visitor sees it now. It goes away 2 minutes after it was shown." },
  accepted: { label: "Accepted", hint: "The visitor replied: the chat is in your Active list." },
  expired: { label: "Expired", hint: "Not answered in time." },
};

export function InvitationChip(props: { inv: Invitation }) {
  const s = INVITATION_STATUS[props.inv.status] ?? { label: props.inv.status, hint: "" };
  return (
    <span class={`inv-chip inv-${props.inv.status}`} title={s.hint} data-status={props.inv.status}>
      {s.label}
    </span>
  );
}

export function InviteDialog(props: { visitorId: string; onClose: () => void }) {
  const card = visitors.value.get(props.visitorId);
  const [message, setMessage] = useState(DEFAULT_INVITATION);
  const [teamId, setTeamId] = useState<string>("");
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<{ status: number; message: string } | null>(null);
  const [sentId, setSentId] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const sent = sentId ? invitations.value.get(sentId) : undefined;

  useEffect(() => {
    void loadTeams().catch(() => null);
  }, []);

  // A live preview as the rep types: debounced, and only the newest answer counts.
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      api<PreviewResult>("POST", `/api/visitors/${encodeURIComponent(props.visitorId)}/invitations/preview`, { message }, { signal: ctl.signal })
        .then((res) => {
          setPreview(res);
          setPreviewError(null);
          setLoading(false);
        })
        .catch((err) => {
          if ((err as Error).name === "AbortError") return;
          setPreviewError(errorText(err));
          setLoading(false);
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [message, props.visitorId]);

  function insertVariable(name: string) {
    const el = area.current;
    const token = `#${name}#`;
    if (!el) {
      setMessage(message + token);
      return;
    }
    const start = el.selectionStart ?? message.length;
    const end = el.selectionEnd ?? start;
    const next = message.slice(0, start) + token + message.slice(end);
    setMessage(next);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  }

  const used = [...new Set([...message.matchAll(/#([a-z_]+)#/gi)].map((m) => m[1].toLowerCase()))];
  const empty = preview ? used.filter((v) => v in preview.variables && !preview.variables[v]) : [];
  const rep = me.value;

  async function send() {
    if (!message.trim() || sending) return;
    setSending(true);
    setRefusal(null);
    const r = await invite(props.visitorId, message, teamId || null);
    setSending(false);
    if (!r.ok) {
      setRefusal({ status: r.status, message: r.message });
      return;
    }
    setSentId(r.value.id);
  }

  if (sentId) {
    const status = sent?.status ?? "pending";
    const s = INVITATION_STATUS[status] ?? { label: status, hint: "" };
    return (
      <Dialog
        title="Invitation sent"
        subtitle={<VisitorLine card={card} />}
        size="md"
        onClose={props.onClose}
        footer={
          <>
            {status === "accepted" && sent?.conversation_id ? (
              <button
                type="button"
                class="btn btn-primary"
                onClick={() => {
                  props.onClose();
                  navigate(paths.conversation(sent.conversation_id!));
                }}
              >
                Open chat
              </button>
            ) : null}
            <button type="button" class="btn btn-secondary" onClick={props.onClose}>
              Done
            </button>
          </>
        }
      >
        <div class="inv-sent" role="status" aria-live="polite">
          <InvitationChip inv={sent ?? ({ id: sentId, status, visitor_id: props.visitorId, rep_id: rep?.id ?? "" } as Invitation)} />
          <span>{s.hint}</span>
        </div>
        <div class="inv-preview">
          <div class="muted small">What the visitor sees</div>
          <WidgetBubble html={preview?.html ?? ""} repName={rep?.name ?? ""} repId={rep?.id ?? ""} />
        </div>
        <p class="muted small">You can close this: the invitation's state stays on the visitor's card and in your Inbox.</p>
      </Dialog>
    );
  }

  const teamList = teams.value ?? [];
  return (
    <Dialog
      title="Invite to live chat"
      subtitle={<VisitorLine card={card} />}
      size="lg"
      class="invite-dialog"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-ghost" onClick={() => openPounce(props.visitorId)}>
            <IconChat size={14} /> Start a chat instead
          </button>
          <span class="grow" />
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" class="btn btn-primary" disabled={!message.trim() || sending || !preview?.message} onClick={() => void send()}>
            <IconMail size={14} /> {sending ? "Sending…" : "Send invitation"}
          </button>
        </>
      }
    >
      <div class="invite-grid">
        <div class="invite-edit">
          <label class="field">
            <span>Message</span>
            <textarea
              ref={area}
              class="input textarea"
              rows={5}
              maxLength={10000}
              value={message}
              autoFocus
              onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <div class="var-head muted small">Variables: click to insert. Values for this visitor are shown; empty ones are left out.</div>
          <div class="var-chips" role="group" aria-label="Insert a variable">
            {VARIABLES.map(([name, label]) => {
              const value = preview?.variables?.[name] ?? null;
              return (
                <button
                  key={name}
                  type="button"
                  class={`var-chip ${value ? "" : "empty"}`}
                  title={value ? `${label}: ${value}` : `${label}: unknown for this visitor (left out)`}
                  aria-label={`Insert #${name}#${value ? ` (${value})` : " (unknown for this visitor)"}`}
                  onClick={() => insertVariable(name)}
                >
                  <code>#{name}#</code>
                  <span class="var-val">{value ?? "—"}</span>
                </button>
              );
            })}
          </div>
          <label class="field">
            <span>Team</span>
            <select class="input" value={teamId} onChange={(e) => setTeamId((e.target as HTMLSelectElement).value)}>
              <option value="">No team</option>
              {teamList.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <div class="muted small">When the visitor replies, the chat comes to you, whatever your availability.</div>
        </div>
        <div class="invite-side">
          <div class="inv-preview-head">
            <span class="muted small">Live preview: what {visitorLabel(card) ?? "the visitor"} will see</span>
            {loading && <span class="muted small">Updating…</span>}
          </div>
          <WidgetBubble html={preview?.html ?? ""} repName={rep?.name ?? ""} repId={rep?.id ?? ""} />
          {previewError && (
            <div class="form-error" role="alert">
              Preview unavailable: {previewError}
            </div>
          )}
          {preview && preview.unknown.length > 0 && (
            <div class="notice warn-unknown" role="status">
              <IconAlert size={14} /> Unknown {preview.unknown.length === 1 ? "variable" : "variables"} {preview.unknown.map((u) => `#${u}#`).join(", ")}: {preview.unknown.length === 1 ? "it is" : "they are"} left out of the message. Check the spelling.
            </div>
          )}
          {empty.length > 0 && (
            <div class="muted small" role="status">
              No value for {empty.map((u) => `#${u}#`).join(", ")} for this visitor: left out.
            </div>
          )}
          {preview && !preview.message && message.trim() && (
            <div class="notice" role="status">
              Once its variables are filled in, this invitation is empty. Add some words of your own.
            </div>
          )}
          {refusal && <Refusal {...refusal} />}
        </div>
      </div>
    </Dialog>
  );
}

function WidgetBubble(props: { html: string; repName: string; repId: string }) {
  const body = useRef<HTMLDivElement>(null);
  useImageFallbacks(body, props.html); // a refused image says so here too, before it is sent
  return (
    <div class="widget-bubble">
      <div class="wb-head">
        <Avatar name={props.repName} id={props.repId} size={26} />
        <span>{props.repName}</span>
      </div>
      {props.html ? <div class="wb-body md" ref={body} dangerouslySetInnerHTML={{ __html: cleanHtml(props.html) }} /> : <div class="wb-body muted">Nothing to show yet.</div>}
    </div>
  );
}

// My invitations in this session, newest first, with their live state.
export function MyInvitations(props: { limit?: number }) {
  const list = [...invitations.value.values()]
    .filter((i) => i.rep_id === me.value?.id)
    .sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""))
    .slice(0, props.limit ?? 10);
  if (!list.length) return <div class="muted small">No invitations sent yet. Invite a visitor from their card (envelope icon) or the Visitor 360.</div>;
  return (
    <ul class="inv-list" aria-label="My invitations">
      {list.map((i) => {
        const card = visitors.value.get(i.visitor_id);
        const who = visitorLabel(card) ?? companyName(card) ?? "A visitor";
        return (
          <li key={i.id} data-invitation-id={i.id}>
            <InvitationChip inv={i} />
            <span class="grow clamp">
              {i.conversation_id ? (
                <a href={paths.conversation(i.conversation_id)} onClick={(e) => {
                    e.preventDefault();
                    navigate(paths.conversation(i.conversation_id!));
                  }}>
                  {who}
                </a>
              ) : (
                who
              )}
            </span>
            <span class="muted small">{formatAgo(i.created_at, now.value)}</span>
          </li>
        );
      })}
    </ul>
  );
}
