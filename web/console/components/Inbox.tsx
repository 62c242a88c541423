import { callsByConversation } from "../calls";
import { useEffect, useState } from "preact/hooks";
import { acceptConversation, loadBox } from "../actions";
import { api, errorText } from "../api";
import { linkClick, navigate, paths } from "../router";
import {
  autoPounceAlert,
  boxes,
  companyName,
  conversations,
  conversationTitle,
  me,
  repName,
  repWindowEnds,
  segmentOf,
  unread,
  upsertConversations,
  visitors,
  waitingTransfer,
  type Box,
} from "../store";
import type { ConversationList, ConversationSummary, OfflineMessage, OfflineMessageList } from "../types";
import { formatAgo, formatDateTime, now } from "../time";
import { IconFilter, IconInbox, IconMail } from "../icons";
import { MyInvitations } from "./Engage";
import { TodayPanel } from "./Today";
import { Avatar, Countdown, EmptyState, pathOf, plainSnippet, TimeLeft } from "./ui";

type Tab = Box | "offline";
const BOX_LABEL: Record<Tab, string> = { incoming: "Incoming", active: "Active", recent: "Recent", offline: "Offline messages" };
const BOX_HINT: Record<Tab, string> = {
  incoming: "Visitors waiting for a rep. The first rep to accept takes the chat.",
  active: "Your conversations in progress.",
  recent: "Ended, timed out and missed conversations.",
  offline: "What visitors left while nobody routed to them was available.",
};

