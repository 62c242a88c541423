import { batch, computed, effect, signal } from "@preact/signals";
import type {
  BatchEvent,
  ConversationSummary,
  Invitation,
  Message,
  Org,
  PendingMessage,
  Rep,
  Segment,
  Snapshot,
  Transfer,
  VisitorCard,
} from "./types";
import { noteServerTime, parseTime } from "./time";
import { applyCopilotChanged } from "./data";

// The console's whole state. Collections are immutable Maps held in signals: a socket batch
// builds the next Map once and writes it once, so 50 coalesced visitor updates cost one
// notification, and memoised cards whose object did not change skip rendering.

export const me = signal<Rep | null>(null);
// Admins and team leads read every rep's reports (any rep or team filter) and Account 360
// across the org; a lead stays out of the admin pages (docs/reports.md, "Who sees what").
export const seesEveryRep = (rep: Rep | null = me.value): boolean => rep?.role === "admin" || rep?.role === "lead";
export const org = signal<Org | null>(null);
export const signInNotice = signal<string | null>(null);

export const visitors = signal<ReadonlyMap<string, VisitorCard>>(new Map());
export const conversations = signal<ReadonlyMap<string, ConversationSummary>>(new Map());
export const segments = signal<Segment[]>([]);
export const reps = signal<ReadonlyMap<string, Rep>>(new Map());
export const transcripts = signal<ReadonlyMap<string, Message[]>>(new Map());
export const pending = signal<ReadonlyMap<string, PendingMessage>>(new Map());
// conversation id -> time (ms) the visitor's typing indicator expires
export const visitorTyping = signal<ReadonlyMap<string, number>>(new Map());
// conversation id -> what the visitor has typed and not sent (sneak peek, when the org has it on)
// (with when it came: a draft nobody touched for a minute is no longer shown)
export const visitorDrafts = signal<ReadonlyMap<string, { text: string; at: number }>>(new Map());
export const connection = signal<"connecting" | "live" | "reconnecting">("connecting");
export const snapshotReady = signal(false);
// conversation id -> unread count (new inbound chat, visitor replies)
export const unread = signal<ReadonlyMap<string, number>>(new Map());
// the conversation on screen, if any (its replies are read as they arrive)
export const viewing = signal<string | null>(null);
export const hideIdle = signal(true);
// Bumped when something that the proactive counts (Today panel) count may have changed arrives:
// an auto pounce resolved or missed, an invitation answered. The panel reloads then, so it never
// says "Missed 0" next to a missed response on screen.
export const reportsStale = signal(0);
// Chats this console is transferring right now: the server's update must not read as "someone
// moved my chat" (the transfer control already says what happened).
export const ownTransfers = new Set<string>();
// Invitations I sent in this session, kept current by `invitation.updated` events.
export const invitations = signal<ReadonlyMap<string, Invitation>>(new Map());

export interface Toast {
  id: number;
  text: string;
  kind: "info" | "error" | "success";
  action?: { label: string; run: () => void };
}
export const toasts = signal<Toast[]>([]);
let toastSeq = 0;
export function pushToast(text: string, kind: Toast["kind"] = "info", ms = 5000, action?: Toast["action"]): number {
  const same = toasts.value.find((t) => t.text === text);
  if (same) return same.id; // the same news once is enough
  const t = { id: ++toastSeq, text, kind, action };
  toasts.value = [...toasts.value, t].slice(-4);
  setTimeout(() => dismissToast(t.id), ms);
  return t.id;
}
export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}

// Side effects the notification module plugs in (kept out of here so the store stays pure data).
export const hooks = {
  newIncoming(_c: ConversationSummary, _quiet: boolean): void {},
  visitorMessage(_m: Message, _c: ConversationSummary | undefined): void {},
  // A chat I owned now belongs to someone else (I or an admin transferred it).
  transferredAway(_c: ConversationSummary): void {},
  // A colleague handed me a chat: the visitor is waiting.
  transferredToMe(_c: ConversationSummary): void {},
  // A visitor answered an auto pounce sent on my behalf.
  autoPounceReply(_c: ConversationSummary): void {},
};

