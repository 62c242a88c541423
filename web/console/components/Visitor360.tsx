import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, errorText } from "../api";
import { linkClick, paths } from "../router";
import { companyName, conversations, firmographicsOf, repName, segmentOf, upsertConversations, visitors } from "../store";
import type { CompanyInfo, EnrichedValue, Visit, Visitor360 } from "../types";
import { formatClock, formatDateTime } from "../time";
import { IconBuilding, IconExternal, IconUser } from "../icons";
import { ActivityStatus, Elapsed, hostOf, pathOf, plainSnippet, safeHttpUrl } from "./ui";
import { statusText } from "./Inbox";

// Visitor 360: who this is, which company and how we know, what they read in this visit,
// their earlier visits and conversations.
export function Visitor360Panel(props: { visitorId: string }) {
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

  const v = { ...(data?.visitor ?? {}), ...(card ?? {}) } as Visitor360["visitor"];
  const company = data?.company ?? v.company ?? null;
  const cname = companyName({ company, account: v.account });
  const domain =
    (typeof company === "object" && company?.domain ? String(company.domain) : null) ??
    v.account?.domain ??
    (typeof v.enrichment?.domain?.value === "string" ? v.enrichment.domain.value : null);
  const seg = card ? segmentOf(card) : null;
  const visits = [...(data?.visits ?? [])].sort((a, b) => (b.started_at ?? "").localeCompare(a.started_at ?? ""));
  const currentVisitId = card?.visit_id ?? v.visit_id;
  const current = visits.find((x) => x.id === currentVisitId) ?? (card ? visits[0] : undefined);
  const previous = visits.filter((x) => x !== current);
  const live = conversations.value;
  const convs = [...(data?.conversations ?? [])].map((c) => live.get(c.id) ?? c).sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""));
  const status = v.identity_status ?? "anonymous";

  return (
    <aside class="v360" aria-label="Visitor 360">
      <div class="v360-head">Visitor 360</div>
      {error && !data && (
        <div class="muted small v360-pad" role="status">
          {error}
        </div>
      )}

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
            <div class="v360-company">{cname}</div>
            {domain && <div class="muted small">{domain}</div>}
            {(v.account?.target_account || v.account?.open_pipeline || v.account?.owner_rep_id) && (
              <div class="v360-tags">
                {v.account?.target_account && <span class="tag tag-target">Target account</span>}
                {!!v.account?.open_pipeline && <span class="tag tag-pipe">Open pipeline</span>}
                {v.account?.owner_rep_id && <span class="tag">Owner: {repName(v.account.owner_rep_id) ?? "a rep"}</span>}
              </div>
            )}
            <CompanyDetails company={company} firmographics={firmographicsOf(v)} enrichment={v.enrichment ?? null} extraSources={data?.visitor?.company_sources} />
          </>
        ) : (
          <div class="muted small">Not identified. Company data appears here when an enrichment source matches.</div>
        )}
      </section>

      <section class="v360-section" aria-label="This visit">
        <h3>This visit</h3>
        {current || card ? (
          <VisitDetails visit={current} liveUrl={card?.url ?? null} liveTitle={card?.title ?? null} referrer={card?.referrer ?? current?.referrer ?? null} utm={card?.utm ?? null} />
        ) : (
          <div class="muted small">Not on the site right now.</div>
        )}
      </section>

      <section class="v360-section" aria-label="Previous visits">
        <h3>
          Previous visits <span class="count">{previous.length}</span>
        </h3>
        {previous.length === 0 ? (
          <div class="muted small">{data ? "First visit." : "…"}</div>
        ) : (
          <ul class="visit-list">
            {previous.slice(0, 10).map((x) => (
              <li key={x.id}>
                <div>{formatDateTime(x.started_at)}</div>
                <div class="muted small">
                  {x.page_view_count ?? x.page_views?.length ?? 0} pages
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
          Conversations <span class="count">{convs.length}</span>
        </h3>
        {convs.length === 0 ? (
          <div class="muted small">{data ? "No conversations yet." : "…"}</div>
        ) : (
          <ul class="visit-list">
            {convs.slice(0, 10).map((c) => (
              <li key={c.id}>
                <a href={paths.conversation(c.id)} onClick={linkClick} class="plain-link">
                  {formatDateTime(c.created_at)} <span class={`status-chip chip-${c.status}`}>{statusText(c)}</span>
                </a>
                {c.last_message && <div class="muted small clamp">{plainSnippet(c.last_message.body)}</div>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}

const IDENTITY_HINT: Record<string, string> = {
  verified: "The website vouched for this email with a signed identify call.",
  unverified: "The email was given without a signature: treat it as a claim.",
  anonymous: "Not identified yet.",
};

const SOURCE_TEXT: Record<string, string> = {
  verified_email: "verified email",
  unverified_email: "email given by the visitor",
  ip: "IP address",
  ip_range: "company IP range",
  provider: "enrichment provider",
  crm: "CRM",
};

function CompanyDetails(props: {
  company: CompanyInfo | string | null;
  firmographics: Record<string, unknown>;
  enrichment: Record<string, EnrichedValue> | null;
  extraSources?: unknown;
}) {
  const c = typeof props.company === "object" && props.company ? props.company : null;
  const fields: [string, string][] = [];
  const seen = new Set<string>();
  const add = (obj: Record<string, unknown> | null) => {
    if (!obj) return;
    for (const [k, val] of Object.entries(obj)) {
      if (["name", "domain", "sources", "id", "confidence", "company"].includes(k) || seen.has(k)) continue;
      if (val === null || val === undefined || val === "" || typeof val === "object") continue;
      seen.add(k);
      fields.push([k.replace(/_/g, " "), typeof val === "number" ? val.toLocaleString() : String(val)]);
    }
  };
  add(props.firmographics);
  add(c);
  const sources = [
    ...Object.entries(props.enrichment ?? {})
      .filter(([, e]) => e && typeof e === "object")
      .map(([k, e]) => ({
        name: `${k.replace(/_/g, " ")}: ${String(e.value)}`,
        detail: [e.source ? (SOURCE_TEXT[e.source] ?? e.source.replace(/_/g, " ")) : null, e.confidence ? `${e.confidence.replace(/_/g, " ")} confidence` : null]
          .filter(Boolean)
          .join(", ") || null,
      })),
    ...normaliseSources(props.extraSources, null),
    ...normaliseSources(c?.sources, c?.confidence),
  ];
  return (
    <>
      {fields.length > 0 && (
        <dl class="kv">
          {fields.slice(0, 8).map(([k, val]) => (
            <Fragment key={k}>
              <dt class="cap">{k}</dt>
              <dd>{val}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      {sources.length > 0 && (
        <div class="sources">
          <div class="muted small">How we know</div>
          <ul>
            {sources.map((s, i) => (
              <li key={i}>
                <span>{s.name}</span>
                {s.detail && <span class="muted small"> · {s.detail}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

// Sources may be ["ip", "email"], [{source, confidence}], or {ip: "high"}: all read the same.
function normaliseSources(raw: unknown, confidence: unknown): { name: string; detail: string | null }[] {
  const out: { name: string; detail: string | null }[] = [];
  if (Array.isArray(raw)) {
    for (const s of raw) {
      if (typeof s === "string") out.push({ name: s, detail: null });
      else if (s && typeof s === "object") {
        const o = s as Record<string, unknown>;
        const name = String(o.source ?? o.name ?? o.kind ?? "source");
        const d = o.confidence ?? o.match ?? o.detail ?? o.value;
        out.push({ name, detail: d == null ? null : `${d}` });
      }
    }
  } else if (raw && typeof raw === "object") {
    for (const [k, val] of Object.entries(raw as Record<string, unknown>)) out.push({ name: k, detail: val == null ? null : String(val) });
  }
  if (!out.length && confidence != null) out.push({ name: "Confidence", detail: String(confidence) });
  return out;
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
  const utm = props.utm ?? (visit ? { source: visit.utm_source ?? null, medium: visit.utm_medium ?? null, campaign: visit.utm_campaign ?? null } : null);
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
        <dd>{props.referrer ? hostOf(props.referrer) || props.referrer : <span class="muted">Direct</span>}</dd>
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
          <li key={p.id ?? `${p.url}-${i}`} class={i === 0 && !showLive && props.liveUrl ? "page-now" : ""}>
            <PageLink url={p.url} title={p.title ?? null} />
            <time class="muted small" dateTime={p.viewed_at}>
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
