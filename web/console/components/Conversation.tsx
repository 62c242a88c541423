import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { RatingNote } from "./Rating";
import { acceptConversation, endNow, loadConversation, pendingEnds, pounce, requestEnd, undoEnd } from "../actions";
import { errorText } from "../api";
import { navigate, paths } from "../router";
import { cleanHtml } from "../sanitize";
import { retryMessage, sendMessage } from "../socket";
import {
  autoPounceAlert,
  boxes,
  companyName,
  conversations,
  conversationTitle,
  me,
  pending,
  removePending,
  repName,
  repWindowEnds,
  transcripts,
  viewing,
  visitorLabel,
  visitors,
  visitorDrafts,
  visitorTyping,
} from "../store";
import type { ConversationSummary, Message, PendingMessage, VisitorCard } from "../types";
import { formatClock, formatDateTime, now, parseTime } from "../time";
import { IconArrowLeft, IconChat, IconLock, IconMail } from "../icons";
import { callsByConversation } from "../calls";
import { VideoBox } from "./VideoBox";
import { Composer } from "./Composer";
import { FileAttachment, messageFile } from "./Files";
import { AutoPounceBanner, ConversationMenu, TransferBanner, TransferButton } from "./ConversationTools";
import { openInvite } from "./Engage";
import { ConversationRow, statusText } from "./Inbox";
import { ActivityStatus, Avatar, Countdown, Elapsed, EmptyState, pathOf, useImageFallbacks } from "./ui";
import { Visitor360Panel } from "./Visitor360";


// The conversations workspace: open chats on the left, the conversation console in the middle,
// the Visitor 360 on the right. Reached from a conversation (/app/conversations/ID) or from a
// visitor card (/app/visitors/ID), which opens that visitor's open conversation if there is one.
export function ConversationsPage(props: { conversationId: string | null; visitorId: string | null }) {
  const convs = conversations.value;
  let conversationId = props.conversationId;
  let visitorId = props.visitorId;
  if (conversationId) {
    visitorId = convs.get(conversationId)?.visitor_id ?? null;
  } else if (visitorId) {
    conversationId = openConversationFor(visitorId, visitors.value.get(visitorId), convs)?.id ?? null;
  }
  return (
    <div class={conversationId || visitorId ? "workspace has-open" : "workspace"}>
      <ConversationRail selected={conversationId} />
      {conversationId || visitorId ? (
        <ConversationConsole key={conversationId ?? `v-${visitorId}`} conversationId={conversationId} visitorId={visitorId} />
      ) : (
        <div class="console console-empty">
          <EmptyState title="Pick a conversation" icon={<IconChat size={28} />}>
            Open a chat from the list, or click a visitor on the live stream to start one.
          </EmptyState>
        </div>
      )}
      {visitorId ? <Visitor360Panel key={visitorId} visitorId={visitorId} conversationId={conversationId} /> : <aside class="v360 v360-empty" aria-label="Visitor 360" />}
    </div>
  );
}

function openConversationFor(
  visitorId: string,
  card: VisitorCard | undefined,
  convs: ReadonlyMap<string, ConversationSummary>,
): ConversationSummary | null {
  if (card?.conversation_id) {
    const c = convs.get(card.conversation_id);
    if (!c || c.status === "incoming" || c.status === "active") return c ?? ({ id: card.conversation_id, visitor_id: visitorId, status: card.conversation_status ?? "active" } as ConversationSummary);
  }
  let best: ConversationSummary | null = null;
  for (const c of convs.values()) {
    if (c.visitor_id !== visitorId || (c.status !== "incoming" && c.status !== "active")) continue;
    if (!best || (parseTime(c.created_at) ?? 0) > (parseTime(best.created_at) ?? 0)) best = c;
  }
  return best;
}

// Each section's count is the same number the sidebar and the inbox tabs show for that box.
function ConversationRail(props: { selected: string | null }) {
  const b = boxes.value;
  return (
    <nav class="rail" aria-label="Conversations">
      {b.incoming.length > 0 && (
        <div class="rail-section" aria-label={`Waiting (${b.incoming.length})`} role="group">
          <div class="rail-title">
            Waiting <span class="count hot">{b.incoming.length}</span>
          </div>
          <ul class="conv-list compact">
            {b.incoming.map((c) => (
              <ConversationRow key={c.id} conv={c} box="incoming" compact selected={c.id === props.selected} />
            ))}
          </ul>
        </div>
      )}
      <div class="rail-section" aria-label={`Active (${b.active.length})`} role="group">
        <div class="rail-title">
          Active <span class="count">{b.active.length}</span>
        </div>
        {b.active.length === 0 ? (
          <div class="rail-empty">No active chats. Inbound chats and your conversations show up here.</div>
        ) : (
          <ul class="conv-list compact">
            {b.active.map((c) => (
              <ConversationRow key={c.id} conv={c} box="active" compact selected={c.id === props.selected} />
            ))}
          </ul>
        )}
      </div>
      <div class="rail-section" aria-label={`Recent (${b.recent.length})`} role="group">
        <div class="rail-title">
          Recent <span class="count">{b.recent.length}</span>
        </div>
        <ul class="conv-list compact">
          {b.recent.slice(0, 30).map((c) => (
            <ConversationRow key={c.id} conv={c} box="recent" compact selected={c.id === props.selected} />
          ))}
        </ul>
      </div>
    </nav>
  );
}