// ---------------------------------------------------------------------------------------------
// Conversation meta the server keeps: transfers and auto pounce replies

// The server's typed record (conversations/meta.py, generated into ../generated/openapi.ts).
export type TransferMeta = Transfer;

export function transferOf(c: ConversationSummary | undefined | null): TransferMeta | null {
  return c?.meta?.transfer ?? null;
}

// A chat handed to me that I have not answered yet.
export function waitingTransfer(c: ConversationSummary | undefined | null, myId: string | undefined): TransferMeta | null {
  const t = transferOf(c);
  if (!c || !t || !t.waiting || c.status !== "active" || !myId) return null;
  return c.owner_rep_id === myId && (t.to_rep_id ?? myId) === myId ? t : null;
}

export interface AutoPounceAlert {
  since: string;
  timeoutAt: string | null;
}

// The visitor replied to an auto pounce and the owner must act before rep_timeout_at.
export function autoPounceAlert(c: ConversationSummary | undefined | null): AutoPounceAlert | null {
  const meta = (c?.meta ?? {}) as Record<string, unknown>;
  if (!c || c.status !== "active" || typeof meta.awaiting_rep_since !== "string") return null;
  return { since: meta.awaiting_rep_since, timeoutAt: typeof meta.rep_timeout_at === "string" ? meta.rep_timeout_at : null };
}

export const myAlerts = computed(() => {
  const myId = me.value?.id;
  const autoPounce: ConversationSummary[] = [];
  const transfers: ConversationSummary[] = [];
  for (const c of conversations.value.values()) {
    if (c.owner_rep_id !== myId) continue;
    if (autoPounceAlert(c)) autoPounce.push(c);
    else if (waitingTransfer(c, myId)) transfers.push(c);
  }
  return { autoPounce, transfers };
});

// ---------------------------------------------------------------------------------------------
// Reading fields that may arrive in more than one shape

export function companyName(c: { company?: unknown; account?: unknown } | null | undefined): string | null {
  const v = c?.company || (c?.account as { name?: unknown } | null | undefined)?.name;
  if (!v) return null;
  if (typeof v === "string") return v;
  if (typeof v === "object" && typeof (v as { name?: unknown }).name === "string") return (v as { name: string }).name;
  return null;
}

// Firmographic fields for a card or a Visitor 360: the values of the enrichment entries.
export function firmographicsOf(card: { enrichment?: Record<string, unknown> | null }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(card.enrichment ?? {})) {
    if (v && typeof v === "object" && "value" in v) out[k] = v.value;
  }
  return out;
}

// The id of the card's segment (null before it is placed).
export function segmentKey(card: VisitorCard): string | null {
  return card.segment || null;
}

export function segmentOf(card: VisitorCard, segs: Segment[] = segments.value): Segment | null {
  const key = segmentKey(card);
  if (key) {
    const found = segs.find((s) => s.id === key) ?? segs.find((s) => s.name === key);
    if (found) return found;
  }
  return null;
}

export function visitorLabel(card: { name?: string | null; email?: string | null } | null | undefined): string | null {
  return card?.name || card?.email || null;
}

export function conversationTitle(c: ConversationSummary, card?: VisitorCard): string {
  return c.visitor_name || visitorLabel(card) || companyName(c) || companyName(card) || "Anonymous visitor";
}

// When the inbound rep window ends (in `meta`, the server's free-form extras).
export function repWindowEnds(c: ConversationSummary | undefined): string | null {
  const v = c?.meta.rep_window_ends_at;
  return typeof v === "string" ? v : null;
}

export function repName(id: string | null | undefined): string | null {
  if (!id) return null;
  const mine = me.value;
  if (mine && mine.id === id) return mine.name;
  return reps.value.get(id)?.name ?? null;
}

export function isRoutedToMe(c: { routed_rep_ids?: string[] }): boolean {
  const id = me.value?.id;
  const routed = c.routed_rep_ids ?? [];
  return routed.length === 0 || (!!id && routed.includes(id));
}

export type Box = "incoming" | "active" | "recent";

