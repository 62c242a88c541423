import { useEffect, useMemo, useState } from "preact/hooks";
import { DayLineChart, type DaySeries } from "./DayChart";
import { api, errorText } from "../api";
import { linkClick, paths } from "../router";
import type { Account360, AccountVisitor } from "../types";
import { IconBuilding, IconChart } from "../icons";
import { CALL_ENDS } from "./Visitor360";

// Account 360 (GET /api/accounts/{id}/360): the company, its visitors and who is on the site
// now, page views over time, top pages, campaigns and ad clicks from landing URLs, chats and
// their classification. What a rep sees follows routing (docs/reports.md, docs/architecture.md).

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "–";
}

function VisitorRow(props: { v: AccountVisitor }) {
  const v = props.v;
  return (
    <tr>
      <td data-label="Visitor">
        <a href={paths.visitor(v.id)} onClick={linkClick}>
          {v.name || v.email || `Visitor ${v.id.slice(0, 6)}`}
        </a>
        {v.name && v.email && <div class="muted small">{v.email}</div>}
      </td>
      <td data-label="Latest activity">{v.online ? <span class={`tag act-tag act-${v.activity ?? "active"}`}>{v.activity === "idle" ? "Idle" : v.activity === "another_tab" ? "Other tab" : "On site now"}</span> : when(v.last_seen_at)}</td>
      <td class="ellipsis" data-label="Page now" title={v.current_url ?? undefined}>{v.current_title || v.current_url || <span class="muted">–</span>}</td>
      <td class="num" data-label="Visits">{v.visit_count}</td>
    </tr>
  );
}

function PageViewsChart(props: { days: Account360["page_views_by_day"] }) {
  const days = useMemo(() => props.days.map((d) => d.date), [props.days]);
  const series = useMemo<DaySeries[]>(
    () => [{ label: "Page views", stroke: "#2563eb", fill: "rgba(37,99,235,0.08)", values: props.days.map((d) => d.count) }],
    [props.days],
  );
  return <DayLineChart days={days} series={series} height={160} yAxisSize={40} />;
}

