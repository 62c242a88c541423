import { memo } from "preact/compat";
import { InboundWaitNote, StaffingBar } from "./Staffing";
import { createPortal } from "preact/compat";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { acceptConversation } from "../actions";
import { linkClick, navigate, paths } from "../router";
import {
  columns,
  companyName,
  conversationTitle,
  firmographicsOf,
  hideIdle,
  inboundChats,
  invitations,
  isRoutedToMe,
  me,
  repName,
  repWindowEnds,
  segmentOf,
  setHideIdle,
  snapshotReady,
  streamCounts,
  visitorLabel,
  visitors,
  type Column,
} from "../store";
import type { ConversationSummary, EnrichedValue, VisitorCard } from "../types";
import { IconBullseye, IconChat, IconClock, IconGear, IconGlobe, IconLive, IconMail } from "../icons";
import { InvitationChip, openInvite, openPounce } from "./Engage";
import {
  ActivityStatus,
  Countdown,
  Elapsed,
  EmptyState,
  hostOf,
  pathOf,
  plainSnippet,
  proxiedImageUrl,
  Switch,
  usePopover,
} from "./ui";

// Each column is windowed: only the cards in view (plus a few above and below) are in the DOM,
// which keeps 5,000 visitors as cheap as 40. Cards take the height of what they say (company,
// page title, person and firmographics wrap to two lines each rather than being cut, and a
// card with one line of each is not padded to the height of one with two: no blank space on a
// phone). The cards in the DOM flow one under the other in a "run" placed after the cards
// above it; each card's height is measured once it is in the DOM and kept per visitor (a card
// not measured yet counts as CARD_EST), for the run's place and the column's height: prefix
// sums over the column, one pass of additions per render (microseconds for 5,000).
const CARD_EST = 176;
const GAP = 8;
const OVERSCAN = 4;