export function boxOf(c: ConversationSummary, myId: string | undefined): Box | null {
  if (c.status === "incoming") return "incoming";
  if (c.status === "active") return c.owner_rep_id === myId ? "active" : null;
  if (!myId) return null;
  if (c.owner_rep_id === myId) return "recent";
  if (!c.owner_rep_id && (c.routed_rep_ids ?? []).includes(myId)) return "recent";
  if (!c.owner_rep_id && (c.routed_rep_ids ?? []).length === 0) return "recent";
  return null;
}

function sortTime(c: ConversationSummary): number {
  return (
    parseTime(c.last_message?.created_at) ??
    parseTime(c.ended_at) ??
    parseTime(c.accepted_at) ??
    parseTime(c.created_at) ??
    0
  );
}

export const boxes = computed(() => {
  const myId = me.value?.id;
  const out: Record<Box, ConversationSummary[]> = { incoming: [], active: [], recent: [] };
  for (const c of conversations.value.values()) {
    const b = boxOf(c, myId);
    if (b) out[b].push(c);
  }
  // Incoming: the chat that has waited longest first. Active and Recent: latest activity first.
  out.incoming.sort((a, b) => (parseTime(a.created_at) ?? 0) - (parseTime(b.created_at) ?? 0));
  out.active.sort((a, b) => sortTime(b) - sortTime(a));
  out.recent.sort((a, b) => sortTime(b) - sortTime(a));
  return out;
});

export const unreadTotal = computed(() => {
  let n = 0;
  for (const v of unread.value.values()) n += v;
  return n;
});

export interface Column {
  id: string;
  name: string;
  color: string;
  cold: boolean;
  visitors: VisitorCard[];
  hiddenIdle: number;
}

const DEFAULT_COLOR = "#64748b";
const OTHER_COLUMN = "__other__";

// The live stream: one column per segment in the admin's order (hottest on the left), newest
// visitor on top. Visitors with a chat waiting for a rep are pinned above the columns instead.
//
// Kept incrementally: a socket batch changes a few hundred of maybe 5,000 cards, so the
// columns are not regrouped and re-sorted from scratch on every batch. The next state is the
// last one with the changed cards taken out of their sorted place and put back in (binary
// search on the same order as the full build); columns with no change keep their identity,
// so their (memoised) views skip rendering. A change of segments, of the idle setting or of
// the pinned visitors, or a batch that changes most cards, builds them all again.
export const columns = computed<Column[]>(() => {
  const segs = segments.value;
  const hide = hideIdle.value;
  const pinned = pinnedVisitorIds.value;
  const cards = visitors.value;
  const prev = streamIndex;
  if (prev && prev.segs === segs && prev.hide === hide && sameIds(prev.pinned, pinned)) {
    if (prev.cards === cards) return prev.cols;
    const next = updateColumns(prev, cards);
    if (next) {
      streamIndex = next;
      return next.cols;
    }
  }
  streamIndex = buildColumns(segs, hide, pinned, cards);
  return streamIndex.cols;
});

interface StreamIndex {
  segs: Segment[];
  hide: boolean;
  pinned: ReadonlySet<string>;
  cards: ReadonlyMap<string, VisitorCard>;
  cols: Column[];
  // visitor id -> the column it is counted in, and whether it is shown there (or hidden idle);
  // pinned visitors are not in it
  where: Map<string, { col: string; shown: boolean }>;
}

let streamIndex: StreamIndex | null = null;

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const id of a) if (!b.has(id)) return false;
  return true;
}

// The column a card belongs in: its segment's, else the catch-all ("Other visitors", or "All
// visitors" when there are no segments).
function columnFor(card: VisitorCard, segs: Segment[]): string {
  if (!segs.length) return OTHER_COLUMN;
  const seg = segmentOf(card, segs);
  return seg ? seg.id : OTHER_COLUMN;
}