function ConversationConsole(props: { conversationId: string | null; visitorId: string | null }) {
  const { conversationId, visitorId } = props;
  const conv = conversationId ? conversations.value.get(conversationId) : undefined;
  const card = visitorId ? visitors.value.get(visitorId) : undefined;
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(!!conversationId);
  const [starting, setStarting] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    if (!conversationId) return;
    viewing.value = conversationId;
    let cancelled = false;
    setLoading(true);
    loadConversation(conversationId)
      .catch((err) => !cancelled && setLoadError(errorText(err)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      if (viewing.value === conversationId) viewing.value = null;
    };
  }, [conversationId]);

  const myId = me.value?.id;
  const title = conv ? conversationTitle(conv, card) : visitorLabel(card) || companyName(card) || "Anonymous visitor";
  const company = companyName(conv) ?? companyName(card);
  const status = conv?.status;
  const mine = status === "active" && conv?.owner_rep_id === myId;
  const ending = conv ? pendingEnds.value.get(conv.id) : undefined;

  return (
    <section class="console" aria-label={`Conversation with ${title}`}>
      <header class="console-head">
        <button type="button" class="icon-btn console-back" aria-label="Back to conversations" onClick={() => navigate(paths.conversations)}>
          <IconArrowLeft size={18} />
        </button>
        <Avatar name={title} id={visitorId ?? conversationId ?? ""} size={36} />
        <div class="console-who">
          <div class="console-title">
            <h2 title={title}>{title}</h2>
            {conv && <span class={`status-chip chip-${conv.status}`}>{statusText(conv)}</span>}
          </div>
          <div class="console-sub muted small">
            {company && company !== title && <span>{company}</span>}
            {card ? (
              <>
                <ActivityStatus activity={card.activity} />
                <span class="console-url" title={card.url ?? ""}>on {pathOf(card.url)}</span>
                <span>
                  <Elapsed since={card.visit_started_at} label="Time on site" /> on site
                </span>
              </>
            ) : (
              <span>Not on the site right now</span>
            )}
            {conv?.owner_rep_id && conv.owner_rep_id !== myId && <span>Owner: {repName(conv.owner_rep_id) ?? conv.owner_name ?? "another rep"}</span>}
          </div>
        </div>
        <div class="console-actions">
          {status === "incoming" && (
            <>
              <Countdown until={repWindowEnds(conv)} since={conv?.created_at} />
              <AcceptButton id={conv!.id} title={title} />
            </>
          )}
          {conv && status === "active" && (mine || me.value?.role === "admin") && (
            <span class="head-tools">
              <TransferButton conv={conv} title={title} />
            </span>
          )}
          {mine && !ending && (
            <button type="button" class="btn btn-danger-ghost" aria-label="End chat" aria-keyshortcuts="Alt+E" title="End chat (Alt+E)" onClick={() => requestEnd(conv!.id, title)}>
              End chat
            </button>
          )}
          {visitorId && <ConversationMenu visitorId={visitorId} title={title} />}
        </div>
      </header>
      {conv && (mine || callsByConversation.value.has(conv.id)) && (
        <VideoBox conversationId={conv.id} visitorName={title} canCall={mine} />
      )}
      {conv && mine && <TransferBanner conv={conv} title={title} />}

      {conversationId ? (
        <>
          {loadError && (
            <div class="form-error" role="alert">
              Couldn't load this conversation: {loadError}
            </div>
          )}
          <Transcript conversationId={conversationId} loading={loading} visitorName={title} />
          {conv && ending !== undefined && <EndingBar id={conv.id} at={ending} />}
          {conv && mine && autoPounceAlert(conv) && (
            <div class="console-alert">
              <AutoPounceBanner conv={conv} title={title} />
            </div>
          )}
          {conv && conv.status === "active" && mine ? (
            <Composer key={conversationId} onSend={(body) => sendMessage(conversationId, body)} conversationId={conversationId} />
          ) : conv && conv.status === "incoming" ? (
            <div class="composer-bar">
              <span>This visitor is waiting for a rep. Accept the chat to reply.</span>
              <AcceptButton id={conv.id} title={title} />
            </div>
          ) : conv && conv.status === "active" ? (
            <div class="composer-bar">{repName(conv.owner_rep_id) ?? conv.owner_name ?? "Another rep"} is handling this conversation.</div>
          ) : (
            <div class="composer-bar">
              <span>This conversation has {conv?.status === "missed" ? "been missed" : "ended"}.</span>
              <RatingNote rating={conv?.meta?.csat} />
              {card && card.conversation_status !== "incoming" && card.conversation_status !== "active" && visitorId && (
                <button type="button" class="btn btn-secondary btn-sm" onClick={() => navigate(paths.visitor(visitorId))}>
                  Start a new conversation
                </button>
              )}
            </div>
          )}
        </>
      ) : visitorId ? (
        starting ? (
          <>
            <div class="transcript">
              <div class="transcript-intro muted">Your first message starts the conversation. The visitor sees it in the messenger on {pathOf(card?.url) || "the site"}.</div>
              {refusal && (
                <div class="notice" role="alert">
                  {refusal}
                </div>
              )}
            </div>
            <Composer
              autoFocus
              placeholder={`Write your opening message to ${title}… (type / for shortcuts)`}
              sendLabel="Send first message"
              onSend={async (body) => {
                setRefusal(null);
                const r = await pounce(visitorId, body);
                if (!r.ok) {
                  setRefusal(r.status === 409 ? `You can't engage this visitor right now: ${r.message}.` : r.message);
                  return false;
                }
                navigate(paths.conversation(r.value), { replace: true });
                return true;
              }}
              conversationId={null}
              visitorId={visitorId}
            />
          </>
        ) : (
          <div class="start-convo">
            <EmptyState title={card ? "No conversation yet" : "This visitor has left"} icon={<IconChat size={28} />}>
              {card ? "Say hello: a personal first message works best." : "You can read their history in the Visitor 360."}
            </EmptyState>
            {card && (
              <div class="start-actions">
                <button type="button" class="btn btn-primary" onClick={() => setStarting(true)}>
                  Start a conversation
                </button>
                <button type="button" class="btn btn-secondary" onClick={() => openInvite(visitorId)}>
                  <IconMail size={14} /> Invite to live chat
                </button>
              </div>
            )}
          </div>
        )
      ) : null}
    </section>
  );
}

