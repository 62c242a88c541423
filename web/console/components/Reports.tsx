import { useEffect, useMemo, useState } from "preact/hooks";
import { DayLineChart, type DaySeries } from "./DayChart";
import { api, errorText } from "../api";
import { seesEveryRep } from "../store";
import type { DayFigures, Figures, Report, ReportColumn, Team } from "../types";
import type { Segment } from "../types";
import { IconChart } from "../icons";

// Reports (docs/reports.md): a date range in a time zone, filters, charts per day (uPlot),
// and the tables under them; the CSV links download exactly those tables. Admins and team
// leads see every rep; a rep sees their own figures.

type Channel = NonNullable<Report["channel"]>;
const CHANNELS: [Channel, string][] = [
  ["inbound", "Inbound"],
  ["pounce", "Pounce"],
  ["invitation", "Invitation"],
  ["auto_pounce", "Auto pounce"],
];
const ZONES = ["UTC", "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"];

interface Filters {
  start: string;
  end: string;
  zone: string;
  rep_id: string;
  team_id: string;
  segment_id: string;
  channel: string;
}

function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function lastDays(n: number): { start: string; end: string } {
  const end = new Date();
  const start = new Date();
  start.setDate(end.getDate() - (n - 1));
  return { start: isoDay(start), end: isoDay(end) };
}

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function queryString(f: Filters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) params.set(k, v);
  return params.toString();
}

const NUMBER = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

// Rates (0-1) read as percentages, as on the tiles; other figures with the reader's digit
// grouping. The CSV keeps the raw values.
function formatCell(key: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return String(value);
  if (key.endsWith("_rate")) return `${Math.round(value * 100)}%`;
  return NUMBER.format(value);
}