function buildColumns(
  segs: Segment[],
  hide: boolean,
  pinned: ReadonlySet<string>,
  cards: ReadonlyMap<string, VisitorCard>,
): StreamIndex {
  const cols: Column[] = segs.length
    ? segs.map((s) => ({ id: s.id, name: s.name, color: s.color || DEFAULT_COLOR, cold: !!s.cold, visitors: [], hiddenIdle: 0 }))
    : [{ id: OTHER_COLUMN, name: "All visitors", color: "#2563eb", cold: false, visitors: [], hiddenIdle: 0 }];
  const byId = new Map(cols.map((c) => [c.id, c]));
  const where = new Map<string, { col: string; shown: boolean }>();
  for (const card of cards.values()) {
    if (pinned.has(card.visitor_id)) continue;
    const id = columnFor(card, segs);
    let col = byId.get(id);
    if (!col) {
      col = otherColumn();
      cols.push(col);
      byId.set(id, col);
    }
    const shown = !(hide && card.activity === "idle");
    where.set(card.visitor_id, { col: id, shown });
    if (shown) col.visitors.push(card);
    else col.hiddenIdle++;
  }
  for (const c of cols) c.visitors = newestFirst(c.visitors);
  return { segs, hide, pinned, cards, cols, where };
}

function otherColumn(): Column {
  return { id: OTHER_COLUMN, name: "Other visitors", color: "#94a3b8", cold: true, visitors: [], hiddenIdle: 0 };
}

// The next index after `cards` replaced prev.cards, or null when a full build is simpler (most
// cards changed, or a card needs the "Other visitors" column that does not exist yet).
function updateColumns(prev: StreamIndex, cards: ReadonlyMap<string, VisitorCard>): StreamIndex | null {
  const changed: string[] = [];
  for (const [id, card] of cards) if (prev.cards.get(id) !== card) changed.push(id);
  for (const id of prev.cards.keys()) if (!cards.has(id)) changed.push(id);
  if (changed.length > cards.size / 4 + 64) return null;
  const index = new Map(prev.cols.map((c, i) => [c.id, i]));
  const cols = prev.cols.slice();
  const copied = new Set<number>();
  const edit = (colId: string): Column | null => {
    const i = index.get(colId);
    if (i === undefined) return null;
    if (!copied.has(i)) {
      cols[i] = { ...cols[i], visitors: cols[i].visitors.slice() };
      copied.add(i);
    }
    return cols[i];
  };
  const where = prev.where;
  for (const id of changed) {
    const before = where.get(id);
    const old = prev.cards.get(id);
    const card = cards.get(id);
    const to = card && !prev.pinned.has(id) ? { col: columnFor(card, prev.segs), shown: !(prev.hide && card.activity === "idle") } : null;
    if (to && !index.has(to.col)) return null;
    if (before && old) {
      const col = edit(before.col)!;
      if (before.shown) {
        const at = positionOf(col.visitors, old);
        if (at < 0) return null; // never expected: build from scratch
        if (to && to.col === before.col && to.shown && card && sameKey(old, card)) {
          col.visitors[at] = card; // same place in the same column: the card's view re-renders
          continue;
        }
        col.visitors.splice(at, 1);
      } else col.hiddenIdle--;
      where.delete(id);
    }
    if (to && card) {
      const col = edit(to.col)!;
      if (to.shown) col.visitors.splice(insertionPoint(col.visitors, card), 0, card);
      else col.hiddenIdle++;
      where.set(id, to);
    }
  }
  return { ...prev, cards, cols, where };
}

// Newest visit first, then by visitor id: the one order of every column.
function compareCards(a: VisitorCard, b: VisitorCard): number {
  const d = (parseTime(b.visit_started_at) ?? 0) - (parseTime(a.visit_started_at) ?? 0);
  if (d) return d;
  return a.visitor_id < b.visitor_id ? -1 : a.visitor_id > b.visitor_id ? 1 : 0;
}

function sameKey(a: VisitorCard, b: VisitorCard): boolean {
  return a.visit_started_at === b.visit_started_at;
}

// The first index whose card does not sort before `card`.
function insertionPoint(list: readonly VisitorCard[], card: VisitorCard): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCards(list[mid], card) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function positionOf(list: readonly VisitorCard[], card: VisitorCard): number {
  const at = insertionPoint(list, card);
  return list[at]?.visitor_id === card.visitor_id ? at : -1;
}

