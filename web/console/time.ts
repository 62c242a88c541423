import { signal } from "@preact/signals";

// One shared 1 s ticker for every clock on screen (time on site, inbound countdowns, "2m ago").
// Only mounted components read it, and the live stream mounts just the cards in view, so a
// tick re-renders a few dozen small text nodes, not 2,000 cards.
export const now = signal(Date.now());

// Server clock minus browser clock, from server_time in snapshots and pongs: countdowns to
// server deadlines (rep_window_ends_at) must not drift with a wrong laptop clock.
let skewMs = 0;

export function serverNow(): number {
  return Date.now() + skewMs;
}

export function noteServerTime(iso: string | null | undefined): void {
  const t = parseTime(iso);
  if (t !== null) skewMs = t - Date.now();
  now.value = serverNow();
}

function tick(): void {
  now.value = serverNow();
  // Align to the next wall-clock second so every clock on screen flips together.
  setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}
tick();

// Times are ISO 8601 UTC. A string without a zone would be read as local time by Date.parse,
// so one is added.
// The same strings (visit_started_at of 2,000 cards) are parsed on every re-sort of the
// stream, so parsed values are cached; the cache is dropped wholesale when it gets large.
const parsed = new Map<string, number | null>();

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  let t = parsed.get(iso);
  if (t !== undefined) return t;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(s);
  t = Number.isNaN(ms) ? null : ms;
  if (parsed.size > 20_000) parsed.clear();
  parsed.set(iso, t);
  return t;
}

// "0:42", "12:05", "1h 04m": the clock format reps read at a glance on a card.
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}:${String(s).padStart(2, "0")}`;
}

// Spoken form for screen readers and tooltips: "4 minutes 12 seconds".
export function describeDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} hour${h === 1 ? "" : "s"}`);
  if (m) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
  if (!h && (s || !m)) parts.push(`${s} second${s === 1 ? "" : "s"}`);
  return parts.join(" ");
}

export function formatClock(iso: string | null | undefined): string {
  const t = parseTime(iso);
  if (t === null) return "";
  return new Date(t).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

export function formatDateTime(iso: string | null | undefined): string {
  const t = parseTime(iso);
  if (t === null) return "";
  const d = new Date(t);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  if (sameDay) return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  return d.toLocaleString([], { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
}

export function formatAgo(iso: string | null | undefined, at: number): string {
  const t = parseTime(iso);
  if (t === null) return "";
  const s = Math.max(0, Math.floor((at - t) / 1000));
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return formatDateTime(iso);
}

const CHART_DAY = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });

/** A chart's day as the legend shows it ("Oct 23, 2026"): charts place each calendar day at its
 * UTC midnight, so it is read back in UTC (uPlot's default added "12:00am"). */
export function chartDay(epochSeconds: number | null): string {
  return epochSeconds == null ? "–" : CHART_DAY.format(new Date(epochSeconds * 1000));
}