export function Inbox(props: { box: Tab }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // The boxes come from the server once, then stay live through conversation.updated events.
    Promise.all((["incoming", "active", "recent"] as Box[]).map((b) => loadBox(b))).catch((err) => setError(errorText(err)));
  }, []);
  const b = boxes.value;
  return (
    <div class="inbox-layout">
      <div class="inbox">
        <div class="tabs" role="tablist" aria-label="Inbox">
          {(["incoming", "active", "recent", "offline"] as Tab[]).map((box) => (
            <a
              key={box}
              role="tab"
              href={paths.inbox(box)}
              onClick={linkClick}
              aria-selected={props.box === box}
              class={`tab ${props.box === box ? "active" : ""} tab-${box}`}
              aria-label={box === "offline" ? BOX_LABEL[box] : `${BOX_LABEL[box]} (${b[box].length})`}
            >
              {box === "offline" && <IconMail size={14} />}
              {BOX_LABEL[box]}
              {box !== "offline" && <span class={`count ${box === "incoming" && b.incoming.length ? "hot" : ""}`}>{b[box].length}</span>}
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
          {props.box === "offline" ? <OfflineMessages /> : props.box === "recent" ? <RecentBox /> : <BoxList box={props.box} list={b[props.box]} />}
        </div>
      </div>
      <aside class="inbox-side" aria-label="Your day">
        <TodayPanel />
        <section class="panel side-panel" aria-labelledby="inv-title">
          <div class="panel-head">
            <h2 id="inv-title">My invitations</h2>
          </div>
          <MyInvitations limit={8} />
        </section>
      </aside>
    </div>
  );
}

function BoxList(props: { box: Box; list: ConversationSummary[]; filtered?: boolean }) {
  const { box, list } = props;
  if (list.length === 0) {
    return (
      <EmptyState
        title={props.filtered ? "No conversations match" : box === "incoming" ? "No one is waiting" : box === "active" ? "No active conversations" : "Nothing recent"}
        icon={<IconInbox size={28} />}
      >
        {props.filtered ? "Try another tag or search." : box === "incoming" ? "New inbound chats appear here (and on the live stream) with a timer." : null}
      </EmptyState>
    );
  }
  return (
    <ul class="conv-list" aria-label={`${BOX_LABEL[box]} conversations`}>
      {list.map((c) => (
        <ConversationRow key={c.id} conv={c} box={box} />
      ))}
    </ul>
  );
}

// Recent, with filters: qualified or not, a tag, and a search of notes, tags, names, emails.
function RecentBox() {
  const [qualified, setQualified] = useState<"" | "true" | "false">("");
  const [tag, setTag] = useState("");
  const [q, setQ] = useState("");
  const [ids, setIds] = useState<string[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const filtering = !!(qualified || tag.trim() || q.trim());
  useEffect(() => {
    if (!filtering) {
      setIds(null);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      const params = new URLSearchParams({ box: "recent" });
      if (qualified) params.set("qualified", qualified);
      if (tag.trim()) params.set("tag", tag.trim().toLowerCase());
      if (q.trim()) params.set("q", q.trim());
      setLoading(true);
      api<ConversationList>("GET", `/api/conversations?${params}`, undefined, { signal: ctl.signal })
        .then((res) => {
          upsertConversations(res.conversations ?? []);
          setIds((res.conversations ?? []).map((c) => c.id));
          setError(null);
        })
        .catch((err) => (err as Error).name !== "AbortError" && setError(errorText(err)))
        .finally(() => setLoading(false));
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [qualified, tag, q]);
  const list = ids ? ids.map((id) => conversations.value.get(id)).filter((c): c is ConversationSummary => !!c) : boxes.value.recent;
  return (
    <>
      <form class="filters" role="search" aria-label="Filter recent conversations" onSubmit={(e) => e.preventDefault()}>
        <IconFilter size={14} />
        <label class="filter">
          <span class="sr-only">Qualified</span>
          <select class="input input-sm" aria-label="Qualified" value={qualified} onChange={(e) => setQualified((e.target as HTMLSelectElement).value as "" | "true" | "false")}>
            <option value="">Qualified or not</option>
            <option value="true">Qualified</option>
            <option value="false">Not qualified</option>
          </select>
        </label>
        <input class="input input-sm" aria-label="Tag" placeholder="Tag" value={tag} onInput={(e) => setTag((e.target as HTMLInputElement).value)} />
        <input type="search" class="input input-sm grow" aria-label="Search recent conversations" placeholder="Search notes, tags, names, emails" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        {filtering && (
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() => {
              setQualified("");
              setTag("");
              setQ("");
            }}
          >
            Clear
          </button>
        )}
        {loading && <span class="muted small">Searching…</span>}
      </form>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <BoxList box="recent" list={list} filtered={filtering} />
    </>
  );
}

function OfflineMessages() {
  const [list, setList] = useState<OfflineMessage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<OfflineMessageList>("GET", "/api/offline-messages")
      .then((d) => setList(d.offline_messages ?? []))
      .catch((err) => setError(errorText(err)));
  }, []);
  if (error)
    return (
      <div class="form-error" role="alert">
        {error}
      </div>
    );
  if (!list) return <div class="muted">Loading…</div>;
  if (!list.length)
    return (
      <EmptyState title="No offline messages" icon={<IconMail size={28} />}>
        When nobody routed to a visitor is available, the messenger offers a form; what they leave shows up here.
      </EmptyState>
    );
  return (
    <ul class="offline-list" aria-label="Offline messages">
      {list.map((m) => (
        <li key={m.id} class="offline-item">
          <Avatar name={m.name || m.email || "?"} id={m.visitor_id ?? m.id} size={32} />
          <div class="grow">
            <div class="offline-who">
              <strong>{m.name || "No name given"}</strong>
              {m.email && (
                <a href={`mailto:${m.email}`} class="muted">
                  {m.email}
                </a>
              )}
              <span class="muted small" title={m.created_at}>
                {formatDateTime(m.created_at)}
              </span>
            </div>
            <div class="offline-body">{m.body}</div>
            <div class="offline-status small">
              <EmailStatus m={m} />
              {m.visitor_id && (
                <a class="link-btn" href={paths.visitor(m.visitor_id)} onClick={linkClick}>
                  Visitor 360
                </a>
              )}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

// What happened to the email for reps, in their words (the server words it); an admin also
// sees what to configure. Never the server's raw error text in a chip.
function EmailStatus(props: { m: OfflineMessage }) {
  const { m } = props;
  const status = m.email_status ?? (m.emailed_at ? "emailed" : "sending");
  const chip = status === "emailed" ? "chip-active" : status === "sending" ? "chip-ended" : "chip-missed";
  const label = status === "emailed" ? "Emailed" : status === "sending" ? "Emailing…" : "Not emailed";
  // the chip already says "Not emailed": the note goes on with the reason, as a sentence
  const rest = (m.email_note ?? "").replace(/^Not emailed: /, "");
  const note = rest.charAt(0).toUpperCase() + rest.slice(1);
  return (
    <div class="email-status" data-email-status={status}>
      <span class={`status-chip ${chip}`}>{label}</span>
      {note && <span class="email-note">{note}</span>}
      {m.email_admin_hint && (
        <div class="email-admin-hint" role="note">
          <strong>For admins:</strong> {m.email_admin_hint}
        </div>
      )}
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
  const call = callsByConversation.value.get(c.id);
  // A visitor waiting for the rep to allow their call: the row pulses green (product docs).
  const callWaiting = !!call && call.initiated_by === "visitor" && call.state === "requested";
  const onCall = !!call && (call.state === "connecting" || call.state === "active");
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
      class={`conv-row status-${c.status} ${props.selected ? "selected" : ""} ${n ? "unread" : ""} ${props.compact ? "compact" : ""} ${callWaiting ? "call-waiting" : ""} ${onCall ? "on-call" : ""}`}
      data-conversation-id={c.id}
      aria-label={`${title}${company && company !== title ? `, ${company}` : ""}, ${statusText(c)}${callWaiting ? ", wants a call" : onCall ? ", on a call" : ""}`}
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
          <span class="conv-name" title={title}>
            {title}
          </span>
          {company && company !== title && (
            <span class="conv-company" title={company}>
              {company}
            </span>
          )}
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
            <ClassificationChips conv={c} />
          </div>
        )}
        <div class="conv-last">
          {last ? (
            <>
              {last.author_kind !== "visitor" && (
                <span class="muted">{last.author_kind === "rep" && last.author_rep_id === me.value?.id ? "You: " : `${last.author_name ?? last.author_kind}: `}</span>
              )}
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
          {autoPounceAlert(c) && c.owner_rep_id === me.value?.id && (
            <span class="flag flag-auto" title="The visitor replied to your auto pounce: answer before the timer runs out">
              {!props.compact && "Replied · "}
              <TimeLeft until={autoPounceAlert(c)!.timeoutAt} label="left to respond" />
            </span>
          )}
          {waitingTransfer(c, me.value?.id) && <span class="flag flag-transfer">{props.compact ? "Waiting" : "Visitor waiting"}</span>}
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

function ClassificationChips(props: { conv: ConversationSummary }) {
  const cl = props.conv.classification;
  if (!cl) return null;
  return (
    <>
      {cl.qualified === true && <span class="chip chip-yes">Qualified</span>}
      {cl.qualified === false && <span class="chip chip-no">Not qualified</span>}
      {(cl.tags ?? []).slice(0, 3).map((t) => (
        <span class="chip" key={t}>
          {t}
        </span>
      ))}
      {cl.deal_value ? <span class="chip">${cl.deal_value.toLocaleString()}</span> : null}
    </>
  );
}