// Newest visit on top. Decorate-sort-undecorate: one time lookup per card, not two per comparison.
function newestFirst(list: VisitorCard[]): VisitorCard[] {
  const keyed = list.map((v) => ({ v, t: parseTime(v.visit_started_at) ?? 0 }));
  keyed.sort((a, b) => b.t - a.t || (a.v.visitor_id < b.v.visitor_id ? -1 : 1));
  return keyed.map((k) => k.v);
}

export const inboundChats = computed(() => boxes.value.incoming);

const pinnedVisitorIds = computed(() => new Set(inboundChats.value.map((c) => c.visitor_id)));

// The one source for "how many visitors" wherever the console says it (sidebar badge, live
// stream header, column heads), so no two places disagree:
//   inView     cards a rep can see: in the columns, plus visitors pinned in the inbound lane
//   hiddenIdle idle visitors hidden by the "Show idle visitors" setting
//   onSite     everyone on the site: inView + hiddenIdle
export const streamCounts = computed(() => {
  let cards = 0;
  let hiddenIdle = 0;
  for (const c of columns.value) {
    cards += c.visitors.length;
    hiddenIdle += c.hiddenIdle;
  }
  const present = visitors.value;
  let pinned = 0;
  for (const id of pinnedVisitorIds.value) if (present.has(id)) pinned++;
  const inView = cards + pinned;
  return { inView, hiddenIdle, onSite: inView + hiddenIdle };
});

// ---------------------------------------------------------------------------------------------
// Applying frames

let firstSnapshot = true;

export function applySnapshot(frame: Snapshot): void {
  noteServerTime(frame.server_time);
  const before = conversations.value;
  const nextVisitors = new Map<string, VisitorCard>();
  for (const v of frame.visitors) nextVisitors.set(v.visitor_id, v);
  const nextConvs = new Map<string, ConversationSummary>();
  // Keep recent conversations fetched over HTTP that the snapshot does not carry (it holds
  // only the open and most recent ones); the snapshot wins for everything it does carry.
  for (const [id, c] of before) if (c.status !== "incoming" && c.status !== "active") nextConvs.set(id, c);
  for (const c of frame.conversations) nextConvs.set(c.id, c);
  const quiet = firstSnapshot;
  firstSnapshot = false;
  batch(() => {
    me.value = { ...me.value, ...frame.rep };
    segments.value = frame.segments as Segment[];
    const m = new Map(reps.value);
    for (const r of frame.reps) m.set(r.id, { ...m.get(r.id), ...r });
    reps.value = m;
    visitors.value = nextVisitors;
    conversations.value = nextConvs;
    snapshotReady.value = true;
  });
  const myId = me.value?.id;
  for (const c of nextConvs.values()) {
    const old = before.get(c.id);
    if (c.status === "incoming" && old?.status !== "incoming") {
      noteIncoming(c);
      hooks.newIncoming(c, quiet);
    }
    if (!quiet) noteOwnerChange(old, c, myId);
  }
  reconcileUnread();
}

function noteOwnerChange(old: ConversationSummary | undefined, next: ConversationSummary, myId: string | undefined): void {
  if (!myId) return;
  if (old?.owner_rep_id === myId && next.owner_rep_id && next.owner_rep_id !== myId && next.status === "active") hooks.transferredAway(next);
  else if (old?.owner_rep_id !== myId && waitingTransfer(next, myId)) hooks.transferredToMe(next);
  if (next.owner_rep_id === myId && autoPounceAlert(next) && !autoPounceAlert(old)) hooks.autoPounceReply(next);
}