// The few seconds in which "End chat" can be taken back.
function EndingBar(props: { id: string; at: number }) {
  void now.value; // re-render on the shared 1 s tick; the deadline is in this browser's clock
  const left = Math.max(0, Math.ceil((props.at - Date.now()) / 1000));
  return (
    <div class="ending-bar" role="alert" aria-label="Ending this chat">
      <span>
        Ending this chat in <strong>{left} s</strong>: the visitor will see that it has ended.
      </span>
      <button type="button" class="btn btn-secondary btn-sm" onClick={() => undoEnd(props.id)}>
        Undo
      </button>
      <button type="button" class="btn btn-danger-ghost btn-sm" onClick={() => void endNow(props.id)}>
        End now
      </button>
    </div>
  );
}

function AcceptButton(props: { id: string; title: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-accept"
      aria-label={`Accept chat with ${props.title}`}
      aria-keyshortcuts="Alt+A"
      title="Accept (Alt+A)"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        await acceptConversation(props.id);
        setBusy(false);
      }}
    >
      {busy ? "Accepting…" : "Accept"}
    </button>
  );
}

type Row = { kind: "message"; m: Message } | { kind: "pending"; p: PendingMessage };

function Transcript(props: { conversationId: string; loading: boolean; visitorName: string }) {
  const { conversationId } = props;
  const messages = transcripts.value.get(conversationId) ?? [];
  const mine = useMemo(() => [...pending.value.values()].filter((p) => p.conversation_id === conversationId), [pending.value, conversationId]);
  const typingUntil = visitorTyping.value.get(conversationId) ?? 0;
  const typing = typingUntil > Date.now() && now.value < typingUntil + 1000;
  // Sneak peek: what the visitor has typed and not sent yet (not stored anywhere).
  const peek = visitorDrafts.value.get(conversationId);
  const draft = peek && now.value < peek.at + 60_000 ? peek.text : undefined;
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const rows: Row[] = [...messages.map((m) => ({ kind: "message" as const, m })), ...mine.map((p) => ({ kind: "pending" as const, p }))];

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [rows.length, typing, draft]);

  return (
    <div
      class="transcript"
      ref={scroller}
      role="log"
      aria-label="Transcript"
      aria-live="polite"
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      {props.loading && !messages.length && <div class="transcript-intro muted">Loading the transcript…</div>}
      {!props.loading && !rows.length && <div class="transcript-intro muted">No messages yet.</div>}
      {rows.map((r, i) => {
        const prev = rows[i - 1];
        if (r.kind === "pending") return <PendingBubble key={`p-${r.p.client_id}`} p={r.p} />;
        const m = r.m;
        const prevMsg = prev?.kind === "message" ? prev.m : null;
        const grouped =
          !!prevMsg &&
          prevMsg.author_kind === m.author_kind &&
          prevMsg.author_name === m.author_name &&
          (parseTime(m.created_at) ?? 0) - (parseTime(prevMsg.created_at) ?? 0) < 5 * 60_000;
        return <MessageBubble key={m.id ?? `s-${m.seq}`} m={m} grouped={grouped} />;
      })}
      {(typing || draft) && (
        <div class="typing" role="status" aria-label={`${props.visitorName} is typing`}>
          <span class="typing-dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {draft ? (
            <span class="draft-peek">
              {props.visitorName} is typing: <q>{draft}</q>
            </span>
          ) : (
            <>{props.visitorName} is typing…</>
          )}
        </div>
      )}
    </div>
  );
}

