import { Fragment } from "preact";
import { RatingChip } from "./Rating";
import { useEffect, useState } from "preact/hooks";
import { transferConversation } from "../actions";
import { api, ApiError, errorText } from "../api";
import { linkClick, navigate, paths } from "../router";
import { companyName, conversations, firmographicsOf, invitations, me, pushToast, repName, reps, segmentOf, upsertConversations, visitors } from "../store";
import type { ConversationSummary, EnrichedValue, Visit, Visitor360, VisitorCard } from "../types";
import { formatClock, formatDateTime } from "../time";
import { IconBuilding, IconChat, IconExternal, IconMail, IconUser } from "../icons";
import { ActivityStatus, Elapsed, hostOf, pathOf, plainSnippet, safeHttpUrl } from "./ui";
import { ClassificationPanel, transferTargets } from "./ConversationTools";
import { InvitationChip, openInvite, openPounce } from "./Engage";
import { statusText } from "./Inbox";

// Visitor 360: who this is, which company and how we know, what they read in this visit,
// their earlier visits and conversations.
export function Visitor360Panel(props: { visitorId: string; conversationId?: string | null }) {
  const { visitorId } = props;
  const card = visitors.value.get(visitorId);
  const [data, setData] = useState<Visitor360 | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Refetch when the visitor moves to another page, so "This visit" stays current.
  const pageKey = `${card?.page_views ?? ""}|${card?.url ?? ""}|${card?.identity_status ?? ""}|${card?.conversation_id ?? ""}`;

  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(
      () => {
        api<Visitor360>("GET", `/api/visitors/${encodeURIComponent(visitorId)}`, undefined, { signal: ctl.signal })
          .then((d) => {
            setData(d);
            setError(null);
            if (Array.isArray(d.conversations)) upsertConversations(d.conversations);
          })
          .catch((err) => {
            if ((err as Error).name === "AbortError") return;
            setError(err instanceof ApiError && err.status === 404 ? "No record of this visitor." : errorText(err));
          });
      },
      data ? 600 : 0,
    );
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [visitorId, pageKey]);

  // The stored profile, with the live card (when the visitor is on the site) on top.
  const v = { ...(data?.visitor ?? {}), ...(card ?? {}) } as Shown;
  const company = v.company ?? null;
  const cname = companyName({ company, account: v.account });
  const enrichment = (v.enrichment ?? null) as Record<string, EnrichedValue> | null;
  const domain = v.account?.domain ?? (typeof enrichment?.domain?.value === "string" ? enrichment.domain.value : null);
  const seg = card ? segmentOf(card) : null;
  const visits = [...(data?.visits ?? [])].sort((a, b) => (b.started_at ?? "").localeCompare(a.started_at ?? ""));
  const currentVisitId = card?.visit_id ?? v.visit_id;
  const current = visits.find((x) => x.id === currentVisitId) ?? (card ? visits[0] : undefined);
  const previous = visits.filter((x) => x !== current);
  const live = conversations.value;
  const convs = [...(data?.conversations ?? [])].map((c) => live.get(c.id) ?? c).sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""));
  const status = v.identity_status ?? "anonymous";
  const shown = props.conversationId ? live.get(props.conversationId) : undefined;
  const openConv =
    shown && (shown.status === "active" || shown.status === "incoming")
      ? shown
      : [...live.values()].find((c) => c.visitor_id === visitorId && (c.status === "active" || c.status === "incoming"));
  const myInvite = [...invitations.value.values()]
    .filter((i) => i.visitor_id === visitorId && i.rep_id === me.value?.id)
    .sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""))[0];
  const blocked = !!data?.visitor?.blocked;

  return (
    <aside class="v360" aria-label="Visitor 360">
      <div class="v360-head">Visitor 360</div>
      {error && !data && (
        <div class="muted small v360-pad" role="status">
          {error}
        </div>
      )}
      {blocked && (
        <div class="v360-pad">
          <div class="notice" role="status">
            This visitor is blocked: they don't see the messenger.
          </div>
        </div>
      )}
      {openConv?.status === "active" ? (
        <OwnerSection conv={openConv} />
      ) : card && !openConv && !blocked ? (
        <section class="v360-section v360-engage" aria-label="Engage">
          <div class="engage-btns">
            <button type="button" class="btn btn-primary btn-sm" onClick={() => openPounce(visitorId)}>
              <IconChat size={14} /> Pounce
            </button>
            <button type="button" class="btn btn-secondary btn-sm" onClick={() => openInvite(visitorId)}>
              <IconMail size={14} /> Invite to live chat
            </button>
          </div>
          {myInvite && (
            <div class="small engage-inv">
              Your invitation: <InvitationChip inv={myInvite} />
            </div>
          )}
        </section>
      ) : null}
      {shown && <ClassificationPanel key={shown.id} conv={shown} />}

      <section class="v360-section" aria-label="Identity">
        <h3>
          <IconUser size={14} /> Identity
        </h3>
        <dl class="kv">
          <dt>Name</dt>
          <dd>{v.name || <span class="muted">Unknown</span>}</dd>
          <dt>Email</dt>
          <dd>{v.email || <span class="muted">Unknown</span>}</dd>
          <dt>Status</dt>
          <dd>
            <span class={`id-chip id-${status}`} title={IDENTITY_HINT[status] ?? ""}>
              {status}
            </span>
          </dd>
          {seg && (
            <>
              <dt>Segment</dt>
              <dd>
                <span class="seg-dot" style={{ background: seg.color ?? "#94a3b8" }} aria-hidden="true" /> {seg.name}
              </dd>
            </>
          )}
          {card && (
            <>
              <dt>Activity</dt>
              <dd>
                <ActivityStatus activity={card.activity} />
              </dd>
              <dt>On site</dt>
              <dd>
                <Elapsed since={card.visit_started_at} label="Time on site" />
              </dd>
            </>
          )}
          {v.visit_count != null && (
            <>
              <dt>Visits</dt>
              <dd>{v.visit_count}</dd>
            </>
          )}
        </dl>
      </section>

      <section class="v360-section" aria-label="Company">
        <h3>
          <IconBuilding size={14} /> Company
        </h3>
        {cname ? (
          <>
            <div class="v360-company">
              {v.account ? (
                <a href={paths.account(v.account.id)} onClick={linkClick} aria-label={`Account 360: ${cname}`}>
                  {cname}
                </a>
              ) : (
                cname
              )}
            </div>
            {domain && <div class="muted small">{domain}</div>}
            {(v.account?.target_account || v.account?.open_pipeline || v.account?.owner_rep_id) && (
              <div class="v360-tags">
                {v.account?.target_account && <span class="tag tag-target">Target account</span>}
                {!!v.account?.open_pipeline && <span class="tag tag-pipe">Open pipeline</span>}
                {v.account?.owner_rep_id && <span class="tag">Owner: {repName(v.account.owner_rep_id) ?? "a rep"}</span>}
              </div>
            )}
            <CompanyDetails company={company} firmographics={firmographicsOf(v)} enrichment={enrichment} sources={data?.visitor?.company_sources} />
          </>
        ) : (
          <div class="muted small">Not identified. Company data appears here when an enrichment source matches.</div>
        )}
      </section>

      <section class="v360-section" aria-label="This visit">
        <h3>This visit</h3>
        {current || card ? (
          <VisitDetails visit={current} liveUrl={card?.url ?? null} liveTitle={card?.title ?? null} referrer={card?.referrer ?? current?.referrer ?? null} utm={card?.utm ?? current?.utm ?? null} />
        ) : (
          <div class="muted small">Not on the site right now.</div>
        )}
      </section>

      <section class="v360-section" aria-label="Previous visits">
        <h3>
          Previous visits {data && <span class="count">{previous.length}</span>}
        </h3>
        {previous.length === 0 ? (
          <div class="muted small">{data ? "First visit." : "…"}</div>
        ) : (
          <ul class="visit-list">
            {previous.slice(0, 10).map((x) => (
              <li key={x.id}>
                <div>{formatDateTime(x.started_at)}</div>
                <div class="muted small">
                  {x.page_views.length} pages
                  {x.landing_url ? ` · landed on ${pathOf(x.landing_url)}` : ""}
                  {x.referrer ? ` · from ${hostOf(x.referrer) || x.referrer}` : ""}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="v360-section" aria-label="Conversations history">
        <h3>
          Conversations {data && <span class="count">{convs.length}</span>}
        </h3>
        {convs.length === 0 ? (
          <div class="muted small">{data ? "No conversations yet." : "…"}</div>
        ) : (
          <ul class="visit-list">
            {convs.slice(0, 10).map((c) => (
              <li key={c.id}>
                <a href={paths.conversation(c.id)} onClick={linkClick} class="plain-link">
                  {formatDateTime(c.created_at)} <span class={`status-chip chip-${c.status}`}>{statusText(c)}</span> <RatingChip rating={c.meta?.csat} />
                </a>
                {c.meta?.csat?.comment && <q class="rating-comment small">{c.meta.csat.comment}</q>}
                {c.last_message && <div class="muted small clamp">{plainSnippet(c.last_message.body)}</div>}
              </li>
            ))}
          </ul>
        )}
      </section>
      {!!data?.calls?.length && (
        <section class="v360-section" aria-label="Calls">
          <h3>
            Calls <span class="count">{data.calls.length}</span>
          </h3>
          <ul class="visit-list">
            {data.calls.slice(0, 10).map((c) => (
              <li key={c.id}>
                {formatDateTime(c.created_at)} · {c.media === "video" ? "Video" : "Voice"} call with {c.rep?.name ?? "a rep"}
                <div class="muted small">
                  {c.state !== "ended"
                    ? "In progress"
                    : `${c.duration_seconds != null ? `${Math.floor(c.duration_seconds / 60)} min ${c.duration_seconds % 60} s, ` : ""}${CALL_ENDS[c.end_reason ?? ""] ?? "ended"}`}
                </div>
              </li>
            ))}
          </ul>
          <div class="muted small">Calls are not recorded.</div>
        </section>
      )}

      <section class="v360-section" aria-label="Meetings">
        <h3>
          Meetings {data && <span class="count">{data.meetings.length}</span>}
        </h3>
        {!data?.meetings.length ? (
          <div class="muted small">{data ? "No meetings booked." : "…"}</div>
        ) : (
          <ul class="visit-list">
            {data.meetings.map((m) => (
              <li key={m.id}>
                {formatDateTime(m.start)} <span class={`status-chip ${m.status === "cancelled" ? "chip-ended" : "chip-active"}`}>{m.status === "cancelled" ? "Cancelled" : "Booked"}</span>
                <div class="muted small clamp">
                  {m.title}
                  {m.owner_name ? ` with ${m.owner_name}` : ""}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {me.value?.role === "admin" && <PrivacySection visitorId={visitorId} />}
    </aside>
  );
}

// Admins answer a visitor's data request here: download everything stored about them (JSON),
// or erase it all. Both are written to the audit log.
function PrivacySection(props: { visitorId: string }) {
  const [busy, setBusy] = useState(false);
  async function download() {
    setBusy(true);
    try {
      const data = await api<unknown>("GET", `/api/visitors/${encodeURIComponent(props.visitorId)}/export`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `visitor-${props.visitorId}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      pushToast(`Couldn't export: ${errorText(err)}`, "error");
    } finally {
      setBusy(false);
    }
  }
  async function erase() {
    if (!confirm("Erase this visitor? Their conversations, messages, visits, pages, identity and live state are deleted for good. This cannot be undone.")) return;
    setBusy(true);
    try {
      await api("POST", `/api/visitors/${encodeURIComponent(props.visitorId)}/erase`);
      pushToast("The visitor and everything stored about them were erased.", "success");
      navigate(paths.live);
    } catch (err) {
      pushToast(`Couldn't erase: ${errorText(err)}`, "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="v360-section" aria-label="Privacy">
      <h3>Privacy</h3>
      <div class="muted small">For a visitor's request to see or delete their data.</div>
      <div class="engage-btns">
        <button type="button" class="btn btn-secondary btn-sm" disabled={busy} onClick={() => void download()}>
          Export data
        </button>
        <button type="button" class="btn btn-ghost btn-sm danger" disabled={busy} onClick={() => void erase()}>
          Erase visitor
        </button>
      </div>
    </section>
  );
}
export const CALL_ENDS: Record<string, string> = {
  ended_by_rep: "ended by the rep",
  ended_by_visitor: "ended by the visitor",
  declined: "declined",
  blocked: "ended: visitor blocked",
  missed: "not answered",
  failed: "failed",
};

const IDENTITY_HINT: Record<string, string> = {
  verified: "The website vouched for this email with a signed identify call.",
  unverified: "The email was given without a signature: treat it as a claim.",
  anonymous: "Not identified yet.",
};

const SOURCE_TEXT: Record<string, string> = {
  verified_email: "Verified email",
  unverified_email: "Email given by the visitor",
  ip: "IP address",
  ip_range: "Your IP range table",
  ip_asn: "IP network owner (ASN)",
  ip_country: "IP location data",
  provider: "Enrichment provider",
  account: "Your accounts",
  crm: "CRM",
};

const FIELD_ORDER = ["company", "domain", "employees", "industry", "country", "city"];

interface SourceRow {
  field: string;
  value: string;
  source: string | null;
  confidence: string | null;
}

function sourceRows(sources: unknown, enrichment: Record<string, EnrichedValue> | null): SourceRow[] {
  const rows: SourceRow[] = [];
  if (Array.isArray(sources) && sources.length) {
    for (const s of sources) {
      if (!s || typeof s !== "object") continue;
      const o = s as Record<string, unknown>;
      if (o.value === null || o.value === undefined || o.value === "") continue;
      rows.push({
        field: String(o.field ?? "value"),
        value: typeof o.value === "number" ? o.value.toLocaleString() : String(o.value),
        source: typeof o.source === "string" ? o.source : null,
        confidence: typeof o.confidence === "string" ? o.confidence : null,
      });
    }
  } else {
    for (const [field, e] of Object.entries(enrichment ?? {})) {
      if (!e || typeof e !== "object" || e.value === null || e.value === undefined || e.value === "") continue;
      rows.push({
        field,
        value: typeof e.value === "number" ? e.value.toLocaleString() : String(e.value),
        source: e.source ?? null,
        confidence: e.confidence ?? null,
      });
    }
  }
  const rank = (f: string) => (FIELD_ORDER.indexOf(f) + 1 || 99);
  return rows.sort((x, y) => rank(x.field) - rank(y.field));
}

function confidenceClass(c: string | null): string {
  const v = (c ?? "").toLowerCase().replace(/[\s-]+/g, "_");
  if (v === "very_high") return "conf-vh";
  if (v === "high") return "conf-h";
  if (v === "medium") return "conf-m";
  if (v === "low" || v === "very_low") return "conf-l";
  return "";
}

// Company facts with where each came from and how sure we are (product docs: "check the
// Confidence. If the confidence level is Very High, then most likely you're conversing with
// that person").
// Visitor 360's profile with the live card's fields on top: a field both have may come from either.
type Profile = Partial<Visitor360["visitor"]>;
type Card = Partial<VisitorCard>;
type Shown = Omit<Profile, keyof Card> & { [K in keyof Card]?: Card[K] | (K extends keyof Profile ? Profile[K] : never) };

function CompanyDetails(props: {
  company: string | null;
  firmographics: Record<string, unknown>;
  enrichment: Record<string, EnrichedValue> | null;
  sources?: unknown;
}) {
  const rows = sourceRows(props.sources, props.enrichment);
  const shown = new Set(rows.map((r) => r.field));
  const extra: [string, string][] = [];
  {
    for (const [k, val] of Object.entries(props.firmographics)) {
      if (["name", "domain", "sources", "id", "confidence", "company"].includes(k) || shown.has(k)) continue;
      if (val === null || val === undefined || val === "" || typeof val === "object") continue;
      shown.add(k);
      extra.push([k.replace(/_/g, " "), typeof val === "number" ? val.toLocaleString() : String(val)]);
    }
  }
  return (
    <>
      {rows.length > 0 && (
        <table class="sources-table" aria-label="Company data and sources">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value · source · confidence</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${r.field}-${i}`}>
                <td class="cap muted src-field">{r.field.replace(/_/g, " ")}</td>
                <td>
                  <div class="src-value">{r.value}</div>
                  <div class="src-meta">
                    <span class="src-name">{r.source ? (SOURCE_TEXT[r.source] ?? r.source.replace(/_/g, " ")) : "Unknown source"}</span>
                    {r.confidence && <span class={`conf ${confidenceClass(r.confidence)}`}>{r.confidence.replace(/_/g, " ")}</span>}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {extra.length > 0 && (
        <dl class="kv">
          {extra.slice(0, 8).map(([k, val]) => (
            <Fragment key={k}>
              <dt class="cap">{k}</dt>
              <dd>{val}</dd>
            </Fragment>
          ))}
        </dl>
      )}
    </>
  );
}

// The chat's owner, and the Owner drop-down that transfers it (product docs: "go to the
// Visitor 360 and select an available rep from the Owner drop-down menu").
function OwnerSection(props: { conv: ConversationSummary }) {
  const { conv } = props;
  const myId = me.value?.id;
  const canTransfer = conv.owner_rep_id === myId || me.value?.role === "admin";
  const [picked, setPicked] = useState(conv.owner_rep_id ?? "");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setPicked(conv.owner_rep_id ?? ""), [conv.owner_rep_id]);
  const ownerName = repName(conv.owner_rep_id) ?? conv.owner_name ?? "Nobody yet";
  const targets = transferTargets(conv);
  const changing = picked && picked !== conv.owner_rep_id;
  async function transfer() {
    setBusy(true);
    setError(null);
    const r = await transferConversation(conv.id, picked, note.trim() || null);
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    pushToast(`Transferred to ${reps.value.get(picked)?.name ?? "your colleague"}.`, "success");
    if (conv.owner_rep_id === myId) navigate(paths.live);
  }
  return (
    <section class="v360-section" aria-label="Owner">
      <label class="owner-row">
        <span class="owner-label">Owner</span>
        {canTransfer ? (
          <select class="input input-sm grow" value={picked} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)} aria-label="Owner">
            <option value={conv.owner_rep_id ?? ""}>{ownerName}{conv.owner_rep_id === myId ? " (you)" : ""}</option>
            {targets.map((r) => (
              <option key={r.id} value={r.id} disabled={r.availability !== "available"}>
                {r.name}
                {r.availability === "available" ? "" : " (away)"}
              </option>
            ))}
          </select>
        ) : (
          <span>{ownerName}</span>
        )}
      </label>
      {changing && (
        <div class="owner-transfer">
          <textarea class="input textarea" rows={2} maxLength={2000} placeholder="Note for your colleague (optional, only reps see it)" aria-label="Transfer note" value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          {error && (
            <div class="form-error" role="alert">
              {error}
            </div>
          )}
          <div class="row-end">
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => setPicked(conv.owner_rep_id ?? "")}>
              Cancel
            </button>
            <button type="button" class="btn btn-primary btn-sm" disabled={busy} onClick={() => void transfer()}>
              {busy ? "Transferring…" : `Transfer to ${reps.value.get(picked)?.name ?? "rep"}`}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function browserOf(ua: string | null | undefined): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua) ? "Edge" : /OPR\//.test(ua) ? "Opera" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Windows/.test(ua) ? "Windows" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  if (!browser && !os) return null;
  return [browser, os].filter(Boolean).join(" on ");
}

function VisitDetails(props: {
  visit: Visit | undefined;
  liveUrl: string | null;
  liveTitle: string | null;
  referrer: string | null;
  utm: Record<string, string | null> | null;
}) {
  const { visit } = props;
  const views = [...(visit?.page_views ?? [])].sort((a, b) => (b.viewed_at ?? "").localeCompare(a.viewed_at ?? ""));
  // The live card can be a moment ahead of the stored page views.
  const showLive = props.liveUrl && (!views.length || views[0].url !== props.liveUrl);
  const utm = props.utm ?? visit?.utm ?? null;
  const utmText = utm ? Object.entries(utm).filter(([, val]) => !!val).map(([k, val]) => `${k}: ${val}`).join(" · ") : "";
  return (
    <>
      <dl class="kv">
        {visit?.started_at && (
          <>
            <dt>Started</dt>
            <dd>{formatDateTime(visit.started_at)}</dd>
          </>
        )}
        <dt>Referrer</dt>
        <dd title={props.referrer ?? undefined}>{props.referrer ? hostOf(props.referrer) || props.referrer : <span class="muted">Direct</span>}</dd>
        {visit?.user_agent && (
          <>
            <dt>Browser</dt>
            <dd title={visit.user_agent}>{browserOf(visit.user_agent) ?? visit.user_agent}</dd>
          </>
        )}
        {visit?.ip && (
          <>
            <dt>IP</dt>
            <dd>{visit.ip}</dd>
          </>
        )}
        {utmText && (
          <>
            <dt>Campaign</dt>
            <dd>{utmText}</dd>
          </>
        )}
      </dl>
      <ol class="pages" aria-label="Pages visited in this visit">
        {showLive && (
          <li class="page-now">
            <PageLink url={props.liveUrl!} title={props.liveTitle} />
            <span class="muted small">now</span>
          </li>
        )}
        {views.map((p, i) => (
          <li key={`${p.url}-${i}`} class={i === 0 && !showLive && props.liveUrl ? "page-now" : ""}>
            <PageLink url={p.url} title={p.title ?? null} />
            <time class="muted small" dateTime={p.viewed_at ?? undefined}>
              {formatClock(p.viewed_at)}
            </time>
          </li>
        ))}
      </ol>
    </>
  );
}

function PageLink(props: { url: string; title: string | null }) {
  const href = safeHttpUrl(props.url);
  return (
    <div class="page-link">
      <div class="page-title">{props.title || pathOf(props.url)}</div>
      {href ? (
        <a class="page-url" href={href} target="_blank" rel="noopener noreferrer" title={props.url}>
          {pathOf(props.url)} <IconExternal size={11} />
        </a>
      ) : (
        <span class="page-url">{props.url}</span>
      )}
    </div>
  );
}