export function applyBatch(events: readonly BatchEvent[]): void {
  let vs: Map<string, VisitorCard> | null = null;
  let cs: Map<string, ConversationSummary> | null = null;
  let rs: Map<string, Rep> | null = null;
  let meNext: Rep | null = null;
  let invs: Map<string, Invitation> | null = null;
  let copilotEnabled: boolean | null = null;
  const newIncoming: ConversationSummary[] = [];
  const changed: [ConversationSummary | undefined, ConversationSummary][] = [];
  let countsMayChange = false;
  const V = () => (vs ??= new Map(visitors.value));
  const C = () => (cs ??= new Map(conversations.value));

  for (const event of events) {
    switch (event.type) {
      case "visitor.joined":
        V().set(event.visitor.visitor_id, event.visitor);
        break;
      case "visitor.updated": {
        // Changes to a card this console does not hold (it joined before the snapshot was
        // taken, or left) are dropped: the next join carries the whole card.
        const old = V().get(event.visitor_id);
        if (old) V().set(event.visitor_id, { ...old, ...event.changes });
        break;
      }
      case "visitor.left":
        V().delete(event.visitor_id);
        break;
      case "conversation.updated": {
        const c = event.conversation;
        const old = C().get(c.id);
        const next = { ...old, ...c };
        C().set(c.id, next);
        if (next.origin && next.origin !== "inbound") countsMayChange = true;
        if (next.status === "incoming" && old?.status !== "incoming") newIncoming.push(next);
        changed.push([old, next]);
        // Keep the visitor's card in step, so the stream pins or unpins it in this same write.
        const card = V().get(next.visitor_id);
        if (card) {
          const open = next.status === "incoming" || next.status === "active";
          if (open) V().set(card.visitor_id, { ...card, conversation_id: next.id, conversation_status: next.status });
          else if (card.conversation_id === next.id) V().set(card.visitor_id, { ...card, conversation_status: next.status });
        }
        break;
      }
      case "rep.changed": {
        const { type: _type, rep_id: id, ...changes } = event;
        rs ??= new Map(reps.value);
        rs.set(id, { ...(rs.get(id) ?? { id, name: "" }), ...changes });
        countsMayChange = true; // auto_pounce_off_reason may have changed
        if (me.value?.id === id) meNext = { ...(meNext ?? me.value), ...changes };
        break;
      }
      case "invitation.updated": {
        const inv = event.invitation;
        invs ??= new Map(invitations.value);
        invs.set(inv.id, { ...invs.get(inv.id), ...inv });
        countsMayChange = true;
        break;
      }
      case "copilot.changed":
        copilotEnabled = event.enabled;
        break;
    }
  }
  batch(() => {
    if (vs) visitors.value = vs;
    if (cs) conversations.value = cs;
    if (rs) reps.value = rs;
    if (meNext) me.value = meNext;
    if (invs) invitations.value = invs;
    if (countsMayChange) reportsStale.value++;
    if (copilotEnabled !== null) applyCopilotChanged(copilotEnabled);
  });
  for (const c of newIncoming) {
    noteIncoming(c);
    hooks.newIncoming(c, false);
  }
  const myId = me.value?.id;
  for (const [old, next] of changed) noteOwnerChange(old, next, myId);
  if (cs) reconcileUnread();
}

export function upsertInvitation(inv: Invitation): void {
  const m = new Map(invitations.value);
  m.set(inv.id, { ...m.get(inv.id), ...inv });
  invitations.value = m;
}

// Merge conversations fetched over HTTP (inbox boxes, Visitor 360, accept responses).
export function upsertConversations(list: ConversationSummary[]): void {
  if (!list.length) return;
  const m = new Map(conversations.value);
  for (const c of list) if (c?.id) m.set(c.id, { ...m.get(c.id), ...c });
  conversations.value = m;
}

function mergeMessages(list: readonly Message[], incoming: readonly Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of list) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// The highest seq of an open transcript with every message before it present: the point to
// resume from (0 when the transcript is not open or has no message).
export function contiguousThrough(conversationId: string): number {
  const list = transcripts.value.get(conversationId);
  return list ? contiguousSeq(list) : 0;
}

function contiguousSeq(list: readonly Message[]): number {
  let seq = 0;
  for (const m of list) {
    if (m.seq === seq + 1) seq = m.seq;
    else if (m.seq > seq + 1) break;
  }
  return seq;
}

// A console stays open all day while its rep opens chat after chat; it keeps the transcripts
// of the last TRANSCRIPTS_KEPT chats opened (one opened again is loaded again), so its memory
// stays bounded and a reconnect asks `resume` for at most that many (the server allows 120 a
// minute): before, every chat opened since the page loaded was kept and caught up.
export const TRANSCRIPTS_KEPT = 30;

