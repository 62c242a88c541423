import { useEffect, useState } from "preact/hooks";
import { acceptConversation, loadBox } from "../actions";
import { errorText } from "../api";
import { linkClick, navigate, paths } from "../router";
import {
  boxes,
  companyName,
  conversationTitle,
  me,
  repName,
  repWindowEnds,
  segmentOf,
  unread,
  visitors,
  type Box,
} from "../store";
import type { ConversationSummary } from "../types";
import { formatAgo, now } from "../time";
import { IconInbox } from "../icons";
import { Avatar, Countdown, EmptyState, pathOf, plainSnippet } from "./ui";

const BOX_LABEL: Record<Box, string> = { incoming: "Incoming", active: "Active", recent: "Recent" };
const BOX_HINT: Record<Box, string> = {
  incoming: "Visitors waiting for a rep. The first rep to accept takes the chat.",
  active: "Your conversations in progress.",
  recent: "Ended, timed out and missed conversations.",
};

export function Inbox(props: { box: Box }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // The boxes come from the server once, then stay live through conversation.updated events.
    Promise.all((["incoming", "active", "recent"] as Box[]).map((b) => loadBox(b))).catch((err) => setError(errorText(err)));
  }, []);
  const b = boxes.value;
  const list = b[props.box];
  return (
    <div class="inbox">
      <div class="tabs" role="tablist" aria-label="Inbox">
        {(["incoming", "active", "recent"] as Box[]).map((box) => (
          <a
            key={box}
            role="tab"
            href={paths.inbox(box)}
            onClick={linkClick}
            aria-selected={props.box === box}
            class={`tab ${props.box === box ? "active" : ""} tab-${box}`}
            aria-label={`${BOX_LABEL[box]} (${b[box].length})`}
          >
            {BOX_LABEL[box]}
            <span class={`count ${box === "incoming" && b.incoming.length ? "hot" : ""}`}>{b[box].length}</span>
          </a>
        ))}
      </div>
      <p class="muted small box-hint">{BOX_HINT[props.box]}</p>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div role="tabpanel" aria-label={BOX_LABEL[props.box]}>
        {list.length === 0 ? (
          <EmptyState title={props.box === "incoming" ? "No one is waiting" : props.box === "active" ? "No active conversations" : "Nothing recent"} icon={<IconInbox size={28} />}>
            {props.box === "incoming" ? "New inbound chats appear here (and on the live stream) with a timer." : null}
          </EmptyState>
        ) : (
          <ul class="conv-list" aria-label={`${BOX_LABEL[props.box]} conversations`}>
            {list.map((c) => (
              <ConversationRow key={c.id} conv={c} box={props.box} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

const ORIGIN_TEXT: Record<string, string> = {
  inbound: "Inbound",
  pounce: "Pounce",
  invitation: "Invitation",
  auto_pounce: "Auto pounce",
};

export function statusText(c: ConversationSummary): string {
  if (c.status === "incoming") return "Waiting";
  if (c.status === "active") return "Active";
  if (c.status === "missed") return "Missed";
  if (c.ended_reason === "timeout" || c.ended_reason === "timed_out" || c.ended_reason === "idle") return "Timed out";
  return "Ended";
}

export function ConversationRow(props: { conv: ConversationSummary; box: Box | null; compact?: boolean; selected?: boolean }) {
  const c = props.conv;
  const card = visitors.value.get(c.visitor_id);
  const title = conversationTitle(c, card);
  const company = companyName(c) ?? companyName(card);
  const n = unread.value.get(c.id) ?? 0;
  const [busy, setBusy] = useState(false);
  const last = c.last_message;
  const seg = card ? segmentOf(card) : null;
  const owner = c.owner_rep_id && c.owner_rep_id !== me.value?.id ? (repName(c.owner_rep_id) ?? c.owner_name ?? null) : null;
  const accept = async (e: Event) => {
    e.preventDefault();
    e.stopPropagation();
    if (busy) return;
    setBusy(true);
    const ok = await acceptConversation(c.id);
    setBusy(false);
    if (ok) navigate(paths.conversation(c.id));
  };
  return (
    <li
      class={`conv-row status-${c.status} ${props.selected ? "selected" : ""} ${n ? "unread" : ""} ${props.compact ? "compact" : ""}`}
      data-conversation-id={c.id}
      aria-label={`${title}${company && company !== title ? `, ${company}` : ""}, ${statusText(c)}`}
      tabIndex={c.status === "incoming" ? 0 : -1}
      onKeyDown={(e) => {
        if (c.status === "incoming" && (e.key === "a" || e.key === "A") && !e.altKey && !e.ctrlKey && !e.metaKey && e.target === e.currentTarget) void accept(e);
        if (e.key === "Enter" && e.target === e.currentTarget) navigate(paths.conversation(c.id));
      }}
    >
      <a class="card-link" href={paths.conversation(c.id)} onClick={linkClick} aria-label={`Open conversation with ${title}`} aria-current={props.selected ? "page" : undefined} />
      <Avatar name={title} id={c.visitor_id} size={props.compact ? 28 : 34} />
      <div class="conv-main">
        <div class="conv-line1">
          <span class="conv-name">{title}</span>
          {company && company !== title && <span class="conv-company">{company}</span>}
        </div>
        {!props.compact && (
          <div class="conv-meta">
            <span class={`origin origin-${c.origin ?? "inbound"}`}>{ORIGIN_TEXT[c.origin ?? ""] ?? "Chat"}</span>
            {seg && (
              <span class="conv-seg">
                <span class="seg-dot" style={{ background: seg.color ?? "#94a3b8" }} aria-hidden="true" />
                {seg.name}
              </span>
            )}
            <span>{card ? `on ${pathOf(card.url)}` : "left the site"}</span>
          </div>
        )}
        <div class="conv-last">
          {last ? (
            <>
              {last.author_kind !== "visitor" && <span class="muted">{last.author_kind === "rep" ? "You: " : `${last.author_name ?? last.author_kind}: `}</span>}
              {plainSnippet(last.body)}
            </>
          ) : (
            <span class="muted">No messages yet</span>
          )}
        </div>
      </div>
      <div class="conv-side">
        {c.status === "incoming" ? (
          <Countdown until={repWindowEnds(c)} since={c.created_at} />
        ) : (
          <span class="muted small" title={c.ended_at ?? c.created_at ?? ""}>
            {formatAgo(last?.created_at ?? c.ended_at ?? c.created_at, now.value)}
          </span>
        )}
        <div class="conv-badges">
          {n > 0 && (
            <span class="unread-badge" aria-label={`${n} unread`}>
              {n}
            </span>
          )}
          {props.box !== "incoming" && <span class={`status-chip chip-${c.status}`}>{statusText(c)}</span>}
          {owner && <span class="muted small">{owner}</span>}
          {c.status === "incoming" && (
            <button type="button" class="btn btn-accept btn-sm" onClick={accept} disabled={busy} aria-label={`Accept chat with ${title}`}>
              {busy ? "Accepting…" : "Accept"}
            </button>
          )}
        </div>
      </div>
    </li>
  );
}