/** The index of the card at offset y (the last whose top is at or above it), in 0..n-1. */
function cardAt(tops: Float64Array, n: number, y: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tops[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function LiveStream() {
  const [filter, setFilter] = useState("");
  const cols = columns.value;
  const inbound = inboundChats.value;
  const q = filter.trim().toLowerCase();
  const shown = useMemo(() => (q ? cols.map((c) => ({ ...c, visitors: c.visitors.filter((v) => matches(v, q)) })) : cols), [cols, q]);
  const counts = streamCounts.value;
  // The header counts what the rep can see (the store's streamCounts, also behind the sidebar
  // badge); with a filter, the cards that match it.
  const inView = q ? shown.reduce((n, c) => n + c.visitors.length, 0) : counts.inView;

  return (
    <div class="live">
      <div class="live-toolbar">
        <div class="live-summary" role="status" aria-live="off" data-in-view={inView}>
          {q ? (
            <>
              <strong>{inView}</strong> of {counts.onSite} {counts.onSite === 1 ? "visitor matches" : "visitors match"} the filter
            </>
          ) : counts.hiddenIdle ? (
            <>
              <strong>{inView}</strong> of {counts.onSite} visitors shown
              <span class="muted"> · {counts.hiddenIdle} idle hidden </span>
              <button type="button" class="link-btn" onClick={() => setHideIdle(false)}>
                Show idle
              </button>
            </>
          ) : (
            <>
              <strong>{inView}</strong> {inView === 1 ? "visitor" : "visitors"} on the site
            </>
          )}
        </div>
        <input
          type="search"
          class="input input-sm live-filter"
          placeholder="Filter by company, page or name"
          aria-label="Filter visitors"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
        <StreamSettings />
      </div>
      <StaffingBarView />
      {inbound.length > 0 && <InboundLaneView chats={inbound} />}
      {!snapshotReady.value ? (
        <div class="columns">
          {[0, 1, 2].map((i) => (
            <div class="column skeleton" key={i} aria-hidden="true">
              <div class="column-head" />
              <div class="sk-card" />
              <div class="sk-card" />
            </div>
          ))}
        </div>
      ) : (
        <div class="columns" role="region" aria-label="Live stream">
          {shown.map((c) => (
            <StreamColumn key={c.id} col={c} filtered={!!q} />
          ))}
        </div>
      )}
    </div>
  );
}

// A batch re-runs the filter over every card: each card's lower-cased text is kept with the
// card object (a changed card is a new object, so it is never stale).
const haystacks = new WeakMap<VisitorCard, string>();

function matches(v: VisitorCard, q: string): boolean {
  let text = haystacks.get(v);
  if (text === undefined) {
    text = [companyName(v), v.name, v.email, v.url, v.title]
      .filter((s) => !!s)
      .map((s) => s!.toLowerCase())
      .join("\u0000");
    haystacks.set(v, text);
  }
  return text.includes(q);
}

// The live stream re-renders on every socket batch; the parts that do not depend on the
// columns skip it unless their own props or signals change.
const StaffingBarView = memo(StaffingBar);
const InboundLaneView = memo(InboundLane);

function StreamSettings() {
  const pop = usePopover();
  return (
    <div class="popover-anchor">
      <button
        ref={pop.triggerRef}
        type="button"
        class="icon-btn"
        aria-label="Live stream settings"
        aria-haspopup="dialog"
        aria-expanded={pop.open}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <IconGear size={18} />
      </button>
      {pop.open && (
        <div ref={pop.ref} class="popover popover-right" role="dialog" aria-label="Live stream settings">
          <Switch
            label="Show idle visitors"
            checked={!hideIdle.value}
            onChange={(show) => setHideIdle(!show)}
            hint="Hidden by default so active visitors stand out."
          />
        </div>
      )}
    </div>
  );
}

function InboundLane(props: { chats: ConversationSummary[] }) {
  return (
    <section class="inbound-lane" aria-label="Inbound chats">
      <div class="lane-head">
        <span class="lane-dot" aria-hidden="true" />
        Inbound chats <span class="count">{props.chats.length}</span>
        <span class="muted small">Walk, don't run: this buyer is ready to talk now.</span>
      </div>
      <div class="lane-cards" role="list">
        {props.chats.map((c) => (
          <InboundCard key={c.id} conv={c} />
        ))}
      </div>
    </section>
  );
}

export function InboundCard(props: { conv: ConversationSummary }) {
  const c = props.conv;
  const card = visitors.value.get(c.visitor_id);
  const title = conversationTitle(c, card);
  const company = companyName(c) ?? companyName(card);
  const [busy, setBusy] = useState(false);
  const forMe = isRoutedToMe(c);
  const accept = async (e?: Event) => {
    e?.preventDefault();
    e?.stopPropagation();
    if (busy) return;
    setBusy(true);
    const ok = await acceptConversation(c.id);
    setBusy(false);
    if (ok) navigate(paths.conversation(c.id));
  };
  return (
    <div
      class="inbound-card"
      role="listitem"
      tabIndex={0}
      aria-label={`Inbound chat from ${title}${company && company !== title ? `, ${company}` : ""}`}
      data-conversation-id={c.id}
      onKeyDown={(e) => {
        if ((e.key === "a" || e.key === "A") && !e.altKey && !e.ctrlKey && !e.metaKey && e.target === e.currentTarget) void accept(e);
        if (e.key === "Enter" && e.target === e.currentTarget) navigate(paths.conversation(c.id));
      }}
    >
      <a class="card-link" href={paths.conversation(c.id)} onClick={linkClick} aria-label={`Open chat with ${title}`} tabIndex={-1} />
      <div class="inbound-top">
        <span class="inbound-name">{title}</span>
        <Countdown until={repWindowEnds(c)} since={c.created_at} />
      </div>
      {company && company !== title && <div class="inbound-company">{company}</div>}
      <div class="inbound-msg">
        {c.last_message && c.last_message.author_kind !== "visitor" && <span class="muted">{c.last_message.author_name || "Bot"}: </span>}
        {c.last_message ? plainSnippet(c.last_message.body) : "Opened the messenger"}
      </div>
      <div class="inbound-foot">
        <InboundWaitNote meta={c.meta} />
        <span class="muted small">{forMe ? "Routed to you" : "Routed to your team"}</span>
        {/* Queued: every rep it could go to is at capacity; it is offered when one has room. */}
        {!c.meta.queue_position && (
          <button type="button" class="btn btn-accept btn-sm" onClick={accept} disabled={busy} aria-label={`Accept chat with ${title}`}>
            {busy ? "Accepting…" : "Accept"}
          </button>
        )}
      </div>
    </div>
  );
}

// Memoised: a batch that touches no card of a column leaves the column object as it was (the
// store keeps columns incrementally), and the column skips rendering.
const StreamColumn = memo(function StreamColumn(props: { col: Column; filtered: boolean }) {
  const { col } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState({ start: 0, end: 12 });
  const n = col.visitors.length;
  // Measured card heights by visitor id (see CARD_EST), and a counter bumped when they change.
  const heights = useRef(new Map<string, number>());
  // The card objects whose height was read: an unchanged card is not read again (each read
  // may force a layout), until the column's width changes.
  const measured = useRef(new WeakSet<VisitorCard>());
  const [, setMeasured] = useState(0);
  const tops = new Float64Array(n + 1);
  {
    const h = heights.current;
    const l = col.visitors;
    for (let i = 0; i < n; i++) tops[i + 1] = tops[i] + (h.get(l[i].visitor_id) ?? CARD_EST) + GAP;
    if (h.size > 2 * n + 200) {
      // Visitors who left: forget their heights (rarely: the map is rebuilt, not scanned).
      const kept = new Map<string, number>();
      for (const v of l) {
        const height = h.get(v.visitor_id);
        if (height !== undefined) kept.set(v.visitor_id, height);
      }
      heights.current = kept;
    }
  }
  const topsRef = useRef(tops);
  topsRef.current = tops;
  const list = useRef(col.visitors);
  list.current = col.visitors;

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      noteAnchor(el);
      const t = topsRef.current;
      const count = list.current.length;
      const start = count ? Math.max(0, cardAt(t, count, el.scrollTop) - OVERSCAN) : 0;
      const end = count ? cardAt(t, count, el.scrollTop + el.clientHeight) + 1 + OVERSCAN : 12;
      setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    el.addEventListener("scroll", onScroll, { passive: true });
    // A new width wraps the cards' lines anew: measure them again.
    const ro = new ResizeObserver(() => {
      onScroll();
      measured.current = new WeakSet();
      setMeasured((m) => m + 1);
    });
    ro.observe(el);
    return () => {
      el.removeEventListener("scroll", onScroll);
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  // Scroll anchoring: newest visitors join at the top, and a rep who has scrolled down to
  // read a card should not see it slide away; keep the first card in view where it was (also
  // when cards above it are measured and turn out taller or shorter than estimated).
  const anchor = useRef<{ id: string; delta: number } | null>(null);
  function noteAnchor(el: HTMLElement) {
    const l = list.current;
    if (!l.length) {
      anchor.current = null;
      return;
    }
    const t = topsRef.current;
    const first = cardAt(t, l.length, el.scrollTop);
    anchor.current = { id: l[first].visitor_id, delta: el.scrollTop - t[first] };
  }
  const slice = col.visitors.slice(range.start, Math.min(n, range.end));
  // After every render: measure the cards in the DOM that are new or changed (reads first,
  // one layout), then put the anchor card back where it was; a height that changed renders
  // the column again (before the browser paints).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const h = heights.current;
    const known = measured.current;
    const shown = new Map(slice.map((v) => [v.visitor_id, v]));
    let changed = false;
    for (const node of el.querySelectorAll<HTMLElement>(".vcard")) {
      const card = shown.get(node.dataset.visitorId ?? "");
      if (!card || known.has(card)) continue;
      const height = node.offsetHeight;
      if (!height) continue;
      known.add(card);
      if (h.get(card.visitor_id) !== height) {
        h.set(card.visitor_id, height);
        changed = true;
      }
    }
    const prev = anchor.current;
    if (prev && el.scrollTop > 0) {
      const index = col.visitors.findIndex((v) => v.visitor_id === prev.id);
      if (index >= 0) {
        const want = tops[index] + prev.delta;
        if (Math.abs(el.scrollTop - want) >= 1) el.scrollTop = want;
      }
    }
    // The run itself is laid out by the browser: a new height only moves the cards after it
    // in the column's sums (the scrollbar, and where the run starts once scrolled on).
    if (changed) setMeasured((m) => m + 1);
    else noteAnchor(el);
  });

  const idle = props.filtered ? 0 : col.hiddenIdle;
  const idleText = `${idle} idle ${idle === 1 ? "visitor" : "visitors"} hidden`;
  // An empty column gives its width to the columns with visitors in them (so every column fits
  // on a laptop screen and the first visitor of the day is never off to the right).
  return (
    <section
      class={`column ${col.cold ? "cold" : ""} ${n === 0 && idle === 0 ? "is-empty" : ""}`}
      aria-label={`${col.name}: ${n} ${n === 1 ? "visitor" : "visitors"}${idle ? `, ${idleText}` : ""}`}
      data-segment-id={col.id}
      style={{ "--seg": col.color }}
    >
      <header class="column-head">
        <span class="seg-swatch" aria-hidden="true" />
        <h2 class="column-name" title={col.name}>
          {col.name}
        </h2>
        <span class="column-counts">
          <span class="count" aria-hidden="true">
            {n}
          </span>
          {idle > 0 && (
            <span class="idle-count" aria-hidden="true" title={idleText}>
              +{idle} idle
            </span>
          )}
        </span>
      </header>
      <div class="column-scroll" ref={scrollRef} role="list" aria-label={`${col.name} visitors`}>
        <div class="column-inner" role="presentation" style={{ height: `${n ? tops[n] - GAP : 0}px` }}>
          {/* The cards in view flow one under the other (each as tall as it is, measured or
              not); only the run of them is placed, after the cards above it. */}
          <div class="column-run" role="presentation" style={{ transform: `translateY(${tops[Math.min(range.start, n)]}px)` }}>
            {slice.map((v, i) => (
              <VisitorCardView key={v.visitor_id} card={v} pos={range.start + i + 1} size={n} />
            ))}
          </div>
        </div>
        {n === 0 && (
          <div class="column-empty">
            {props.filtered ? (
              "No matches"
            ) : idle ? (
              <>
                {idleText}.{" "}
                <button type="button" class="link-btn" onClick={() => setHideIdle(false)}>
                  Show idle visitors
                </button>
              </>
            ) : (
              "Nobody here right now"
            )}
          </div>
        )}
      </div>
    </section>
  );
});

function firmographicBits(f: Record<string, unknown>): string[] {
  const out: string[] = [];
  const emp = f.employees ?? f.employee_count ?? f.employees_range;
  if (typeof emp === "number") out.push(`${emp.toLocaleString()} employees`);
  else if (typeof emp === "string" && emp) out.push(`${emp} employees`);
  for (const k of ["industry", "revenue", "country", "location", "plan", "stage"]) {
    const v = f[k];
    if (typeof v === "string" && v) out.push(v);
    else if (typeof v === "number") out.push(v.toLocaleString());
    if (out.length >= 3) break;
  }
  return out;
}

function experienceName(v: VisitorCard): string | null {
  return v.experience || null;
}

function routingText(v: VisitorCard, myId: string | undefined): { experience: string; why: string; others: string } {
  const exp = experienceName(v);
  const routed = v.routed_rep_ids ?? [];
  const toMe = !!myId && routed.includes(myId);
  const others = routed.filter((id) => id !== myId).map((id) => repName(id) ?? "another rep");
  return {
    experience: exp ? `Experience: ${exp}` : "No experience applied yet",
    why: v.routing_reason
      ? `${toMe ? "Routed to you" : "Routing"}: ${v.routing_reason}`
      : toMe
        ? "Routed to you"
        : routed.length
          ? "Not routed to you"
          : "Not routed to anyone yet",
    others: others.length ? `Also routed to: ${others.join(", ")}` : toMe ? "Not routed to anyone else" : "",
  };
}

function Thumbnail(props: { card: VisitorCard }) {
  const { card } = props;
  const img = proxiedImageUrl(card.og_image);
  const favicon = proxiedImageUrl(card.favicon);
  const [imgFailed, setImgFailed] = useState(false);
  const [iconFailed, setIconFailed] = useState(false);
  useEffect(() => setImgFailed(false), [img]);
  return (
    <div class="thumb">
      {img && !imgFailed ? (
        <img class="thumb-img" src={img} alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer" onError={() => setImgFailed(true)} />
      ) : (
        <div class="thumb-placeholder">
          <div class="thumb-chrome">
            {favicon && !iconFailed ? (
              <img class="favicon" src={favicon} alt="" loading="lazy" referrerpolicy="no-referrer" onError={() => setIconFailed(true)} />
            ) : (
              <IconGlobe size={9} />
            )}
            <span class="thumb-host">{hostOf(card.url)}</span>
          </div>
          <span class="thumb-title">{card.title || pathOf(card.url) || "Untitled page"}</span>
        </div>
      )}
      <div class="thumb-activity">
        <ActivityStatus activity={card.activity} />
      </div>
    </div>
  );
}

// A card's place in its column (top, position, column size) changes whenever a card above it
// joins or leaves: only this thin outer element follows that; the card's contents (CardBody)
// render again only when the card itself changed.
const VisitorCardView = memo(function VisitorCardView(props: { card: VisitorCard; pos: number; size: number }) {
  const { card } = props;
  const seg = segmentOf(card);
  const heading = companyName(card) ?? "Unknown company";
  const person = visitorLabel(card);
  return (
    <div
      class={`vcard act-${card.activity ?? "active"}`}
      role="listitem"
      aria-setsize={props.size}
      aria-posinset={props.pos}
      aria-label={`${heading}${person ? `, ${person}` : ""}`}
      data-visitor-id={card.visitor_id}
      data-activity={card.activity}
      style={{ "--seg": seg?.color || undefined }}
    >
      <CardBody card={card} />
    </div>
  );
});

const CardBody = memo(function CardBody(props: { card: VisitorCard }) {
  const { card } = props;
  const company = companyName(card);
  const person = visitorLabel(card);
  const heading = company ?? "Unknown company";
  const bits = firmographicBits(firmographicsOf(card));
  const account = card.account;
  const url = card.url ?? "";
  const pages = card.page_views ?? 0;
  const pageTitle = card.title || "Untitled page";
  const source = card.referrer ? `From ${hostOf(card.referrer) || card.referrer}` : "Direct visit";
  const firmo = bits.length ? bits.join(" · ") : source;
  // Every line that may still be cut in a narrow column carries its full text on hover; the
  // Visitor 360 shows all of it.
  return (
    <>
      <a class="card-link" href={paths.visitor(card.visitor_id)} onClick={linkClick} aria-label={`Open ${heading}${person ? ` (${person})` : ""}`} />
      <div class="vcard-top">
        {/* the column names the segment (and the card's edge has its colour): the row keeps its
            width for the tags and the time */}
        <span class="vcard-seg none">{card.returning ? "Returning visitor" : "New visitor"}</span>
        <span class="vcard-tags" title={[account?.target_account && "Target account", account?.open_pipeline && "Open pipeline"].filter(Boolean).join(" · ") || undefined}>
          {company && <CompanyConfidence card={card} />}
          {account?.target_account && (
            <span class="tag tag-target" title="Target account">
              Target
            </span>
          )}
          {!!account?.open_pipeline && (
            <span class="tag tag-pipe" title={typeof account.open_pipeline === "number" ? `Open pipeline: ${account.open_pipeline.toLocaleString()}` : "Open pipeline"}>
              Pipeline
            </span>
          )}
        </span>
        <RoutingInfo card={card} />
        <span class="vcard-time" title="Time on site">
          <IconClock size={12} />
          <Elapsed since={card.visit_started_at} label="Time on site" />
        </span>
      </div>
      <div class={`vcard-company ${company ? "" : "unknown"}`} title={heading}>
        {account ? (
          <a class="vcard-account-link" href={paths.account(account.id)} onClick={linkClick} aria-label={`Account 360: ${heading}`}>
            {heading}
          </a>
        ) : (
          heading
        )}
      </div>
      <div class="vcard-body">
        <Thumbnail card={card} />
        <div class="vcard-page">
          <div class="vcard-title" title={pageTitle}>
            {pageTitle}
          </div>
          <div class="vcard-url" title={url} data-testid="visitor-url">
            <PagePath url={url} />
          </div>
          <div class="vcard-meta">
            {person ? (
              <span class="vcard-person" title={person}>
                {person}
              </span>
            ) : (
              <span class="vcard-person anonymous">Anonymous</span>
            )}
            {card.identity_status === "verified" && <span class="tag tag-ok">Verified</span>}
          </div>
        </div>
      </div>
      <div class={`firmo ${bits.length ? "" : "muted"}`} title={bits.length ? `${firmo} · ${source}` : firmo}>
        {firmo}
      </div>
      <div class="vcard-foot">
        <span class="foot-activity">
          <ActivityStatus activity={card.activity} />
        </span>
        <span class="vcard-pages" title={`${pages} ${pages === 1 ? "page" : "pages"} this visit`}>
          {pages} {pages === 1 ? "page" : "pages"}
        </span>
        <CardActions card={card} heading={heading} />
      </div>
    </>
  );
});

// The page's path reads in full; its query string (campaign tags, click ids) comes after it,
// muted, and is the part that gives way when the column is narrow.
function PagePath(props: { url: string }) {
  const full = pathOf(props.url);
  const cut = full.search(/[?#]/);
  const path = cut > 0 ? full.slice(0, cut) : full;
  const rest = cut > 0 ? full.slice(cut) : "";
  return (
    <>
      <span class="url-path">{path}</span>
      {rest && <span class="url-query">{rest}</span>}
    </>
  );
}

const SOURCE_SHORT: Record<string, string> = {
  verified_email: "verified email",
  unverified_email: "email the visitor gave",
  ip_range: "your IP range table",
  ip_asn: "IP network owner",
  ip_country: "IP location",
  provider: "enrichment provider",
};

// How sure we are of the company on a card: the source and confidence of enrichment.company.
function CompanyConfidence(props: { card: VisitorCard }) {
  // enrichment is open on the server ({field: {value, source, confidence}}): read it as such
  const e = props.card.enrichment?.company as EnrichedValue | undefined;
  if (!e || typeof e !== "object" || !e.confidence) return null;
  const conf = String(e.confidence).replace(/_/g, " ");
  const cls = conf === "very high" ? "conf-vh" : conf === "high" ? "conf-h" : conf === "medium" ? "conf-m" : "conf-l";
  const src = e.source ? (SOURCE_SHORT[e.source] ?? e.source.replace(/_/g, " ")) : "unknown source";
  return (
    <span class={`conf conf-card ${cls}`} title={`Company from ${src}: ${conf} confidence`} aria-label={`Company from ${src}, ${conf} confidence`}>
      {conf}
    </span>
  );
}

// Pounce (start the chat now) or invite (they reply to start it), right from the card.
function CardActions(props: { card: VisitorCard; heading: string }) {
  const { card } = props;
  const myId = me.value?.id;
  const status = card.conversation_status;
  if (status === "active" || status === "incoming") {
    return <span class="in-chat">{status === "incoming" ? "Waiting" : "In chat"}</span>;
  }
  let mine = null;
  for (const i of invitations.value.values()) {
    if (i.visitor_id === card.visitor_id && i.rep_id === myId && (i.status === "pending" || i.status === "shown")) mine = i;
  }
  return (
    <span class="card-actions">
      {mine && <InvitationChip inv={mine} />}
      <button
        type="button"
        class="card-btn"
        aria-label={`Invite ${props.heading} to live chat`}
        title="Invite to live chat"
        onClick={(e) => {
          e.preventDefault();
          e.stopPropagation();
          openInvite(card.visitor_id);
        }}
      >
        <IconMail size={14} />
      </button>
      <button
        type="button"
        class="card-btn card-btn-chat"
        aria-label={`Pounce on ${props.heading}`}
        title="Pounce: start a chat"
        onClick={(e) => {
          e.preventDefault();
          e.stopPropagation();
          openPounce(card.visitor_id);
        }}
      >
        <IconChat size={13} /> <span class="card-btn-label">Chat</span>
      </button>
    </span>
  );
}

function RoutingInfo(props: { card: VisitorCard }) {
  const { card } = props;
  const myId = me.value?.id;
  const t = routingText(card, myId);
  const [tip, setTip] = useState<DOMRect | null>(null);
  const btn = useRef<HTMLButtonElement>(null);
  const id = `route-${card.visitor_id}`;
  const routedToMe = !!myId && (card.routed_rep_ids ?? []).includes(myId);
  const show = () => btn.current && setTip(btn.current.getBoundingClientRect());
  const hide = () => setTip(null);
  return (
    <>
      <button
        ref={btn}
        type="button"
        class={`bullseye ${routedToMe ? "routed-me" : ""}`}
        aria-label="Experience and routing"
        aria-describedby={id}
        onMouseEnter={show}
        onMouseLeave={hide}
        onFocus={show}
        onBlur={hide}
        onClick={(e) => {
          e.preventDefault();
          e.stopPropagation();
          if (tip) hide();
          else show();
        }}
      >
        <IconBullseye size={16} />
      </button>
      <span id={id} class="sr-only">
        {t.experience}. {t.why}. {t.others}
      </span>
      {tip &&
        createPortal(
          <div class="tooltip" aria-hidden="true" style={{ top: `${tip.bottom + 6}px`, left: `${Math.max(8, Math.min(window.innerWidth - 288, tip.right - 280))}px` }}>
            <div class="tooltip-row">
              <IconLive size={12} /> {t.experience}
            </div>
            <div class="tooltip-row">
              <IconBullseye size={12} /> {t.why}
            </div>
            {t.others && <div class="tooltip-row muted-light">{t.others}</div>}
          </div>,
          document.body,
        )}
    </>
  );
}

export function LiveEmpty() {
  return (
    <EmptyState title="Nobody on the site yet" icon={<IconLive size={28} />}>
      Visitors appear here the moment they open a page with the Frontdesk snippet.
    </EmptyState>
  );
}