export function setTranscript(conversationId: string, messages: Message[]): void {
  const m = new Map(transcripts.value);
  const merged = mergeMessages(m.get(conversationId) ?? [], messages);
  m.delete(conversationId); // to the end: the most recently opened
  m.set(conversationId, merged);
  for (const id of m.keys()) {
    if (m.size <= TRANSCRIPTS_KEPT) break;
    if (id !== viewing.value) m.delete(id);
  }
  transcripts.value = m;
  dropAcknowledged(messages);
}

// A message frame. Returns the seq to resume after when a gap shows that frames were missed.
export function receiveMessage(msg: Message): number | null {
  const convId = msg.conversation_id;
  const list = transcripts.value.get(convId);
  let resumeAfter: number | null = null;
  batch(() => {
    if (list) {
      const merged = mergeMessages(list, [msg]);
      const m = new Map(transcripts.value);
      m.set(convId, merged);
      transcripts.value = m;
      const contiguous = contiguousSeq(merged);
      if (contiguous < msg.seq - 1 || contiguous < merged[merged.length - 1].seq) resumeAfter = contiguous;
    }
    const conv = conversations.value.get(convId);
    if (conv && (conv.last_seq ?? 0) <= msg.seq) {
      let next: ConversationSummary = { ...conv, last_seq: msg.seq, last_message: msg.internal ? conv.last_message : msg };
      // The new owner's first message after a transfer ends "visitor is waiting". The server
      // records that but sends no conversation.updated for it, so apply the same rule here.
      const t = transferOf(conv);
      if (t?.waiting && msg.author_kind === "rep" && msg.author_rep_id && msg.author_rep_id === conv.owner_rep_id) {
        next = { ...next, meta: { ...(conv.meta ?? {}), transfer: { ...t, waiting: false } } };
      }
      const m = new Map(conversations.value);
      m.set(convId, next);
      conversations.value = m;
    }
    dropAcknowledged([msg]);
  });
  if (msg.author_kind === "visitor") {
    const conv = conversations.value.get(convId);
    noteVisitorMessage(msg, conv);
    const typingMap = visitorTyping.value;
    if (typingMap.has(convId)) {
      const t = new Map(typingMap);
      t.delete(convId);
      visitorTyping.value = t;
    }
    if (visitorDrafts.value.has(convId)) {
      const d = new Map(visitorDrafts.value);
      d.delete(convId); // sent: the message replaces the draft
      visitorDrafts.value = d;
    }
  }
  return resumeAfter;
}

// An answer to `resume`. For a transcript no longer kept (TRANSCRIPTS_KEPT) it only moves the
// chat's summary on: the chat loads whole when it is opened again.
export function receiveMessages(conversationId: string, messages: Message[]): void {
  if (!messages.length) return;
  if (transcripts.value.has(conversationId)) setTranscript(conversationId, messages);
  const last = messages[messages.length - 1];
  const conv = conversations.value.get(conversationId);
  if (conv && (conv.last_seq ?? 0) < last.seq) upsertConversations([{ ...conv, last_seq: last.seq, last_message: last }]);
}

export function receiveAck(clientId: string, msg: Message | undefined): void {
  if (msg) receiveMessage(msg);
  if (pending.value.has(clientId)) {
    const p = new Map(pending.value);
    p.delete(clientId);
    pending.value = p;
  }
}

function dropAcknowledged(messages: readonly Message[]): void {
  const current = pending.value;
  if (!current.size) return;
  let p: Map<string, PendingMessage> | null = null;
  for (const m of messages) {
    if (m.client_id && current.has(m.client_id)) {
      p ??= new Map(current);
      p.delete(m.client_id);
    }
  }
  if (p) pending.value = p;
}

export function addPending(msg: PendingMessage): void {
  const p = new Map(pending.value);
  p.set(msg.client_id, msg);
  pending.value = p;
}

export function failPending(clientId: string, reason: string): void {
  const old = pending.value.get(clientId);
  if (!old) return;
  const p = new Map(pending.value);
  p.set(clientId, { ...old, failed: reason });
  pending.value = p;
}