export function ReportsPage() {
  const everyone = seesEveryRep();
  const [filters, setFilters] = useState<Filters>(() => ({ ...lastDays(30), zone: browserZone(), rep_id: "", team_id: "", segment_id: "", channel: "" }));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [reps, setReps] = useState<{ id: string; name: string }[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [segments, setSegments] = useState<Segment[]>([]);

  useEffect(() => {
    api<{ reps: { id: string; name: string }[] }>("GET", "/api/reps").then((d) => setReps(d.reps)).catch(() => {});
    api<{ teams: Team[] }>("GET", "/api/teams").then((d) => setTeams(d.teams)).catch(() => {});
    api<{ segments: Segment[] }>("GET", "/api/segments").then((d) => setSegments(d.segments)).catch(() => {});
  }, []);

  // Made a rep again while here: back to their own figures (another rep's would be refused).
  useEffect(() => {
    if (!everyone && filters.rep_id) setFilters((f) => ({ ...f, rep_id: "" }));
  }, [everyone]);

  const query = queryString(filters);
  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    api<Report>("GET", `/api/reports/summary?${query}`, undefined, { signal: abort.signal })
      .then((r) => {
        setReport(r);
        setError(null);
      })
      .catch((err) => {
        if ((err as Error).name !== "AbortError") setError(errorText(err));
      })
      .finally(() => setLoading(false));
    return () => abort.abort();
  }, [query, everyone]); // a new role changes whose figures the same query gives

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <div class="page-pad reports-page" aria-busy={loading}>
      <form class="report-filters panel" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>From</span>
          <input type="date" aria-label="From" value={filters.start} max={filters.end} onChange={(e) => set({ start: e.currentTarget.value })} />
        </label>
        <label>
          <span>To</span>
          <input type="date" aria-label="To" value={filters.end} min={filters.start} onChange={(e) => set({ end: e.currentTarget.value })} />
        </label>
        <div class="report-presets" role="group" aria-label="Quick ranges">
          {[7, 30, 90].map((n) => {
            const range = lastDays(n);
            const shown = range.start === filters.start && range.end === filters.end;
            return (
              <button type="button" class="btn btn-secondary btn-sm" aria-pressed={shown} onClick={() => set(range)}>
                {n} days
              </button>
            );
          })}
        </div>
        <label>
          <span>Time zone</span>
          <select aria-label="Time zone" value={filters.zone} onChange={(e) => set({ zone: e.currentTarget.value })}>
            {[...new Set([filters.zone, ...ZONES])].map((z) => (
              <option value={z}>{z}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Rep</span>
          <select aria-label="Rep" value={filters.rep_id} disabled={!everyone} onChange={(e) => set({ rep_id: e.currentTarget.value })}>
            <option value="">{everyone ? "Everyone" : "Me"}</option>
            {everyone && reps.map((r) => <option value={r.id}>{r.name}</option>)}
          </select>
        </label>
        <label>
          <span>Team</span>
          <select aria-label="Team" value={filters.team_id} onChange={(e) => set({ team_id: e.currentTarget.value })}>
            <option value="">All teams</option>
            {teams.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Segment</span>
          <select aria-label="Segment" value={filters.segment_id} onChange={(e) => set({ segment_id: e.currentTarget.value })}>
            <option value="">All segments</option>
            {segments.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Channel</span>
          <select aria-label="Channel" value={filters.channel} onChange={(e) => set({ channel: e.currentTarget.value })}>
            <option value="">All channels</option>
            {CHANNELS.map(([v, label]) => (
              <option value={v}>{label}</option>
            ))}
          </select>
        </label>
      </form>
      {!everyone && <p class="muted small">You see your own figures. Admins and team leads see every rep.</p>}
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      {report && (
        <>
          <Totals totals={report.totals} channel={report.channel} />
          <div class="report-charts">
            <DayChart
              title="Conversations per day"
              report={report}
              series={CONVERSATION_SERIES}
            />
            <DayChart
              title="First response time per day (seconds)"
              report={report}
              series={RESPONSE_SERIES}
            />
            <DayChart
              title="Proactive per day"
              report={report}
              series={PROACTIVE_SERIES}
            />
            <DayChart
              title="Calls and meetings per day"
              report={report}
              series={CALL_SERIES}
            />
            <DayChart
              title="Ratings per day (CSAT)"
              report={report}
              series={CSAT_SERIES}
            />
          </div>
          <ReportTable
            title="By day"
            caption={`${report.start} to ${report.end}, days in ${report.zone}`}
            columns={report.columns}
            rows={report.days.map((d) => [d.date, d])}
            totals={report.totals}
            first="Date"
            csv={`/api/reports/summary.csv?${query}&table=days`}
          />
          <ReportTable
            title="By rep"
            caption="Chats a rep owned; missed chats count for every rep they were routed to"
            columns={report.columns}
            rows={report.reps.map((r) => [r.rep_name, r])}
            totals={report.totals}
            first="Rep"
            csv={`/api/reports/summary.csv?${query}&table=reps`}
          />
        </>
      )}
    </div>
  );
}

function seconds(value: number | null): string {
  if (value === null) return "–";
  if (value < 90) return `${value} s`;
  return `${Math.round(value / 6) / 10} min`;
}

function Totals(props: { totals: Figures; channel: Report["channel"] }) {
  const t = props.totals;
  // What the figures count follows the Channel filter (the server applies it to every figure).
  const channel = CHANNELS.find(([v]) => v === props.channel)?.[1];
  const tiles: [string, string, string][] = [
    ["Started", String(t.conversations_started), channel ? `${channel} conversations only` : "Conversations started on every channel"],
    ["Answered", String(t.conversations_answered), "A rep wrote after the visitor"],
    ["Missed", String(t.missed), `${t.inbound_timeouts} inbound timeouts, ${t.queue_timeouts} queue timeouts, ${t.missed_responses} missed responses`],
    ["First response", `${seconds(t.first_response_median_seconds)} / ${seconds(t.first_response_p90_seconds)}`, "Median / p90"],
    ["Avg length", seconds(t.average_length_seconds === null ? null : Math.round(t.average_length_seconds)), "Answered chats that ended"],
    ["Reply rate", [t.pounce_reply_rate, t.invitation_reply_rate, t.auto_pounce_reply_rate].map((r) => (r === null ? "–" : `${Math.round(r * 100)}%`)).join(" · "), "Pounce · invitation · auto pounce"],
    ["Qualified", String(t.qualified), `Deal value ${t.deal_value.toLocaleString()}`],
    ["Calls", String(t.calls), `${t.calls_connected} connected, average ${seconds(t.call_average_seconds === null ? null : Math.round(t.call_average_seconds))}; ${t.calls_missed} missed, ${t.calls_declined} declined, ${t.calls_failed} failed`],
    ["Meetings", String(t.meetings_booked), `Booked in these days; ${t.meetings_cancelled} cancelled since`],
    ["CSAT", t.csat_rate === null ? "–" : `${Math.round(t.csat_rate * 100)}%`, `${t.csat_satisfied} satisfied of ${t.csat_ratings} ratings`],
  ];
  return (
    <section class="report-tiles" aria-label="Totals">
      {tiles.map(([label, value, hint]) => (
        <div class="report-tile" title={hint}>
          <div class="report-tile-label">{label}</div>
          <div class="report-tile-value">{value}</div>
          <div class="report-tile-hint muted small">{hint}</div>
        </div>
      ))}
    </section>
  );
}

type SeriesSpec = [keyof Figures, string, string];
// Module constants: a chart is drawn again only when its report changes.
const CONVERSATION_SERIES: SeriesSpec[] = [["conversations_started", "Started", "#2563eb"], ["conversations_answered", "Answered", "#16a34a"], ["missed", "Missed", "#dc2626"]];
const RESPONSE_SERIES: SeriesSpec[] = [["first_response_median_seconds", "Median", "#7c3aed"], ["first_response_p90_seconds", "p90", "#f59e0b"]];
const PROACTIVE_SERIES: SeriesSpec[] = [["pounces_sent", "Pounces", "#0ea5e9"], ["invitations_sent", "Invitations", "#14b8a6"], ["auto_pounces_sent", "Auto pounces", "#a855f7"], ["missed_responses", "Missed responses", "#dc2626"]];
const CALL_SERIES: SeriesSpec[] = [["calls", "Calls", "#2563eb"], ["calls_connected", "Connected", "#16a34a"], ["calls_missed", "Missed calls", "#dc2626"], ["meetings_booked", "Meetings booked", "#f59e0b"]];
const CSAT_SERIES: SeriesSpec[] = [["csat_ratings", "Ratings", "#64748b"], ["csat_satisfied", "Satisfied", "#16a34a"]];

function DayChart(props: { title: string; report: Report; series: SeriesSpec[] }) {
  const days = useMemo(() => props.report.days.map((d) => d.date), [props.report]);
  const series = useMemo<DaySeries[]>(
    () => props.series.map(([key, label, stroke]) => ({ label, stroke, values: props.report.days.map((d: DayFigures) => d[key] as number | null) })),
    [props.report, props.series],
  );
  return (
    <figure class="panel report-chart" aria-label={props.title}>
      <figcaption>
        <IconChart size={14} /> {props.title}
      </figcaption>
      <DayLineChart days={days} series={series} height={200} />
    </figure>
  );
}

function ReportTable(props: {
  title: string;
  caption: string;
  columns: ReportColumn[];
  rows: [string, Figures][];
  totals: Figures;
  first: string;
  csv: string;
}) {
  const totals = props.totals as unknown as Record<string, unknown>;
  return (
    <section class="panel report-table" aria-label={props.title}>
      <div class="panel-head">
        <h2>{props.title}</h2>
        <span class="muted small">{props.caption}</span>
        <a class="btn btn-secondary btn-sm" href={props.csv} download aria-label={`Download ${props.title.toLowerCase()} as CSV`}>
          CSV
        </a>
      </div>
      <div class="table-wrap">
        <table class="table table-compact" aria-label={props.title}>
          <thead>
            <tr>
              <th scope="col">{props.first}</th>
              {props.columns.map((c) => (
                <th scope="col" title={c.description}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 && (
              <tr>
                <td colSpan={props.columns.length + 1} class="muted">
                  Nothing in this range.
                </td>
              </tr>
            )}
            {props.rows.map(([name, row]) => {
              const values = row as unknown as Record<string, unknown>;
              return (
                <tr>
                  <th scope="row">{name}</th>
                  {props.columns.map((c) => (
                    <td>{formatCell(c.key, values[c.key])}</td>
                  ))}
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {props.columns.map((c) => (
                <td>{formatCell(c.key, totals[c.key])}</td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}