export function Account360Page(props: { accountId: string }) {
  const [data, setData] = useState<Account360 | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    setData(null);
    api<Account360>("GET", `/api/accounts/${encodeURIComponent(props.accountId)}/360?zone=${encodeURIComponent(zone)}`)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  }, [props.accountId]);
  if (error)
    return (
      <div class="page-pad">
        <div class="form-error" role="alert">
          {error}
        </div>
      </div>
    );
  if (!data) return <div class="page-pad muted">Loading…</div>;
  const a = data.account;
  return (
    <div class="page-pad account-page">
      <section class="panel" aria-label="Company">
        <div class="panel-head">
          <h2>
            <IconBuilding size={15} /> {a.name}
          </h2>
          <span class="muted mono">{a.domain}</span>
        </div>
        <div class="account-facts">
          {a.target_account && <span class="tag tag-target">Target account</span>}
          {!!a.open_pipeline && <span class="tag tag-pipe">Open pipeline {a.open_pipeline.toLocaleString()}</span>}
          <span>Owner: {data.owner_name ?? <span class="muted">nobody</span>}</span>
          <span>Employees: {a.employees != null ? a.employees.toLocaleString() : <span class="muted">–</span>}</span>
          <span>Industry: {a.industry ?? <span class="muted">–</span>}</span>
          {Object.entries(a.custom ?? {}).map(([k, v]) => (
            <span>
              {k}: {String(v)}
            </span>
          ))}
        </div>
      </section>

      <div class="account-grid">
        <section class="panel" aria-label="On the site now">
          <div class="panel-head">
            <h2>On the site now</h2>
            <span class="muted small">{data.online_now.length}</span>
          </div>
          {data.online_now.length === 0 ? (
            <p class="muted small">Nobody from {a.name} is on the site right now.</p>
          ) : (
            <ul class="plain-list">
              {data.online_now.map((v) => (
                <li>
                  <a href={paths.visitor(v.id)} onClick={linkClick}>
                    {v.name || v.email || `Visitor ${v.id.slice(0, 6)}`}
                  </a>{" "}
                  <span class="muted small">{v.current_title || v.current_url}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="panel" aria-label="Page views">
          <div class="panel-head">
            <h2>
              <IconChart size={14} /> Page views, last 30 days
            </h2>
          </div>
          <PageViewsChart days={data.page_views_by_day} />
        </section>
      </div>

      <section class="panel" aria-label="Visitors">
        <div class="panel-head">
          <h2>Visitors</h2>
          <span class="muted small">
            {data.visitor_total} known{data.visitor_total > data.visitors.length ? `, the ${data.visitors.length} most recent shown` : ""}
          </span>
        </div>
        <div class="table-wrap">
          <table class="table table-compact stack-table" aria-label="Visitors from this company">
            <thead>
              <tr>
                <th>Visitor</th>
                <th>Latest activity</th>
                <th>Page now</th>
                <th>Visits</th>
              </tr>
            </thead>
            <tbody>
              {data.visitors.map((v) => (
                <VisitorRow v={v} />
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <div class="account-grid">
        <section class="panel" aria-label="Campaigns">
          <div class="panel-head">
            <h2>Campaigns</h2>
            <span class="muted small">UTM parameters of landing pages</span>
          </div>
          {data.campaigns.length === 0 ? (
            <p class="muted small">No visit arrived with UTM parameters.</p>
          ) : (
            <div class="table-wrap">
              <table class="table table-compact stack-table" aria-label="Campaigns">
                <thead>
                  <tr>
                    <th>Source</th>
                    <th>Medium</th>
                    <th>Campaign</th>
                    <th>Term</th>
                    <th>Content</th>
                    <th>Visits</th>
                  </tr>
                </thead>
                <tbody>
                  {data.campaigns.map((c) => (
                    <tr>
                      <td data-label="Source">{c.source ?? "–"}</td>
                      <td data-label="Medium">{c.medium ?? "–"}</td>
                      <td data-label="Campaign">{c.campaign ?? "–"}</td>
                      <td data-label="Term">{c.term ?? "–"}</td>
                      <td data-label="Content">{c.content ?? "–"}</td>
                      <td class="num" data-label="Visits">{c.visits}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="panel" aria-label="Ad clicks">
          <div class="panel-head">
            <h2>Ad clicks</h2>
            <span class="muted small">Click ids in landing URLs</span>
          </div>
          {data.ad_clicks.length === 0 ? (
            <p class="muted small">No landing URL carried an ad click id (gclid, msclkid, fbclid, li_fat_id).</p>
          ) : (
            <ul class="plain-list">
              {data.ad_clicks.map((c) => (
                <li>
                  <span class="tag">{c.kind}</span> <span class="mono small ellipsis">{c.value}</span> <span class="muted small">{when(c.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <div class="account-grid">
        <section class="panel" aria-label="Top pages">
          <div class="panel-head">
            <h2>Top pages, last 30 days</h2>
          </div>
          <ol class="plain-list">
            {data.top_pages.map((p) => (
              <li>
                <span class="ellipsis" title={p.url}>
                  {p.title || p.url}
                </span>{" "}
                <span class="muted small">{p.views}</span>
              </li>
            ))}
          </ol>
        </section>
        <section class="panel" aria-label="Conversations">
          <div class="panel-head">
            <h2>Conversations</h2>
          </div>
          {data.conversations.length === 0 ? (
            <p class="muted small">No conversations with {a.name} yet.</p>
          ) : (
            <ul class="plain-list">
              {data.conversations.map((c) => (
                <li>
                  <a href={paths.conversation(c.id)} onClick={linkClick}>
                    {c.visitor_name || "Visitor"}: {c.last_message?.body?.slice(0, 80) ?? c.origin}
                  </a>{" "}
                  <span class="muted small">
                    {c.status} · {when(c.created_at)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {data.classification.length > 0 && (
            <>
              <h3 class="small">Classification history</h3>
              <ul class="plain-list">
                {data.classification.map((c) => (
                  <li>
                    {when(c.at)}: {c.qualified === true ? "Qualified" : c.qualified === false ? "Not qualified" : "Unclassified"}
                    {c.deal_value != null && ` · ${c.deal_value.toLocaleString()}`}
                    {c.tags.length > 0 && ` · ${c.tags.join(", ")}`}
                    {c.rep_name && <span class="muted small"> ({c.rep_name})</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <section class="panel" aria-label="Calls">
          <div class="panel-head">
            <h2>Calls</h2>
            <span class="muted small">{data.calls.length}</span>
          </div>
          {data.calls.length === 0 ? (
            <p class="muted small">No calls with {a.name} in these conversations.</p>
          ) : (
            <ul class="plain-list">
              {data.calls.map((c) => (
                <li key={c.id}>
                  {when(c.created_at)} · {c.media === "video" ? "Video" : "Voice"} call with {c.rep?.name ?? "a rep"}
                  <div class="muted small">
                    {c.state !== "ended"
                      ? "In progress"
                      : `${c.duration_seconds != null ? `${Math.floor(c.duration_seconds / 60)} min ${c.duration_seconds % 60} s, ` : ""}${CALL_ENDS[c.end_reason ?? ""] ?? "ended"}`}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="panel" aria-label="Meetings">
          <div class="panel-head">
            <h2>Meetings</h2>
            <span class="muted small">{data.meetings.length}</span>
          </div>
          {data.meetings.length === 0 ? (
            <p class="muted small">No meetings booked by {a.name}'s visitors.</p>
          ) : (
            <ul class="plain-list">
              {data.meetings.map((m) => (
                <li key={m.id}>
                  {when(m.start)} · {m.status === "cancelled" ? "Cancelled" : "Booked"}
                  <div class="muted small ellipsis">
                    {m.title}
                    {m.owner_name ? ` with ${m.owner_name}` : ""}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}