export function removePending(clientId: string): void {
  if (!pending.value.has(clientId)) return;
  const p = new Map(pending.value);
  p.delete(clientId);
  pending.value = p;
}

export function setVisitorTyping(conversationId: string, isTyping: boolean, draft?: string | null): void {
  const m = new Map(visitorTyping.value);
  // The indicator lapses by itself after 6 s in case the "stopped" frame never comes.
  if (isTyping) m.set(conversationId, Date.now() + 6000);
  else m.delete(conversationId);
  visitorTyping.value = m;
  if (typeof draft == "string") {
    const d = new Map(visitorDrafts.value);
    if (draft.trim()) d.set(conversationId, { text: draft, at: Date.now() });
    else d.delete(conversationId);
    visitorDrafts.value = d;
  }
}

// ---------------------------------------------------------------------------------------------
// Unread counts: one per new inbound chat, one per visitor reply in my conversations, cleared
// when the rep looks at the conversation.

function bumpUnread(conversationId: string): void {
  const m = new Map(unread.value);
  m.set(conversationId, (m.get(conversationId) ?? 0) + 1);
  unread.value = m;
}

export function markRead(conversationId: string): void {
  if (!unread.value.has(conversationId)) return;
  const m = new Map(unread.value);
  m.delete(conversationId);
  unread.value = m;
}

function isLookingAt(conversationId: string): boolean {
  return viewing.value === conversationId && document.visibilityState === "visible";
}

export function noteIncoming(c: ConversationSummary): void {
  if (!isRoutedToMe(c) || isLookingAt(c.id)) return;
  if (!unread.value.has(c.id)) bumpUnread(c.id);
}

function noteVisitorMessage(msg: Message, conv: ConversationSummary | undefined): void {
  const myId = me.value?.id;
  const mine = conv && ((conv.status === "active" && conv.owner_rep_id === myId) || (conv.status === "incoming" && isRoutedToMe(conv)));
  if (!mine) return;
  // A new incoming chat already counts once for its first message.
  const firstOfIncoming = conv.status === "incoming" && unread.value.has(conv.id) && (msg.seq ?? 0) <= 1;
  if (!isLookingAt(msg.conversation_id) && !firstOfIncoming) bumpUnread(msg.conversation_id);
  hooks.visitorMessage(msg, conv);
}

// Drop unread marks for chats that are no longer mine to answer (accepted by someone else).
function reconcileUnread(): void {
  const current = unread.value;
  if (!current.size) return;
  const myId = me.value?.id;
  let m: Map<string, number> | null = null;
  for (const id of current.keys()) {
    const c = conversations.value.get(id);
    const keep = c && (c.status === "incoming" || (c.status === "active" && c.owner_rep_id === myId));
    if (!keep) {
      m ??= new Map(current);
      m.delete(id);
    }
  }
  if (m) unread.value = m;
}

effect(() => {
  const id = viewing.value;
  if (id) markRead(id);
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && viewing.value) markRead(viewing.value);
});

// ---------------------------------------------------------------------------------------------
// Per-rep preferences (localStorage)

function prefKey(name: string): string | null {
  const id = me.value?.id;
  return id ? `frontdesk:${id}:${name}` : null;
}

effect(() => {
  const key = prefKey("hideIdle");
  if (!key) return;
  const stored = localStorage.getItem(key);
  hideIdle.value = stored === null ? true : stored === "1";
});

export function setHideIdle(hide: boolean): void {
  hideIdle.value = hide;
  const key = prefKey("hideIdle");
  if (key) localStorage.setItem(key, hide ? "1" : "0");
}

// Clear everything held for the signed-in rep (sign-out, deactivation, 401).
export function resetState(): void {
  firstSnapshot = true;
  batch(() => {
    me.value = null;
    org.value = null;
    visitors.value = new Map();
    conversations.value = new Map();
    segments.value = [];
    reps.value = new Map();
    transcripts.value = new Map();
    pending.value = new Map();
    visitorTyping.value = new Map();
    unread.value = new Map();
    invitations.value = new Map();
    viewing.value = null;
    snapshotReady.value = false;
    connection.value = "connecting";
  });
}