function MessageBubble(props: { m: Message; grouped: boolean }) {
  const { m } = props;
  const html = useMemo(() => (m.html ? cleanHtml(m.html) : null), [m.html]);
  const bubbleRef = useRef<HTMLDivElement>(null);
  useImageFallbacks(bubbleRef, html);
  const meta = (m.meta ?? {}) as Record<string, unknown>;
  const auto = !!meta.auto_pounce;
  const file = messageFile(m);
  if (m.author_kind === "system" && m.internal) {
    // Rep-only notes (a transfer note, a missed response): never shown to the visitor.
    return (
      <div class="msg-note" data-seq={m.seq} data-internal="true">
        <span class="note-tag">
          <IconLock size={11} /> Only reps see this
        </span>
        <span class="note-body">{m.body}</span>
        <time dateTime={m.created_at}>{formatClock(m.created_at)}</time>
      </div>
    );
  }
  if (m.author_kind === "system") {
    // A call's line (features/calls): its start in this rep's own time zone.
    const call = meta.call as { started_at?: string } | undefined;
    return (
      <div class={`msg-system ${call ? "msg-call" : ""}`} data-seq={m.seq}>
        <span>
          {m.body}
          {call?.started_at && <span class="call-start">Started {formatClock(call.started_at)}.</span>}
        </span>
        <time dateTime={m.created_at}>{formatClock(m.created_at)}</time>
      </div>
    );
  }
  const side = m.author_kind === "visitor" ? "left" : "right";
  const own = m.author_kind === "rep" && m.author_rep_id === me.value?.id;
  const author = m.author_name || (m.author_kind === "visitor" ? "Visitor" : m.author_kind === "bot" ? "Bot" : "Rep");
  return (
    <div
      class={`msg msg-${m.author_kind} msg-${side} ${own ? "own" : ""} ${m.internal ? "internal" : ""} ${auto ? "auto-pounce" : ""} ${props.grouped && !auto ? "grouped" : ""}`}
      data-seq={m.seq}
      data-author-kind={m.author_kind}
      data-auto-pounce={auto ? "true" : undefined}
    >
      {(!props.grouped || auto) && (
        <div class="msg-meta">
          <span class="msg-author">
            {author}
            {m.author_kind === "bot" && <span class="tag tag-bot">Bot</span>}
            {auto && (
              <span class="tag tag-auto" title="Written by AI on your behalf. Only reps see this label.">
                {meta.nudge ? "Auto pounce · nudge" : "Auto pounce"}
              </span>
            )}
            {m.internal && <span class="tag tag-internal">Internal note</span>}
          </span>
          <time dateTime={m.created_at} title={formatDateTime(m.created_at)}>
            {formatClock(m.created_at)}
          </time>
        </div>
      )}
      {file ? (
        <FileAttachment file={file} />
      ) : html !== null ? (
        <div class="bubble md" ref={bubbleRef} dangerouslySetInnerHTML={{ __html: html }} />
      ) : (
        <div class="bubble plain">{m.body}</div>
      )}
    </div>
  );
}

function PendingBubble(props: { p: PendingMessage }) {
  const { p } = props;
  return (
    <div class={`msg msg-rep msg-right own pending ${p.failed ? "failed" : ""}`} data-client-id={p.client_id}>
      <div class="bubble plain">{p.body}</div>
      <div class="msg-status" role="status">
        {p.failed ? (
          <>
            <span class="error-text">Not sent: {p.failed}</span>
            <button type="button" class="link-btn" onClick={() => retryMessage(p.client_id)}>
              Retry
            </button>
            <button type="button" class="link-btn" onClick={() => removePending(p.client_id)}>
              Discard
            </button>
          </>
        ) : (
          <span class="muted">Sending…</span>
        )}
      </div>
    </div>
  );
}
